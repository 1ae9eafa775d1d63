#include "models/radio/nbiot_access.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace citytwin::models::radio {

namespace {

// SplitMix64 (G. Steele, D. Lea, C. Flood, "Fast splittable pseudorandom number generators", OOPSLA
// 2014) used as a counter generator: value n is mix(key + (n + 1) * golden).
constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

constexpr uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

class CounterRng {
 public:
  explicit CounterRng(uint64_t seed) : key_(mix64(seed ^ 0x6e62696f745f7261ULL)) {}  // "nbiot_ra"

  uint64_t next_u64() { return mix64(key_ + (++counter_) * kGolden); }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n): Lemire's multiply-shift on 32 bits; bias below n / 2^32, negligible for n <= 48.
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(((next_u64() >> 32) * n) >> 32); }

  // Poisson by Knuth's product of uniforms, in chunks of mean <= 30 so exp(-mean) stays far from
  // underflow (a sum of independent Poisson variables is Poisson).
  int64_t poisson(double mean) {
    int64_t total = 0;
    while (mean > 0.0) {
      const double chunk = mean > 30.0 ? 30.0 : mean;
      mean -= chunk;
      const double limit = std::exp(-chunk);
      double product = uniform();
      while (product > limit) {
        ++total;
        product *= uniform();
      }
    }
    return total;
  }

 private:
  uint64_t key_;
  uint64_t counter_ = 0;
};

struct Contender {
  int first_occasion = 0;
  int attempts = 0;
};

constexpr double kSubframeS = 0.001;
constexpr double kRarWindowOffsetS = 3 * kSubframeS;
constexpr double kRarWindowOffsetLongS = 41 * kSubframeS;  // 64 or more preamble repetitions
constexpr double kNpdschAfterNpdcchS = 4 * kSubframeS;
constexpr double kMsg3AfterRarS = 12 * kSubframeS;
constexpr double kNpuschAfterDciS = 8 * kSubframeS;
constexpr double kAckAfterNpdschS = 12 * kSubframeS;
constexpr int kMsg3ResourceUnits = 4;

double downlink_message_s(int bytes, const CeLevelConfig& level, const char* what) {
  const auto subframes = npdsch_subframes(8 * bytes, level.npdsch_i_tbs);
  if (!subframes) {
    throw std::invalid_argument(std::string("uplink_procedure: ") + what + " of " + std::to_string(bytes) +
                                " bytes does not fit NPDSCH at I_TBS " + std::to_string(level.npdsch_i_tbs));
  }
  return *subframes * kSubframeS * level.npdsch_repetitions;
}

}  // namespace

double preamble_success_probability(int preambles, int contending_devices) {
  if (preambles < 1 || contending_devices < 1) {
    throw std::invalid_argument("preamble_success_probability: expected M >= 1 and N >= 1");
  }
  return std::pow(1.0 - 1.0 / preambles, contending_devices - 1);
}

double preamble_success_probability_poisson(int preambles, double mean_arrivals) {
  if (preambles < 1 || mean_arrivals < 0.0) {
    throw std::invalid_argument("preamble_success_probability_poisson: expected M >= 1, lambda >= 0");
  }
  return std::exp(-mean_arrivals / preambles);
}

double expected_successes_per_occasion(int preambles, double mean_arrivals) {
  return mean_arrivals * preamble_success_probability_poisson(preambles, mean_arrivals);
}

double RandomAccessResult::device_success_fraction() const {
  const int64_t decided = devices_succeeded + devices_failed;
  return decided > 0 ? static_cast<double>(devices_succeeded) / static_cast<double>(decided) : 0.0;
}

double RandomAccessResult::mean_delay_occasions() const {
  double sum = 0.0;
  int64_t count = 0;
  for (size_t d = 0; d < delay_histogram_occasions.size(); ++d) {
    sum += static_cast<double>(d) * static_cast<double>(delay_histogram_occasions[d]);
    count += delay_histogram_occasions[d];
  }
  return count > 0 ? sum / static_cast<double>(count) : 0.0;
}

RandomAccessResult simulate_random_access(int preambles, double mean_arrivals_per_occasion, int occasions,
                                          uint64_t seed, const RetryPolicy& policy) {
  if (preambles < 1 || mean_arrivals_per_occasion < 0.0 || occasions < 0 || policy.max_attempts < 1 ||
      policy.backoff_window_occasions < 0) {
    throw std::invalid_argument("simulate_random_access: bad argument");
  }
  CounterRng rng(seed);
  RandomAccessResult r;
  // Retries scheduled per occasion; a retry beyond the horizon is counted as pending.
  std::vector<std::vector<Contender>> scheduled(static_cast<size_t>(occasions));
  std::vector<Contender> contenders;
  std::vector<uint32_t> choice;
  std::vector<int> count(static_cast<size_t>(preambles));

  for (int t = 0; t < occasions; ++t) {
    contenders.swap(scheduled[static_cast<size_t>(t)]);
    const int64_t fresh = rng.poisson(mean_arrivals_per_occasion);
    r.devices += fresh;
    for (int64_t i = 0; i < fresh; ++i) contenders.push_back(Contender{t, 0});

    std::fill(count.begin(), count.end(), 0);
    choice.resize(contenders.size());
    for (size_t i = 0; i < contenders.size(); ++i) {
      choice[i] = rng.below(static_cast<uint32_t>(preambles));
      ++count[choice[i]];
    }
    for (size_t i = 0; i < contenders.size(); ++i) {
      Contender c = contenders[i];
      ++c.attempts;
      ++r.attempts;
      if (count[choice[i]] == 1) {
        ++r.successful_attempts;
        ++r.devices_succeeded;
        const auto delay = static_cast<size_t>(t - c.first_occasion);
        if (r.delay_histogram_occasions.size() <= delay) r.delay_histogram_occasions.resize(delay + 1, 0);
        ++r.delay_histogram_occasions[delay];
      } else if (c.attempts >= policy.max_attempts) {
        ++r.devices_failed;
      } else {
        const int next =
            t + 1 + static_cast<int>(rng.below(static_cast<uint32_t>(policy.backoff_window_occasions) + 1));
        if (next < occasions) {
          scheduled[static_cast<size_t>(next)].push_back(c);
        } else {
          ++r.devices_pending;
        }
      }
    }
    contenders.clear();
  }
  r.success_fraction =
      r.attempts > 0 ? static_cast<double>(r.successful_attempts) / static_cast<double>(r.attempts) : 0.0;
  return r;
}

const char* to_string(PhaseKind kind) {
  switch (kind) {
    case PhaseKind::Idle:
      return "idle";
    case PhaseKind::Transmit:
      return "transmit";
    case PhaseKind::Receive:
      return "receive";
    case PhaseKind::Connected:
      return "connected";
  }
  return "?";
}

double UplinkProcedure::latency_s() const {
  double total = 0.0;
  for (const auto& p : phases) total += p.duration_s;
  return total;
}

double UplinkProcedure::time_in_s(PhaseKind kind) const {
  double total = 0.0;
  for (const auto& p : phases) {
    if (p.kind == kind) total += p.duration_s;
  }
  return total;
}

double nprach_wait_s(double now_s, double periodicity_s, double start_offset_s) {
  if (periodicity_s <= 0.0) throw std::invalid_argument("nprach_wait_s: periodicity must be > 0");
  const double since = std::fmod(now_s - start_offset_s, periodicity_s);
  const double phase = since < 0.0 ? since + periodicity_s : since;
  return phase == 0.0 ? 0.0 : periodicity_s - phase;
}

UplinkProcedure uplink_procedure(int payload_bytes, CeLevel ce, const NbiotCellConfig& cell,
                                 const UplinkProcedureParams& params) {
  const CeLevelConfig& level = cell.level(ce);
  const NpuschConfig& npusch = level.npusch;
  const double npdcch_s = level.npdcch_repetitions * kSubframeS;
  const double ru_s = resource_unit_duration_s(npusch.allocation);
  const NpuschPlan data = npusch_plan(payload_bytes, npusch);

  UplinkProcedure p;
  auto add = [&p](const char* name, PhaseKind kind, double duration_s) {
    p.phases.push_back(ProcedurePhase{name, kind, duration_s});
  };
  add("nprach_wait", PhaseKind::Idle, params.nprach_wait_s.value_or(level.nprach_periodicity_s / 2.0));
  add("preamble", PhaseKind::Transmit,
      nprach_preamble_duration_s(cell.nprach_format, level.nprach_repetitions));
  add("rar_window_offset", PhaseKind::Connected,
      level.nprach_repetitions >= 64 ? kRarWindowOffsetLongS : kRarWindowOffsetS);
  add("rar_npdcch", PhaseKind::Receive, npdcch_s);
  add("rar_npdsch_offset", PhaseKind::Connected, kNpdschAfterNpdcchS);
  add("rar_npdsch", PhaseKind::Receive, downlink_message_s(params.rar_bytes, level, "RAR"));
  add("msg3_offset", PhaseKind::Connected, kMsg3AfterRarS);
  // Each NPUSCH transmission longer than 256 ms is cut by 40 ms gaps (TS 36.211 10.1.3.6) in which the
  // device listens to the downlink to resynchronise: receive current, not transmit.
  const auto add_npusch = [&add](const char* name, const char* gaps_name, double transmit_s) {
    add(name, PhaseKind::Transmit, transmit_s);
    if (const double gaps = npusch_gaps_s(transmit_s); gaps > 0.0) add(gaps_name, PhaseKind::Receive, gaps);
  };
  add_npusch("msg3", "msg3_uplink_gaps", kMsg3ResourceUnits * ru_s * npusch.repetitions);
  add("msg4_npdcch", PhaseKind::Receive, npdcch_s);
  add("msg4_npdsch_offset", PhaseKind::Connected, kNpdschAfterNpdcchS);
  add("msg4_npdsch", PhaseKind::Receive, downlink_message_s(params.msg4_bytes, level, "Msg4"));
  add("msg4_ack_offset", PhaseKind::Connected, kAckAfterNpdschS);
  add_npusch("msg4_ack", "msg4_ack_uplink_gaps", npusch_ack_duration_s() * level.ack_repetitions);
  add("scheduling_delay", PhaseKind::Connected, params.scheduling_delay_s);
  for (const TransportBlock& block : data.blocks) {
    add("data_npdcch", PhaseKind::Receive, npdcch_s);
    add("data_offset", PhaseKind::Connected, kNpuschAfterDciS);
    add_npusch("data", "data_uplink_gaps", block.resource_units * ru_s * npusch.repetitions);
  }
  return p;
}

}  // namespace citytwin::models::radio
