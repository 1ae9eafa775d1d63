// What a run will cost, estimated from the scenario before anything is built: memory (per device, per
// radio link, per /timeseries bin) and time (per report, per window, per wired chunk). `citytwin run`
// and `citytwin validate` refuse a scenario whose estimate is beyond what is sensible (more memory than
// the machine has, or more than a day of computing), with the estimate in the message; `run --force`
// overrides. The per-item costs are measured (docs/RELIABILITY.md says how).
#pragma once

#include <cstdint>
#include <string>

#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::sim::app {

// The per-item costs, measured with bench/measure_run_cost.sh (figures in docs/RELIABILITY.md, "Run
// budget"), rounded up.
// Memory: the process, whatever the city (the executable, its libraries, SimGrid's platform, the trace's
// file and its writer thread: one device for an hour peaked at 51,488 KiB, 1,000 devices reporting every 4 s
// for 10 min at 61,632 KiB, every 0.5 s at 63,728 KiB, 2026-12-04; counted as 72 MiB, for the libraries'
// and the allocator's ways on other machines); a radio link (gateway 4 B + gain 4 B;
// measured 8 B kept, held twice while the layout is built); a report (a LoRaWAN report's latencies go into
// the KPIs' log-binned histograms, sim/record/log_histogram.hpp, no longer kept one by one: 1,000 devices
// reporting every second with run.trace: summary held 64,000, 68,316 and 71,612 KiB after 10 min, 1 h and
// 3 h, 1.4 then 0.46 B a report; an NB-IoT report queued behind an overloaded cell measured 50 B); a
// /timeseries bin of one wired link (a double, and its row in the table).
inline constexpr double kBytesPerProcess = 72.0 * 1024 * 1024;
inline constexpr double kBytesPerLink = 16.0;
inline constexpr double kBytesPerLoraReport = 2.0;
inline constexpr double kBytesPerNbiotReport = 64.0;
inline constexpr double kBytesPerSeriesBin = 16.0;
// radio.receptions: strongest: a device's K strongest links (position, gateway and gain, 4 B each) and its
// offset into them (8 B) (sim/access/strongest_links.hpp), beside its links; strongest_only keeps the K
// alone as its links (sim/city/city_layout.hpp), and packs them again for the radio medium, 4 B a place in
// RadioMedium::packed_words(K) places a device (64 B at K = 8: sim/access/radio_medium.hpp).
inline constexpr double kBytesPerStrongestLink = 12.0;
inline constexpr double kBytesPerStrongestDevice = 8.0;
// ADR: a device of an ADR population has the network server's maximum of its last 20 uplinks (one 64 B line,
// models::radio::RecentMax; a rare device with more than 10 decreasing values among them holds them on the
// heap until ADR's next command), and every device a slot (4 B) where the ADR devices lie in more than 16
// runs of consecutive ids (sim/access/lorawan_server.hpp; counted always, an upper bound).
inline constexpr double kBytesPerAdrDevice = 64.0;
inline constexpr double kBytesPerAdrSlot = 4.0;
// A /messages row in memory (output::MessageBatch: 61 B of columns), and how many chunks of rows the trace
// holds at once: the one being filled, those queued for its writer thread (output/trace_writer.hpp,
// kWriterQueueChunks = 3), the one HDF5 compresses, HDF5's chunk caches (a chunk per column) and the
// storage kept for reuse: 7 in all (measured: a report-heavy run held 25.0 MiB more with /messages than
// with run.trace: summary, bench/measure_run_cost.sh; 7 chunks are 26.7 MiB).
inline constexpr double kBytesPerMessageRow = 61.0;
inline constexpr double kTraceChunksHeld = 7.0;
// Time: a report through the fleet engine, the radio medium and the trace (measured 1.5 us LoRaWAN,
// 6.7 us NB-IoT, on one core); a synchronisation window on one thread (measured 0.3 us), and the thread
// pool's round trip when there are more (bench/pool_round.cpp: 0.3-0.6 us with its workers spinning on
// an idle 2-core machine, ~43 us when they slept; where a worker is not scheduled the caller runs its
// items, a cost the reports already count); a SimGrid comm (a gateway's forward batch or a chunk of a
// CCTV stream; measured 12 us).
inline constexpr double kSecondsPerLoraReport = 2e-6;
// A LoRa reception: a (frame, gateway) pair the radio medium settles (stored, judged against the frames on
// the air at that gateway, resolved). Receptions per uplink grow with the gateway density (~10 on the
// bench city at 10k devices, ~240 at Seoul's density), so a dense city's time is mostly this. Measured
// with bench/measure_reception_cost.sh (bench/RESULTS.md, "Run budget: receptions"), rounded up; counted
// on one thread (an upper bound: only settling, and materialising in big windows, are shared by threads).
inline constexpr double kSecondsPerReception = 0.25e-6;
inline constexpr double kSecondsPerNbiotReport = 8e-6;
inline constexpr double kSecondsPerWindow = 0.5e-6;
inline constexpr double kSecondsPerPoolRound = 5e-6;
inline constexpr double kSecondsPerComm = 20e-6;
// An event-driven device's sample that sends nothing (the fleet's event: wake, sense, the rule, the battery
// drawn; measured ~0.12 us on one core: 2,000 river gauges driven for 6 h sampling every 1 s against every
// 100 s, 43 M samples more, bench/RESULTS.md; ~0.08 us since the self-discharge's rate is computed once
// per population), rounded up.
inline constexpr double kSecondsPerSample = 0.15e-6;
// radio.shadowing.correlation_distance: the set-up judges every (device, gateway) pair of a technology (the
// field's largest lift, 30.7 sigma, reaches across any city: sim/city/device_links.cpp): a bound on the
// field's lift from its 12 nodes' hashes, eight pairs at a time, and 13 Gaussian draws where the bound
// reaches the lift the link needs. Measured on two cores (AMD EPYC, 2026-12-08, bench/gen_city.py
// --realistic, run.duration=1s, 2 threads), CPU with the field less CPU without, per pair: 10k devices x 15
// gateways ~0.13 us (0.02 s: at the clock's grain), 100k x 154 0.10 us (2.30 s against 0.79 s; wall 1.35 s
// against 0.56 s), 1 M x 1,538 see docs/RELIABILITY.md; counted at 0.12 us, shared by the threads. (Each
// pair drawn whole: 0.52-0.60 us, before 2026-12-08.)
inline constexpr double kSecondsPerCorrelatedPair = 0.12e-6;

// The trace numbers failure intervals with 16 bits (sim/run.cpp refuses more once drawn).
inline constexpr double kMaxFailureIntervals = 32767.0;
// Past this estimate of computing time a run is refused (without --force).
inline constexpr double kMaxRunSeconds = 86400.0;

struct RunEstimate {
  uint64_t devices = 0;
  double links = 0.0;          // expected radio links (device, gateway)
  double reports = 0.0;        // uplink reports over the run (an upper bound for driven populations)
  double samples = 0.0;        // event-driven firmware's samples (engine events that send nothing)
  double nbiot_reports = 0.0;  // of which NB-IoT
  double receptions = 0.0;     // LoRa uplinks x the links each is heard on (an upper bound with sf: auto/adr)
  double windows = 0.0;        // synchronisation windows
  double setup_pairs = 0.0;    // (device, gateway) pairs the set-up judges one by one (correlated shadowing)
  double comms = 0.0;          // SimGrid comms: forward batches and stream chunks
  double series_bins = 0.0;    // /timeseries bins, all wired links
  double failures = 0.0;       // expected failure intervals (drivers.failures with mtbf)
  double trace_bytes = 0.0;    // of which the trace's /messages buffers (none with run.trace: summary)
  double memory_bytes = 0.0;   // peak, estimated
  double compute_s = 0.0;      // on one thread
  // Estimated wall time on `threads` threads: the reports and the correlated set-up's pairs are shared;
  // windows, receptions and transfers are not.
  double wall_s(int threads) const;
  // "1000000 devices, ~4.2e6 links, 9.6e7 reports: ~1.3 GiB, ~3.5 min".
  std::string describe() const;
};

RunEstimate estimate_run(const scenario::Scenario& scenario);

// The thread count a run gets when none is asked for: all `cores` when its windows are expected to hold at
// least kMinReceptionsPerWindowForThreads receptions on average, one otherwise. Below that few windows
// reach the radio medium's parallel rounds (access::RadioMedium::kMinParallelLinks), a second thread
// has only the fleet's small rounds and the wired network's lane to take, and on two cores it competes with
// the trace's writer thread. Measured on two cores, bench/gen_city.py's realistic cities (strongest_only,
// K = 8), a day each, two threads against one: 30k devices (~299 receptions a window estimated) 0.96-1.0x
// for 40 % more CPU; 40k (~399) 1.11-1.38x; 50k (~498) 1.13-1.31x; 100k (~985) 1.10x (bench/RESULTS.md,
// "Reports estimated as the run makes them; one thread by default for a city a second would not speed up").
inline constexpr double kMinReceptionsPerWindowForThreads = 350.0;
int default_run_threads(const RunEstimate& estimate, int cores);
// Receptions a window holds on average (0 without windows).
double receptions_per_window(const RunEstimate& estimate);

// Throws RunError naming the estimate when the scenario has more devices than the engine's 32-bit device
// ids allow or more expected failure intervals than the trace's 16-bit failure ids (always), or, unless
// force, when the run needs more memory than `available_bytes` (0: not checked) or would take more than
// kMaxRunSeconds on `threads` threads.
void check_run_budget(const RunEstimate& estimate, uint64_t available_bytes, int threads, bool force = false);

// MemAvailable from /proc/meminfo, bytes (0 when unknown).
uint64_t available_memory_bytes();

}  // namespace citytwin::sim::app
