// NB-IoT device energy and downlink reachability: the currents of each radio state, the charge of one
// uplink message (its access timeline plus the RRC inactivity timer), and the PSM / eDRX timers that set
// how long a device sleeps and how late downlink data can reach it.
//
// Currents (defaults): the China Mobile M5311 NB-IoT module as published on the M5Stack
// "Module NBIoT" (SKU M028) product page: 3 uA in PSM, 0.4 mA idle with DRX 1.28 s, 54 mA receiving,
// 167 mA transmitting at 23 dBm (15 kHz single tone). Assumptions, not datasheet figures: in RRC
// connected mode between activities the receiver keeps monitoring NPDCCH (no connected-mode DRX), so it
// draws the receive current; between eDRX paging time windows the module falls to its deep-sleep (PSM)
// floor; supply 3.6 V (a lithium thionyl chloride primary cell, as models/device/battery.hpp).
// Datasheet cross-check: no module datasheet's transmit (23 dBm) or receive current could be confirmed
// (u-blox SARA-N2, Quectel BC95/BC66 searched), so these stay the vendor page's. The PSM floor is of the
// order Quectel's hardware design manuals give for deep sleep: typically 4 uA (BC65), 4.2 uA (BC950N-N1),
// 0.8 uA (BC660K-GL).
// Validation: with 3GPP TR 45.820's powers per state in place of these currents, the model against the
// study's battery lives at 164 dB (tests/models/nbiot_power_validation_test.cpp; the comparison and why
// it differs in docs/ARCHITECTURE.md, "NB-IoT energy against 3GPP TR 45.820").
//
// Timers:
// - RRC inactivity timer: set by the operator's eNodeB (e.g. a vendor parameter "NB-IoT UE inactive
//   timer"), not by the device; 20 s is a typical value reported for live networks, not a standard one.
// - T3324 (active time, GPRS timer 2) and T3412 (periodic TAU, GPRS timer 3): TS 24.008 10.5.7.4 and
//   10.5.7.4a, TS 24.301 5.3.11 (PSM): after release the device stays reachable in idle for T3324, then
//   sleeps in PSM, unreachable, until T3412 expires and it performs a TAU. Defaults (illustrative):
//   T3324 = 60 s, T3412 = 24 h.
// - eDRX for NB-S1 mode (TS 24.008 Table 10.5.5.32): cycle 20.48 s x 2^k, k = 0..9 (20.48 .. 10485.76 s),
//   paging time window 2.56 s x (n + 1), n = 0..15 (2.56 .. 40.96 s). Within the window the device
//   monitors paging every DRX cycle (TS 36.304 clause 7). Default: eDRX off.
// - DRX (paging) cycle: 1.28 s by default, the cycle the idle current above is quoted at (TS 36.331
//   defaultPagingCycle allows 1.28 .. 10.24 s).
// Downlink data is delivered at the first paging occasion after it arrives, or, when the device is in
// PSM, at its next uplink or TAU, whichever comes first (the MME buffers it: "high latency
// communication", TS 23.682; T3412 restarts at each release to idle, TS 24.301 5.3.5).
#pragma once

#include <array>

#include "models/radio/nbiot_access.hpp"

namespace citytwin::models::radio {

struct NbiotPowerProfile {
  double psm_current_ma = 0.003;
  double idle_current_ma = 0.4;  // RRC idle, DRX-cycle average
  double rx_current_ma = 54.0;
  double tx_current_ma = 167.0;  // 23 dBm
  double connected_current_ma = 54.0;
  double edrx_sleep_current_ma = 0.003;
  double supply_voltage_v = 3.6;

  double current_ma(PhaseKind kind) const;
  // The largest of the currents above (transmitting, with the defaults): what the modem asks of its supply
  // at its peak, against a cell's pulse rating (models/device/battery.hpp).
  double peak_current_ma() const;
};

struct NbiotTimers {
  double rrc_inactivity_s = 20.0;
  double active_time_s = 60.0;      // T3324
  double periodic_tau_s = 86400.0;  // T3412
  double drx_cycle_s = 1.28;
  double edrx_cycle_s = 0.0;  // 0: eDRX off
  double paging_time_window_s = 2.56;
};

bool is_valid_edrx_cycle_s(double cycle_s);
bool is_valid_paging_time_window_s(double window_s);
// Throws std::invalid_argument naming the first inconsistent field.
void validate(const NbiotTimers& timers);

// --- Downlink reachability -------------------------------------------------------------------------

// Delay until a downlink packet arriving time_since_idle_s after the device entered idle can be
// delivered: to the next paging occasion during the active time, else to the end of T3412. The cycle
// repeats every T3412 (the TAU's own duration neglected).
double downlink_delay_s(const NbiotTimers& timers, double time_since_idle_s);

struct Reachability {
  double mean_delay_s = 0.0;  // packet arrival uniform over the T3412 cycle
  double max_delay_s = 0.0;
};

Reachability downlink_reachability(const NbiotTimers& timers);

// How a device's uplinks come: every interval_s (periodic), or with exponential gaps of that mean
// (Poisson).
enum class UplinkTiming { Periodic, Poisson };

// The mean delay of a downlink packet arriving at a uniformly random time at a device that also sends
// uplinks. Each uplink opens connected_s of RRC connected time (reachable at once: the RRC inactivity
// timer), then the release starts the idle cycle above (paging occasions for T3324, then PSM, a TAU
// restarting it every T3412 without uplink) until the next uplink. Over one gap g between uplinks the
// delay integrates to sum(gaps between reachable instants ^ 2) / 2, the last gap ending at the next
// uplink; the mean is E[that integral] / E[g] (renewal-reward), for g = interval_s or exponential.
// Without uplinks (interval_s infinite) it is downlink_reachability(timers).mean_delay_s.
double mean_downlink_delay_s(const NbiotTimers& timers, double interval_s, UplinkTiming timing,
                             double connected_s);

// --- Energy ------------------------------------------------------------------------------------------

// A stretch of activity: how long, and the charge drawn (mA x s).
struct ActivityBurst {
  double duration_s = 0.0;
  double charge_mas = 0.0;
};

struct MessageEnergy {
  ActivityBurst burst;                         // access timeline + RRC inactivity timer
  std::array<double, 4> charge_by_kind_mas{};  // indexed by PhaseKind
  double energy_j = 0.0;

  double charge_mah() const { return burst.charge_mas / 3600.0; }
};

// Charge of one uplink message: every phase at its state's current, then the inactivity timer in RRC
// connected mode. The idle / PSM time that follows belongs to the reporting cycle.
MessageEnergy message_energy(const UplinkProcedure& procedure, const NbiotPowerProfile& power,
                             const NbiotTimers& timers);

// Charge of idle_duration_s spent after an RRC release and before the next activity: the active time
// (DRX, or eDRX windows) then PSM.
double idle_charge_mas(double idle_duration_s, const NbiotTimers& timers, const NbiotPowerProfile& power);

// Mean current of a device that only keeps its registration: T3412 of idle/PSM, then a TAU burst.
double idle_cycle_average_current_ma(const NbiotTimers& timers, const NbiotPowerProfile& power,
                                     const ActivityBurst& tau);

// Mean current of a device sending one message every report_interval_s: the message, then idle and PSM
// until the next one, with a TAU burst each time T3412 expires in between. Throws std::invalid_argument
// if the interval is shorter than the message burst.
double reporting_average_current_ma(const ActivityBurst& message, double report_interval_s,
                                    const NbiotTimers& timers, const NbiotPowerProfile& power,
                                    const ActivityBurst& tau);

}  // namespace citytwin::models::radio
