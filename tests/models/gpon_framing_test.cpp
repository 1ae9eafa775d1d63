// Tests of the GPON payload capacity (models/fibre/gpon_framing.hpp) against the closed form written
// out here from the standards' numbers, not from the model's constants: a 125 us GTC frame of 19 440
// bytes at 1.24416 Gbit/s (G.984.3 clause 8), a burst-mode overhead of 12 bytes (G.984.2 Table I.1:
// guard 32 + preamble 44 + delimiter 20 bits), the 3-byte PLOu header, a 13-byte PLOAMu and a 2-byte
// DBRu per burst (G.984.3 clause 8.2), a 5-byte GEM header per frame plus one per continued fragment
// (clause 8.3): eta_up = (1 - N (12 + 3 + 13 + 2 + 5) / 19440) x L / (L + 5).
#include "models/fibre/gpon_framing.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace citytwin::models::fibre {
namespace {

constexpr double kUp = 1.24416e9, kDown = 2.48832e9;

double closed_form_up(int onus, double frame_bytes) {
  const double frame = 1.24416e9 * 125e-6 / 8.0;  // 19 440 bytes
  const double per_burst = 12.0 + 3.0 + 13.0 + 2.0 + 5.0;
  return (1.0 - onus * per_burst / frame) * frame_bytes / (frame_bytes + 5.0);
}

TEST(GponFraming, UpstreamFrameAndBurstOverhead) {
  EXPECT_DOUBLE_EQ(kUp * kGtcFrameS / 8.0, 19440.0);
  EXPECT_DOUBLE_EQ(kDown * kGtcFrameS / 8.0, 38880.0);
  EXPECT_DOUBLE_EQ(gpon_burst_mode_overhead_bits(kUp), 96.0);
  EXPECT_DOUBLE_EQ(gpon_burst_overhead_bytes(GponUpstream{}), 30.0);
  GponUpstream bare;
  bare.ploamu_every_burst = false;
  bare.dbru_every_burst = false;
  EXPECT_DOUBLE_EQ(gpon_burst_overhead_bytes(bare), 15.0);  // guard, preamble, delimiter, PLOu header
}

TEST(GponFraming, UpstreamEfficiencyOfLargeAndSmallFrames) {
  // 32 ONUs bursting every frame: 32 x 35 = 1120 of 19 440 bytes go to overheads, then 5 per frame.
  GponUpstream up;  // 1.24416 Gbit/s, 32 ONUs
  EXPECT_NEAR(gpon_upstream_efficiency(up, 1500.0), closed_form_up(32, 1500.0), 1e-12);
  EXPECT_NEAR(gpon_upstream_efficiency(up, 1500.0), 18320.0 / 19440.0 * 1500.0 / 1505.0, 1e-12);
  EXPECT_NEAR(gpon_upstream_efficiency(up, 1500.0), 0.939256, 1e-6);
  EXPECT_NEAR(gpon_upstream_efficiency(up, 50.0), 18320.0 / 19440.0 * 50.0 / 55.0, 1e-12);
  EXPECT_NEAR(gpon_upstream_efficiency(up, 50.0), 0.856715, 1e-6);
  EXPECT_NEAR(gpon_upstream_payload_bps(up, 1500.0), 1.168585e9, 1e3);
  // One ONU: the burst's overheads are nearly free, the GEM header is what is left.
  up.onus = 1;
  EXPECT_NEAR(gpon_upstream_efficiency(up, 1500.0), (1.0 - 35.0 / 19440.0) * 1500.0 / 1505.0, 1e-12);
  // The frames citytwin sends: forwarded copies of 250 B, CCTV video in 1518-byte Ethernet frames.
  for (const int onus : {1, 2, 3, 4, 32, 40, 64}) {
    up.onus = onus;
    EXPECT_NEAR(gpon_upstream_efficiency(up, 250.0), closed_form_up(onus, 250.0), 1e-12) << onus;
    EXPECT_NEAR(gpon_upstream_efficiency(up, 1518.0), closed_form_up(onus, 1518.0), 1e-12) << onus;
  }
  up.onus = 32;
  EXPECT_NEAR(gpon_upstream_efficiency(up, 250.0), 0.923909, 1e-6);
}

TEST(GponFraming, UpstreamWithoutPloamuAndDbruAndAtOtherRates) {
  GponUpstream bare;
  bare.ploamu_every_burst = false;
  bare.dbru_every_burst = false;
  EXPECT_NEAR(gpon_upstream_efficiency(bare, 1500.0), (1.0 - 32.0 * 20.0 / 19440.0) * 1500.0 / 1505.0, 1e-12);
  // 2.48832 Gbit/s up: 38 880-byte frames, 192 bits (24 bytes) of burst-mode overhead.
  GponUpstream fast;
  fast.line_rate_bps = 2.48832e9;
  EXPECT_DOUBLE_EQ(gpon_burst_mode_overhead_bits(2.48832e9), 192.0);
  EXPECT_NEAR(gpon_upstream_efficiency(fast, 1500.0),
              (1.0 - 32.0 * (24.0 + 3.0 + 13.0 + 2.0 + 5.0) / 38880.0) * 1500.0 / 1505.0, 1e-12);
  EXPECT_DOUBLE_EQ(gpon_burst_mode_overhead_bits(155.52e6), 32.0);
  EXPECT_DOUBLE_EQ(gpon_burst_mode_overhead_bits(622.08e6), 64.0);
  // Rates G.984.2 does not list take the nearest listed rate's overhead (by ratio).
  EXPECT_DOUBLE_EQ(gpon_burst_mode_overhead_bits(1e9), 96.0);
  EXPECT_DOUBLE_EQ(gpon_burst_mode_overhead_bits(2e9), 192.0);
  EXPECT_DOUBLE_EQ(gpon_burst_mode_overhead_bits(300e6), 32.0);
  EXPECT_DOUBLE_EQ(gpon_burst_mode_overhead_bits(10e9), 192.0);
}

TEST(GponFraming, DownstreamEfficiency) {
  // PCBd: 4 + 4 + 13 + 1 + 2 x 4 = 30 bytes and 8 per allocation; one continuation header per frame.
  EXPECT_NEAR(gpon_downstream_efficiency(kDown, 32, 1500.0),
              (1.0 - (30.0 + 256.0 + 5.0) / 38880.0) * 1500.0 / 1505.0, 1e-12);
  EXPECT_NEAR(gpon_downstream_efficiency(kDown, 32, 1500.0), 0.989218, 1e-6);
  EXPECT_NEAR(gpon_downstream_efficiency(kDown, 32, 50.0), 0.902287, 1e-6);
  EXPECT_NEAR(gpon_downstream_payload_bps(kDown, 1, 1500.0), kDown * (1.0 - 43.0 / 38880.0) * 1500.0 / 1505.0,
              1e-3);
}

TEST(GponFraming, BadInputIsRefused) {
  GponUpstream up;
  EXPECT_THROW(gpon_upstream_efficiency(up, 0.0), std::invalid_argument);
  up.onus = 0;
  EXPECT_THROW(gpon_upstream_efficiency(up, 1500.0), std::invalid_argument);
  // 555 bursts of 35 bytes fit in 19 440 bytes, 556 do not.
  up.onus = 555;
  EXPECT_GT(gpon_upstream_efficiency(up, 1500.0), 0.0);
  up.onus = 556;
  EXPECT_THROW(gpon_upstream_efficiency(up, 1500.0), std::invalid_argument);
  up.onus = 1;
  up.line_rate_bps = 0.0;
  EXPECT_THROW(gpon_upstream_efficiency(up, 1500.0), std::invalid_argument);
  EXPECT_THROW(gpon_downstream_efficiency(kDown, 0, 1500.0), std::invalid_argument);
  EXPECT_THROW(gpon_downstream_efficiency(1e3, 1, 1500.0), std::invalid_argument);  // 0.0156-byte frames
}

}  // namespace
}  // namespace citytwin::models::fibre
