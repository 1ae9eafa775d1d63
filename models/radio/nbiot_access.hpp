// NB-IoT uplink access: contention on the NPRACH preambles, and the timeline of one uplink message from
// waking up to the end of the data transmission (latency), phase by phase, for the energy model.
//
// Contention: a preamble (an NPRACH starting subcarrier, TS 36.211 10.1.6; nprach-NumSubcarriers of
// TS 36.331 gives 12..48 per CE level) succeeds when exactly one device picks it. With N devices in an
// occasion choosing uniformly among M preambles, a tagged device succeeds with (1 - 1/M)^(N - 1); with
// Poisson arrivals of mean lambda per occasion the per-preamble counts are independent Poisson(lambda/M)
// and a device succeeds with exp(-lambda/M), the slotted-ALOHA result (N. Abramson, "The ALOHA system",
// AFIPS 1970; L. G. Roberts, "ALOHA packet system with and without slots and capture", 1975). Preamble
// detection is assumed perfect and colliding preambles are all lost (no capture), the usual assumption
// of RACH capacity studies such as 3GPP TR 37.868 (RAN improvements for machine-type communications).
//
// Timeline (Control Plane CIoT EPS optimisation: the data goes in the first uplink after Msg4), with the
// standard's minimum offsets:
// - RA window: RAR monitoring starts 3 subframes after the preamble (41 if it had 64 or more
//   repetitions), TS 36.321 5.1.4;
// - NPDSCH starts at least 4 subframes after its NPDCCH ends (subframe n + 5), TS 36.213 16.4.1;
// - Msg3 starts at least 12 subframes after the RAR (k0 = 12, 16, 32 or 64), TS 36.213 16.3.3;
// - NPUSCH starts at least 8 subframes after its DCI N0 (k0 = 8, 16, 32, 64), TS 36.213 Table 16.5.1-1;
// - the HARQ-ACK (NPUSCH format 2) starts at least 12 subframes after the NPDSCH, TS 36.213 16.4.2.
// Every NPDCCH is taken at its maximum repetitions R_max (the worst case of the search space). Message
// sizes: RAR 7 bytes (see nbiot_phy.hpp); Msg4 (RRCConnectionSetup-NB with the contention resolution
// MAC CE) 32 bytes by default, an assumption. The first preamble is assumed to succeed: collisions are
// the contention model's business. scheduling_delay_s is the eNodeB scheduler's queueing on top of the
// minimum offsets (0 on an idle cell); the engine sets it from the cell load.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "models/radio/nbiot_phy.hpp"

namespace citytwin::models::radio {

// --- Contention ----------------------------------------------------------------------------------

// A tagged device among `contending_devices` (itself included) succeeds: (1 - 1/M)^(N - 1).
double preamble_success_probability(int preambles, int contending_devices);
// Poisson arrivals, mean lambda per occasion: exp(-lambda / M).
double preamble_success_probability_poisson(int preambles, double mean_arrivals);
// Expected successful preambles per occasion under Poisson arrivals: lambda exp(-lambda / M).
double expected_successes_per_occasion(int preambles, double mean_arrivals);

struct RetryPolicy {
  int max_attempts = 1;              // preambleTransMax-CE; 1 = no retry
  int backoff_window_occasions = 0;  // a retry waits 1 + U{0..window} occasions
};

struct RandomAccessResult {
  int64_t attempts = 0;
  int64_t successful_attempts = 0;
  double success_fraction = 0.0;  // successful_attempts / attempts
  int64_t devices = 0;            // new arrivals over the run
  int64_t devices_succeeded = 0;
  int64_t devices_failed = 0;   // exhausted max_attempts
  int64_t devices_pending = 0;  // still backing off when the run ended
  // [d]: devices that succeeded d occasions after their first attempt.
  std::vector<int64_t> delay_histogram_occasions;

  double device_success_fraction() const;  // succeeded / (succeeded + failed)
  double mean_delay_occasions() const;     // over devices that succeeded
};

// Monte-Carlo: per occasion a Poisson number of new devices, each picking a preamble uniformly; a preamble
// chosen by exactly one device succeeds. Failed devices retry per `policy`. The generator is the
// simulator's own SplitMix64 counter stream and the distributions are its own (no <random>), so the
// result is the same on every platform for the same seed.
RandomAccessResult simulate_random_access(int preambles, double mean_arrivals_per_occasion, int occasions,
                                          uint64_t seed, const RetryPolicy& policy = {});

// --- Timeline of one uplink message -----------------------------------------------------------------

// Idle: RRC idle waiting (DRX floor); Connected: RRC connected between activities, monitoring.
enum class PhaseKind : uint8_t { Idle = 0, Transmit, Receive, Connected };

const char* to_string(PhaseKind kind);

struct ProcedurePhase {
  const char* name = "";
  PhaseKind kind = PhaseKind::Idle;
  double duration_s = 0.0;
};

struct UplinkProcedure {
  std::vector<ProcedurePhase> phases;

  // From the decision to send to the end of the last data repetition.
  double latency_s() const;
  double time_in_s(PhaseKind kind) const;
};

struct UplinkProcedureParams {
  // Wait for the next NPRACH occasion; the mean, half the periodicity, when not given.
  std::optional<double> nprach_wait_s{};
  double scheduling_delay_s = 0.0;
  int rar_bytes = 7;
  // Msg4 (RRC connection setup with the contention resolution identity): 32 bytes is an assumption; its
  // size varies with the configuration the network sends.
  int msg4_bytes = 32;
};

// Wait from now_s until the next NPRACH occasion of a resource starting at start_offset_s.
double nprach_wait_s(double now_s, double periodicity_s, double start_offset_s = 0.0);

// Throws std::invalid_argument if a downlink message does not fit the NPDSCH table at its I_TBS.
UplinkProcedure uplink_procedure(int payload_bytes, CeLevel level, const NbiotCellConfig& cell,
                                 const UplinkProcedureParams& params = {});

}  // namespace citytwin::models::radio
