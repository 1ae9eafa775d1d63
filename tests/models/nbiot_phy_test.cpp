// Tests of the NB-IoT physical layer: CE levels, NPUSCH resource units and transport blocks (TS 36.211
// Table 10.1.2.3-1, TS 36.213 Table 16.5.1.2-2), NPRACH preamble duration (TS 36.211 10.1.6) and the
// utilisation of the uplink carrier. Expected values are the standard's or computed by hand below.
#include "models/radio/nbiot_phy.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace citytwin::models::radio {
namespace {

constexpr double kTimeTolS = 1e-12;

TEST(NbiotCeLevel, ThresholdsAreInclusiveUpperBounds) {
  EXPECT_EQ(ce_level_for_coupling_loss(120.0), CeLevel::Ce0);
  EXPECT_EQ(ce_level_for_coupling_loss(144.0), CeLevel::Ce0);
  EXPECT_EQ(ce_level_for_coupling_loss(144.5), CeLevel::Ce1);
  EXPECT_EQ(ce_level_for_coupling_loss(154.0), CeLevel::Ce1);
  EXPECT_EQ(ce_level_for_coupling_loss(154.5), CeLevel::Ce2);
  EXPECT_EQ(ce_level_for_coupling_loss(164.0), CeLevel::Ce2);  // the Rel-13 MCL target is still covered
  EXPECT_FALSE(ce_level_for_coupling_loss(164.5).has_value());
}

TEST(NbiotCeLevel, CustomThresholdsAndNames) {
  const CeThresholds t{140.0, 150.0, 160.0};
  EXPECT_EQ(ce_level_for_coupling_loss(145.0, t), CeLevel::Ce1);
  EXPECT_FALSE(ce_level_for_coupling_loss(161.0, t).has_value());
  EXPECT_STREQ(to_string(CeLevel::Ce0), "CE0");
  EXPECT_STREQ(to_string(CeLevel::Ce2), "CE2");
}

TEST(NbiotNpusch, ResourceUnitDurationsFollowTs36211) {
  EXPECT_NEAR(resource_unit_duration_s(NpuschAllocation::SingleTone3k75), 0.032, kTimeTolS);
  EXPECT_NEAR(resource_unit_duration_s(NpuschAllocation::SingleTone15k), 0.008, kTimeTolS);
  EXPECT_NEAR(resource_unit_duration_s(NpuschAllocation::ThreeTone), 0.004, kTimeTolS);
  EXPECT_NEAR(resource_unit_duration_s(NpuschAllocation::SixTone), 0.002, kTimeTolS);
  EXPECT_NEAR(resource_unit_duration_s(NpuschAllocation::TwelveTone), 0.001, kTimeTolS);
}

TEST(NbiotNpusch, ToneMsPerResourceUnit) {
  // 16 slots for single tone (8 tone-ms at 15 kHz, 0.25 x 32 at 3.75 kHz); 12 tone-ms for multi-tone.
  EXPECT_DOUBLE_EQ(npusch_tone_ms(NpuschAllocation::SingleTone3k75, 1, 1), 8.0);
  EXPECT_DOUBLE_EQ(npusch_tone_ms(NpuschAllocation::SingleTone15k, 1, 1), 8.0);
  EXPECT_DOUBLE_EQ(npusch_tone_ms(NpuschAllocation::ThreeTone, 1, 1), 12.0);
  EXPECT_DOUBLE_EQ(npusch_tone_ms(NpuschAllocation::SixTone, 1, 1), 12.0);
  EXPECT_DOUBLE_EQ(npusch_tone_ms(NpuschAllocation::TwelveTone, 1, 1), 12.0);
  EXPECT_DOUBLE_EQ(npusch_tone_ms(NpuschAllocation::SingleTone15k, 10, 32), 2560.0);
}

TEST(NbiotNpusch, TbsTableCornersMatchTs36213) {
  EXPECT_EQ(npusch_tbs_bits(0, 0), 16);
  EXPECT_EQ(npusch_tbs_bits(0, 7), 256);
  EXPECT_EQ(npusch_tbs_bits(5, 7), 872);
  EXPECT_EQ(npusch_tbs_bits(6, 7), 1000);
  EXPECT_EQ(npusch_tbs_bits(7, 6), 1000);
  EXPECT_EQ(npusch_tbs_bits(7, 7), 0);  // empty: above the Rel-13 maximum
  EXPECT_EQ(npusch_tbs_bits(10, 5), 1000);
  EXPECT_EQ(npusch_tbs_bits(12, 0), 208);
  EXPECT_EQ(npusch_tbs_bits(12, 3), 1000);
  EXPECT_EQ(npusch_tbs_bits(12, 4), 0);
  EXPECT_THROW(npusch_tbs_bits(13, 0), std::out_of_range);
  EXPECT_THROW(npusch_tbs_bits(0, 8), std::out_of_range);
  EXPECT_EQ(max_npusch_i_tbs(NpuschAllocation::SingleTone15k), 10);
  EXPECT_EQ(max_npusch_i_tbs(NpuschAllocation::TwelveTone), 12);
}

TEST(NbiotNpusch, TbsGrowsWithIndexAndResourceUnitsUpTo1000Bits) {
  for (int i_tbs = 0; i_tbs < 13; ++i_tbs) {
    for (int i_ru = 0; i_ru < 8; ++i_ru) {
      const int tbs = npusch_tbs_bits(i_tbs, i_ru);
      if (tbs == 0) continue;
      EXPECT_LE(tbs, 1000);
      if (i_ru > 0) {
        EXPECT_GT(tbs, npusch_tbs_bits(i_tbs, i_ru - 1)) << i_tbs << "," << i_ru;
      }
      if (i_tbs > 0) {
        EXPECT_GT(tbs, npusch_tbs_bits(i_tbs - 1, i_ru)) << i_tbs << "," << i_ru;
      }
    }
  }
}

TEST(NbiotNpdsch, SubframesForRarAndLimits) {
  // A 7-byte RAR at I_TBS 0: 16, 32, 56 bits in 1, 2, 3 subframes -> 3.
  EXPECT_EQ(npdsch_subframes(56, 0), 3);
  EXPECT_EQ(npdsch_subframes(57, 0), 4);
  EXPECT_EQ(npdsch_subframes(256, 0), 10);
  EXPECT_FALSE(npdsch_subframes(257, 0).has_value());
  EXPECT_EQ(npdsch_subframes(680, 4), 10);  // the Rel-13 NPDSCH maximum
  EXPECT_FALSE(npdsch_subframes(681, 12).has_value());
}

TEST(NbiotNpusch, SmallestBlockPicksFewestResourceUnits) {
  const auto b = smallest_npusch_block(100, 2);  // row 2: 32, 72, 144, ... -> 144 bits on 3 RUs
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->i_ru, 2);
  EXPECT_EQ(b->resource_units, 3);
  EXPECT_EQ(b->tbs_bits, 144);
  const auto msg3 = smallest_npusch_block(88, 0);  // Msg3's 88 bits at I_TBS 0: 4 RUs
  ASSERT_TRUE(msg3.has_value());
  EXPECT_EQ(msg3->resource_units, 4);
  EXPECT_FALSE(smallest_npusch_block(425, 2).has_value());  // row 2 tops out at 424
}

TEST(NbiotNpusch, PlanOf105BytesAtCe2Defaults) {
  // 840 bits at I_TBS 2 (max 424 bits on 10 RUs): 424 + 416 -> two blocks of 424 bits, 20 RUs.
  // Airtime: 20 RU x 8 ms x 32 repetitions = 5.12 s.
  const NpuschConfig ce2 = default_ce_levels()[2].npusch;
  const NpuschPlan plan = npusch_plan(105, ce2);
  ASSERT_EQ(plan.blocks.size(), 2u);
  EXPECT_EQ(plan.blocks[0].tbs_bits, 424);
  EXPECT_EQ(plan.blocks[1].tbs_bits, 424);
  EXPECT_EQ(plan.resource_units, 20);
  EXPECT_NEAR(plan.airtime_s, 5.12, kTimeTolS);
  // Each block, 10 RU x 8 ms x 32 = 2.56 s, is ten 256 ms stretches: nine 40 ms gaps (TS 36.211 10.1.3.6).
  EXPECT_NEAR(plan.span_s, 5.12 + 2 * 9 * 0.040, kTimeTolS);
}

TEST(NbiotNpusch, UplinkGapsEvery256Ms) {
  // TS 36.211 10.1.3.6: a 40 ms gap after every 256 ms of transmission that more transmission follows.
  EXPECT_DOUBLE_EQ(npusch_span_s(0.0), 0.0);
  EXPECT_DOUBLE_EQ(npusch_span_s(0.128), 0.128);
  EXPECT_DOUBLE_EQ(npusch_span_s(0.256), 0.256);  // exactly one stretch: nothing follows it
  EXPECT_NEAR(npusch_span_s(0.264), 0.304, kTimeTolS);
  EXPECT_NEAR(npusch_span_s(8 * 0.008 * 8), 0.552, kTimeTolS);  // 512 ms summed from RUs: one gap
  EXPECT_NEAR(npusch_gaps_s(1.024), 0.120, kTimeTolS);
  // A plan of one short block has no gap: its span is its airtime.
  const NpuschPlan short_plan = npusch_plan(20, NpuschConfig{NpuschAllocation::SingleTone15k, 10, 8});
  EXPECT_DOUBLE_EQ(short_plan.span_s, short_plan.airtime_s);
}

TEST(NbiotNpusch, PeakMultiToneBlockAndSlowestSingleTone) {
  // 12 tones, I_TBS 12: 1000 bits on 4 RUs of 1 ms -> 4 ms, i.e. 250 kb/s, the Rel-13 uplink peak.
  const NpuschConfig fast{NpuschAllocation::TwelveTone, 12, 1};
  const NpuschPlan plan = npusch_plan(125, fast);
  ASSERT_EQ(plan.blocks.size(), 1u);
  EXPECT_EQ(plan.blocks[0].tbs_bits, 1000);
  EXPECT_NEAR(plan.airtime_s, 0.004, kTimeTolS);
  EXPECT_NEAR(1000 / plan.airtime_s, 250e3, 1e-6);
  // 3.75 kHz single tone, I_TBS 10: 80 bits fit the first cell (144 bits, 1 RU of 32 ms).
  EXPECT_NEAR(npusch_airtime_s(10, NpuschConfig{NpuschAllocation::SingleTone3k75, 10, 1}), 0.032, kTimeTolS);
  // 15 kHz single tone, I_TBS 10, 20 bytes: 160 bits -> 328 bits on 2 RUs -> 16 ms; x 8 repetitions.
  EXPECT_NEAR(npusch_airtime_s(20, NpuschConfig{NpuschAllocation::SingleTone15k, 10, 8}), 0.128, kTimeTolS);
}

// TS 36.101 Table A.2.4-1, the reference channels for UE category NB1 (one repetition each): payload,
// resource units and transmission time. 3.75 kHz and 15 kHz single tone, I_TBS 0: 32 bits on 2 RUs, 64 and
// 16 ms; I_TBS 3: 40 bits on 1 RU, 32 and 8 ms; 3, 6 and 12 tones, I_TBS 5: 72 bits on 1 RU, 4, 2, 1 ms.
TEST(NbiotNpusch, ReferenceChannelsOfTs36101) {
  struct Channel {
    NpuschAllocation allocation;
    int i_tbs, bits, resource_units;
    double tx_time_s;
  };
  const Channel channels[] = {{NpuschAllocation::SingleTone3k75, 0, 32, 2, 0.064},
                              {NpuschAllocation::SingleTone3k75, 3, 40, 1, 0.032},
                              {NpuschAllocation::SingleTone15k, 0, 32, 2, 0.016},
                              {NpuschAllocation::SingleTone15k, 3, 40, 1, 0.008},
                              {NpuschAllocation::ThreeTone, 5, 72, 1, 0.004},
                              {NpuschAllocation::SixTone, 5, 72, 1, 0.002},
                              {NpuschAllocation::TwelveTone, 5, 72, 1, 0.001}};
  for (const Channel& c : channels) {
    const NpuschPlan plan = npusch_plan(c.bits / 8, NpuschConfig{c.allocation, c.i_tbs, 1});
    ASSERT_EQ(plan.blocks.size(), 1u);
    EXPECT_EQ(plan.blocks[0].tbs_bits, c.bits) << c.i_tbs;
    EXPECT_EQ(plan.resource_units, c.resource_units) << c.i_tbs;
    EXPECT_NEAR(plan.airtime_s, c.tx_time_s, kTimeTolS) << c.i_tbs;
  }
}

// No default level sends faster than Shannon allows at its largest coupling loss: a full block of its
// I_TBS row against B log2(1 + SNR) of its allocation's bandwidth B, SNR = 23 dBm - MCL - (-174 dBm/Hz +
// 10 log10 B + 3 dB noise figure), one receive antenna. At 144 / 154 / 164 dB on one 15 kHz tone: 44.1,
// 11.1 and 1.40 kbit/s; the defaults send 1000 bits in 6 x 8 ms (20.8 kbit/s), 1000 bits in 8 x 8 ms x 8
// (1.95 kbit/s) and 424 bits in 10 x 8 ms x 32 (166 bit/s): 47, 18 and 12 % of the bound.
TEST(NbiotCell, DefaultDataRatesAreBelowShannonAtEachLevelsCouplingLoss) {
  const auto levels = default_ce_levels();
  const double mcl_db[] = {144.0, 154.0, 164.0};
  const double rate_bps[] = {1000.0 / 0.048, 1000.0 / 0.512, 424.0 / 2.56};
  const double capacity_bps[] = {44079.0, 11054.5, 1396.6};
  for (size_t i = 0; i < 3; ++i) {
    const NpuschConfig& npusch = levels[i].npusch;
    ASSERT_EQ(npusch.allocation, NpuschAllocation::SingleTone15k);
    const double bandwidth_hz = 15e3;
    const double snr_db = 23.0 - mcl_db[i] - (-174.0 + 10.0 * std::log10(bandwidth_hz) + 3.0);
    const double capacity = bandwidth_hz * std::log2(1.0 + std::pow(10.0, snr_db / 10.0));
    EXPECT_NEAR(capacity, capacity_bps[i], 0.5) << i;
    // The row's largest block, as npusch_plan sends a long payload.
    const NpuschPlan plan = npusch_plan(125, npusch);
    const double seconds =
        plan.blocks[0].resource_units * resource_unit_duration_s(npusch.allocation) * npusch.repetitions;
    const double rate = plan.blocks[0].tbs_bits / seconds;
    EXPECT_NEAR(rate, rate_bps[i], 1e-6) << i;
    EXPECT_LT(rate, capacity) << i;
  }
}

TEST(NbiotNpusch, RejectsBadConfigurations) {
  EXPECT_THROW(npusch_plan(10, NpuschConfig{NpuschAllocation::SingleTone15k, 11, 1}), std::invalid_argument);
  EXPECT_THROW(npusch_plan(10, NpuschConfig{NpuschAllocation::TwelveTone, 13, 1}), std::invalid_argument);
  EXPECT_THROW(npusch_plan(10, NpuschConfig{NpuschAllocation::SingleTone15k, 5, 3}), std::invalid_argument);
  EXPECT_THROW(npusch_plan(-1, NpuschConfig{}), std::invalid_argument);
  EXPECT_EQ(npusch_plan(0, NpuschConfig{}).blocks.size(), 1u);  // an empty message still takes a block
}

TEST(NbiotNprach, PreambleDurationsFromTs36211) {
  // 4 x (CP + 5 x 266.67 us): format 0 CP 66.67 us -> 5.6 ms; format 1 CP 266.67 us -> 6.4 ms.
  EXPECT_NEAR(nprach_repetition_duration_s(NprachFormat::Format0), 0.0056, 1e-12);
  EXPECT_NEAR(nprach_repetition_duration_s(NprachFormat::Format1), 0.0064, 1e-12);
  EXPECT_NEAR(nprach_preamble_duration_s(NprachFormat::Format0, 32), 0.1792, 1e-12);
  EXPECT_NEAR(nprach_preamble_duration_s(NprachFormat::Format0, 64), 0.3584, 1e-12);  // no gap yet
  // 128 repetitions: one 40 ms gap after the first 64.
  EXPECT_NEAR(nprach_preamble_duration_s(NprachFormat::Format0, 128), 0.7168 + 0.040, 1e-12);
  EXPECT_THROW(nprach_preamble_duration_s(NprachFormat::Format0, 3), std::invalid_argument);
}

TEST(NbiotNprach, ParameterRangesOfTs36331) {
  for (int r : {1, 2, 4, 8, 16, 32, 64, 128}) EXPECT_TRUE(is_valid_repetition_count(r)) << r;
  for (int r : {0, 3, 6, 256}) EXPECT_FALSE(is_valid_repetition_count(r)) << r;
  for (double p : {0.04, 0.08, 0.16, 0.24, 0.32, 0.64, 1.28, 2.56})
    EXPECT_TRUE(is_valid_nprach_periodicity_s(p));
  EXPECT_FALSE(is_valid_nprach_periodicity_s(0.5));
  for (int n : {12, 24, 36, 48}) EXPECT_TRUE(is_valid_nprach_subcarriers(n));
  EXPECT_FALSE(is_valid_nprach_subcarriers(16));
}

TEST(NbiotCell, DefaultsAreTheCommercialSib2AndValid) {
  const auto levels = default_ce_levels();
  const int nprach[] = {2, 8, 32}, npdcch[] = {8, 16, 128}, ack[] = {2, 8, 64}, reps[] = {1, 8, 32};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(levels[i].nprach_repetitions, nprach[i]);
    EXPECT_DOUBLE_EQ(levels[i].nprach_periodicity_s, 0.640);
    EXPECT_EQ(levels[i].nprach_subcarriers, 12);
    EXPECT_EQ(levels[i].npdcch_repetitions, npdcch[i]);
    EXPECT_EQ(levels[i].ack_repetitions, ack[i]);
    EXPECT_EQ(levels[i].npusch.repetitions, reps[i]);
  }
  EXPECT_NO_THROW(validate(NbiotCellConfig{}));
}

TEST(NbiotCell, ValidationNamesTheBadField) {
  NbiotCellConfig cell;
  cell.levels[1].nprach_periodicity_s = 0.5;
  try {
    validate(cell);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("levels[1].nprach_periodicity_s"), std::string::npos) << e.what();
  }
  NbiotCellConfig bad_reps;
  bad_reps.levels[2].ack_repetitions = 5;
  EXPECT_THROW(validate(bad_reps), std::invalid_argument);
  NbiotCellConfig bad_thresholds;
  bad_thresholds.thresholds.ce1_max_coupling_loss_db = 140.0;
  EXPECT_THROW(validate(bad_thresholds), std::invalid_argument);
}

TEST(NbiotCapacity, NprachReservationOfTheDefaults) {
  // 12 subcarriers of 3.75 kHz = 3 tones of 15 kHz, busy for the preamble every 640 ms:
  // CE0 3 x 11.2 / 0.64 = 52.5, CE1 3 x 44.8 / 0.64 = 210, CE2 3 x 179.2 / 0.64 = 840 tone-ms/s.
  EXPECT_NEAR(nprach_reserved_tone_ms_per_s(NbiotCellConfig{}), 1102.5, 1e-9);
  const UplinkUtilisation idle = uplink_utilisation({}, NbiotCellConfig{});
  EXPECT_DOUBLE_EQ(idle.available_tone_ms_per_s, 12000.0);
  EXPECT_NEAR(idle.utilisation, 1102.5 / 12000.0, 1e-12);
  EXPECT_FALSE(idle.saturated());
}

TEST(NbiotCapacity, MessageDemandByHand) {
  // CE0, 20 bytes, single tone at 15 kHz (8 tone-ms per RU), 1 repetition:
  // Msg3 4 RU = 32; ACK 2 ms x 2 repetitions = 4; data 160 bits -> 328 bits on 2 RUs = 16. Total 52.
  const NbiotCellConfig cell;
  EXPECT_NEAR(message_uplink_tone_ms(20, cell.level(CeLevel::Ce0)), 52.0, 1e-9);
  // CE2, 105 bytes: Msg3 4 x 8 x 32 = 1024; ACK 2 x 64 = 128; data 20 x 8 x 32 = 5120. Total 6272.
  EXPECT_NEAR(message_uplink_tone_ms(105, cell.level(CeLevel::Ce2)), 6272.0, 1e-9);
  const UplinkUtilisation u = uplink_utilisation({{CeLevel::Ce0, 100.0, 20}}, cell);
  EXPECT_NEAR(u.data_tone_ms_per_s[0], 5200.0, 1e-9);
  EXPECT_NEAR(u.utilisation, (5200.0 + 1102.5) / 12000.0, 1e-12);
}

TEST(NbiotCapacity, DeepCoverageTrafficSaturatesTheCarrier) {
  // CE2 at 6272 tone-ms per 105-byte message: (12000 - 1102.5) / 6272 = 1.7375 messages/s fill it.
  const NbiotCellConfig cell;
  const UplinkUtilisation below = uplink_utilisation({{CeLevel::Ce2, 1.7, 105}}, cell);
  EXPECT_LT(below.utilisation, 1.0);
  const UplinkUtilisation above =
      uplink_utilisation({{CeLevel::Ce2, 2.0, 105}, {CeLevel::Ce0, 0.0, 20}}, cell);
  EXPECT_NEAR(above.utilisation, (2.0 * 6272.0 + 1102.5) / 12000.0, 1e-12);
  EXPECT_TRUE(above.saturated());
  EXPECT_THROW(uplink_utilisation({{CeLevel::Ce1, -1.0, 10}}, cell), std::invalid_argument);
}

}  // namespace
}  // namespace citytwin::models::radio
