// Tests of NB-IoT access: preamble contention against slotted-ALOHA theory (analytic and Monte-Carlo),
// and the uplink timeline against hand-computed cases and the Rel-13 latency target (TR 45.820: an
// exception report delivered within 10 s at 164 dB MCL).
#include "models/radio/nbiot_access.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace citytwin::models::radio {
namespace {

constexpr double kTimeTolS = 1e-9;

TEST(NbiotContention, TaggedDeviceAmongNContenders) {
  EXPECT_DOUBLE_EQ(preamble_success_probability(12, 1), 1.0);  // alone: always succeeds
  EXPECT_DOUBLE_EQ(preamble_success_probability(12, 2), 11.0 / 12.0);
  EXPECT_NEAR(preamble_success_probability(48, 10), std::pow(47.0 / 48.0, 9), 1e-15);
  EXPECT_DOUBLE_EQ(preamble_success_probability(1, 2), 0.0);
  EXPECT_THROW(preamble_success_probability(0, 1), std::invalid_argument);
}

TEST(NbiotContention, PoissonFormulaIsTheBinomialAveragedOverPoissonOthers) {
  // Seen from a tagged device the number of others is Poisson(lambda), so
  // sum_k e^-lambda lambda^k / k! (1 - 1/M)^k = exp(-lambda / M).
  for (int m : {12, 48}) {
    for (double lambda : {1.0, 6.0, 24.0}) {
      double sum = 0.0, term = std::exp(-lambda);
      for (int k = 0; k < 200; ++k) {
        sum += term * preamble_success_probability(m, k + 1);
        term *= lambda / (k + 1);
      }
      EXPECT_NEAR(sum, preamble_success_probability_poisson(m, lambda), 1e-12) << m << " " << lambda;
    }
  }
  EXPECT_NEAR(preamble_success_probability_poisson(12, 12.0), std::exp(-1.0), 1e-15);
}

TEST(NbiotContention, ThroughputPeaksAtOneArrivalPerPreamble) {
  // lambda e^{-lambda/M} is maximal at lambda = M, where it is M / e.
  EXPECT_NEAR(expected_successes_per_occasion(12, 12.0), 12.0 / std::exp(1.0), 1e-12);
  EXPECT_LT(expected_successes_per_occasion(12, 11.0), expected_successes_per_occasion(12, 12.0));
  EXPECT_LT(expected_successes_per_occasion(12, 13.0), expected_successes_per_occasion(12, 12.0));
}

// Monte-Carlo against exp(-lambda/M). With Poisson arrivals the preamble counts are independent
// Poisson(mu = lambda/M); the success fraction S/A over K occasions has, by the delta method,
// variance p (1 - p + p mu) / (K lambda) with p = exp(-mu). For K = 100000 the worst case here
// (M = 12, lambda = 1) gives a standard deviation of 0.0012, so 0.01 is over 8 sigma: a correct
// simulator fails with probability below 1e-15, and the fixed seeds make the outcome reproducible.
TEST(NbiotContention, MonteCarloMatchesSlottedAloha) {
  constexpr int kOccasions = 100000;
  uint64_t seed = 1;
  for (int m : {12, 48}) {
    for (double lambda : {1.0, 6.0, 24.0}) {
      const RandomAccessResult r = simulate_random_access(m, lambda, kOccasions, seed++);
      const double expected = preamble_success_probability_poisson(m, lambda);
      EXPECT_NEAR(r.success_fraction, expected, 0.01) << "M=" << m << " lambda=" << lambda;
      EXPECT_NEAR(static_cast<double>(r.attempts) / kOccasions, lambda, 0.05) << "arrival rate";
      EXPECT_EQ(r.attempts, r.devices);  // no retries: one attempt per device
      EXPECT_EQ(r.devices_succeeded + r.devices_failed, r.devices);
    }
  }
}

TEST(NbiotContention, SameSeedSameResultOtherSeedOtherResult) {
  const RetryPolicy retry{4, 8};
  const RandomAccessResult a = simulate_random_access(12, 6.0, 5000, 42, retry);
  const RandomAccessResult b = simulate_random_access(12, 6.0, 5000, 42, retry);
  EXPECT_EQ(a.attempts, b.attempts);
  EXPECT_EQ(a.successful_attempts, b.successful_attempts);
  EXPECT_EQ(a.delay_histogram_occasions, b.delay_histogram_occasions);
  const RandomAccessResult c = simulate_random_access(12, 6.0, 5000, 43, retry);
  EXPECT_NE(a.attempts, c.attempts);
}

TEST(NbiotContention, EmptyAndLightLoad) {
  const RandomAccessResult none = simulate_random_access(12, 0.0, 1000, 7);
  EXPECT_EQ(none.attempts, 0);
  EXPECT_DOUBLE_EQ(none.success_fraction, 0.0);
  EXPECT_DOUBLE_EQ(none.mean_delay_occasions(), 0.0);
  const RandomAccessResult light = simulate_random_access(48, 0.01, 100000, 7);
  EXPECT_GT(light.success_fraction, 0.99);
  EXPECT_THROW(simulate_random_access(0, 1.0, 10, 1), std::invalid_argument);
  EXPECT_THROW(simulate_random_access(12, 1.0, 10, 1, RetryPolicy{0, 0}), std::invalid_argument);
}

TEST(NbiotContention, RetriesWithBackoff) {
  // M = 12, lambda = 6, up to 4 attempts, backoff 1..9 occasions. Retries add load, so an attempt
  // succeeds less often than without them, while a device succeeds more often than a single attempt.
  const RetryPolicy retry{4, 8};
  const RandomAccessResult r = simulate_random_access(12, 6.0, 100000, 11, retry);
  EXPECT_EQ(r.devices_succeeded + r.devices_failed + r.devices_pending, r.devices);
  EXPECT_EQ(
      std::accumulate(r.delay_histogram_occasions.begin(), r.delay_histogram_occasions.end(), int64_t{0}),
      r.devices_succeeded);
  EXPECT_GT(r.attempts, r.devices);
  EXPECT_LT(r.success_fraction, preamble_success_probability_poisson(12, 6.0));
  EXPECT_GT(r.device_success_fraction(), preamble_success_probability_poisson(12, 6.0));
  EXPECT_GT(r.mean_delay_occasions(), 0.0);
  // Delays are 0 (first attempt) or at least 1 + 0 occasions per retry, at most 3 retries x 9 occasions.
  EXPECT_LE(r.delay_histogram_occasions.size(), 28u);
  // Uniform backoff keeps the total attempt stream close to Poisson: success ~ exp(-G/M) for the
  // measured attempt rate G.
  const double g = static_cast<double>(r.attempts) / 100000.0;
  EXPECT_NEAR(r.success_fraction, std::exp(-g / 12.0), 0.01);
}

TEST(NbiotContention, NoRetryMeansEveryDelayIsZero) {
  const RandomAccessResult r = simulate_random_access(12, 6.0, 10000, 5);
  ASSERT_EQ(r.delay_histogram_occasions.size(), 1u);
  EXPECT_EQ(r.delay_histogram_occasions[0], r.devices_succeeded);
  EXPECT_EQ(r.devices_pending, 0);
}

TEST(NbiotTimeline, WaitForTheNextNprachOccasion) {
  EXPECT_NEAR(nprach_wait_s(0.1, 0.64), 0.54, kTimeTolS);
  EXPECT_NEAR(nprach_wait_s(0.64, 0.64), 0.0, kTimeTolS);
  EXPECT_NEAR(nprach_wait_s(0.0, 0.64, 0.008), 0.008, kTimeTolS);
  EXPECT_NEAR(nprach_wait_s(1.0, 0.64, 0.128), 0.408, kTimeTolS);
  EXPECT_THROW(nprach_wait_s(0.0, 0.0), std::invalid_argument);
}

TEST(NbiotTimeline, Ce0TwentyBytesByHand) {
  // Mean NPRACH wait 320 ms; preamble 2 x 5.6 = 11.2; RAR offset 3, NPDCCH 8, offset 4, NPDSCH 3 (7 B at
  // I_TBS 0 = 3 subframes); Msg3 offset 12, Msg3 4 RU x 8 ms = 32; Msg4 NPDCCH 8, offset 4, NPDSCH 10
  // (32 B = 256 bits = 10 subframes); ACK offset 12, ACK 2 ms x 2; data grant NPDCCH 8, offset 8, data
  // 2 RU x 8 ms = 16. Total 463.2 ms, of which transmitting 11.2 + 32 + 4 + 16 = 63.2 ms.
  const UplinkProcedure p = uplink_procedure(20, CeLevel::Ce0, NbiotCellConfig{});
  EXPECT_NEAR(p.latency_s(), 0.4632, kTimeTolS);
  EXPECT_NEAR(p.time_in_s(PhaseKind::Transmit), 0.0632, kTimeTolS);
  EXPECT_NEAR(p.time_in_s(PhaseKind::Idle), 0.320, kTimeTolS);
  EXPECT_NEAR(p.time_in_s(PhaseKind::Receive), 0.008 + 0.003 + 0.008 + 0.010 + 0.008, kTimeTolS);
  EXPECT_STREQ(p.phases.front().name, "nprach_wait");
  EXPECT_STREQ(p.phases.back().name, "data");
  EXPECT_STREQ(to_string(PhaseKind::Connected), "connected");
}

TEST(NbiotTimeline, Ce2ExceptionReportMeetsTheRel13LatencyTarget) {
  // 105 bytes at CE2 (164 dB MCL): wait 0.32; preamble 32 x 5.6 ms = 0.1792; RAR 0.003 + 0.128 + 0.004 +
  // 3 x 32 ms = 0.231; Msg3 0.012 + 4 x 8 ms x 32 = 1.036; Msg4 0.128 + 0.004 + 10 x 32 ms = 0.452;
  // ACK 0.012 + 2 ms x 64 = 0.140; data, two blocks of 10 RUs: 2 x (0.128 + 0.008 + 10 x 8 ms x 32)
  // = 5.392. Without gaps 7.7502 s. The NPUSCH uplink gaps (TS 36.211 10.1.3.6, 40 ms after every 256 ms):
  // Msg3's 1.024 s has 3, each data block's 2.56 s has 9, the ACK's 128 ms none: 21 x 40 ms = 0.84 s.
  // Total 8.5902 s; with the worst NPRACH wait (a full 640 ms) 8.9102 s. Both < 10 s.
  const NbiotCellConfig cell;
  const UplinkProcedure mean_case = uplink_procedure(105, CeLevel::Ce2, cell);
  EXPECT_NEAR(mean_case.latency_s(), 8.5902, kTimeTolS);
  UplinkProcedureParams worst;
  worst.nprach_wait_s = 0.640;
  const UplinkProcedure worst_case = uplink_procedure(105, CeLevel::Ce2, cell, worst);
  EXPECT_NEAR(worst_case.latency_s(), 8.9102, kTimeTolS);
  EXPECT_LT(worst_case.latency_s(), 10.0);
  // The gaps are spent listening to the downlink, not transmitting.
  EXPECT_NEAR(mean_case.time_in_s(PhaseKind::Transmit), 0.1792 + 1.024 + 0.128 + 2 * 2.56, kTimeTolS);
  double gaps = 0.0;
  for (const auto& phase : mean_case.phases)
    if (std::string(phase.name).find("uplink_gaps") != std::string::npos) {
      EXPECT_EQ(phase.kind, PhaseKind::Receive);
      gaps += phase.duration_s;
    }
  EXPECT_NEAR(gaps, 0.84, kTimeTolS);
}

TEST(NbiotTimeline, ParametersShiftTheTimeline) {
  const NbiotCellConfig cell;
  UplinkProcedureParams slow;
  slow.scheduling_delay_s = 0.5;
  EXPECT_NEAR(uplink_procedure(20, CeLevel::Ce1, cell, slow).latency_s() -
                  uplink_procedure(20, CeLevel::Ce1, cell).latency_s(),
              0.5, kTimeTolS);
  // 128 preamble repetitions: one 40 ms NPRACH gap and a 41-subframe RAR offset instead of 3.
  NbiotCellConfig deep;
  deep.levels[2].nprach_repetitions = 128;
  EXPECT_NEAR(uplink_procedure(105, CeLevel::Ce2, deep).latency_s() -
                  uplink_procedure(105, CeLevel::Ce2, cell).latency_s(),
              (0.7568 - 0.1792) + (0.041 - 0.003), kTimeTolS);
  UplinkProcedureParams huge_msg4;
  huge_msg4.msg4_bytes = 100;  // 800 bits do not fit NPDSCH at I_TBS 0
  EXPECT_THROW(uplink_procedure(20, CeLevel::Ce0, cell, huge_msg4), std::invalid_argument);
}

}  // namespace
}  // namespace citytwin::models::radio
