// Tests of the LoRa time-on-air model against published and hand-computed values.
//
// Formula (Semtech SX1276 datasheet rev. 7, section 4.1.1.6; AN1200.13):
//   T_sym     = 2^SF / BW
//   T_pream   = (n_preamble + 4.25) T_sym
//   n_payload = 8 + max(ceil((8 PL - 4 SF + 28 + 16 CRC - 20 IH) / (4 (SF - 2 DE))) (CR + 4), 0)
//   T_air     = T_pream + n_payload T_sym
#include "models/radio/lora_phy.hpp"

#include <gtest/gtest.h>

#include <array>

namespace citytwin::models::radio {
namespace {

// Time values in the tests are exact multiples of a microsecond; 1 ns is far below any rounding
// the formula could hide.
constexpr double kTimeTolS = 1e-9;

constexpr std::array<double, 3> kBandwidthsHz = {125e3, 250e3, 500e3};

LoraPhyParams phy(int sf, double bw_hz, int cr, int preamble, bool explicit_header, bool crc, bool ldro) {
  LoraPhyParams p;
  p.spreading_factor = sf;
  p.bandwidth_hz = bw_hz;
  p.coding_rate = cr;
  p.preamble_symbols = preamble;
  p.explicit_header = explicit_header;
  p.crc = crc;
  p.low_data_rate_optimize = ldro;
  return p;
}

// --- Acceptance values: the ns-3 lorawan module's TimeOnAirTest (lorawan-test-suite.cc) -----------

TEST(LoraTimeOnAir, Sf7TenBytesExplicitHeaderMatchesNs3) {
  // 10 B, SF7, 125 kHz, CR 4/5, explicit header, preamble 8, CRC on, LDRO off.
  // num = 80 - 28 + 28 + 16 - 0 = 96; den = 4 * 7 = 28; ceil(3.43) = 4; n_payload = 8 + 4 * 5 = 28.
  // T_sym = 128 / 125000 = 1.024 ms; T_air = (8 + 4.25 + 28) * 1.024 ms = 40.25 * 1.024 = 41.216 ms.
  const LoraPhyParams p = phy(7, 125e3, 1, 8, true, true, false);
  EXPECT_EQ(payload_symbols(10, p), 28);
  EXPECT_NEAR(time_on_air_s(10, p), 0.041216, kTimeTolS);
}

TEST(LoraTimeOnAir, Sf10ImplicitHeaderLdroMatchesNs3) {
  // 10 B, SF10, 125 kHz, CR 4/6, implicit header, preamble 10, CRC on, LDRO on.
  // num = 80 - 40 + 28 + 16 - 20 = 64; den = 4 * (10 - 2) = 32; ceil(2) = 2; n_payload = 8 + 2 * 6 = 20.
  // T_sym = 1024 / 125000 = 8.192 ms; T_air = (10 + 4.25 + 20) * 8.192 ms = 34.25 * 8.192 = 280.576 ms.
  const LoraPhyParams p = phy(10, 125e3, 2, 10, false, true, true);
  EXPECT_EQ(payload_symbols(10, p), 20);
  EXPECT_NEAR(time_on_air_s(10, p), 0.280576, kTimeTolS);
}

TEST(LoraTimeOnAir, Sf12FiftyBytesLdroMatchesNs3) {
  // 50 B, SF12, 125 kHz, CR 4/5, explicit header, preamble 8, CRC on, LDRO on.
  // num = 400 - 48 + 28 + 16 - 0 = 396; den = 4 * (12 - 2) = 40; ceil(9.9) = 10; n_payload = 8 + 50 = 58.
  // T_sym = 4096 / 125000 = 32.768 ms; T_air = (8 + 4.25 + 58) * 32.768 ms = 70.25 * 32.768 = 2301.952 ms.
  const LoraPhyParams p = phy(12, 125e3, 1, 8, true, true, true);
  EXPECT_EQ(payload_symbols(50, p), 58);
  EXPECT_NEAR(time_on_air_s(50, p), 2.301952, kTimeTolS);
}

// --- Further cases computed by hand from the formula -------------------------------------------

TEST(LoraTimeOnAir, Sf9At250kHzCodingRate47ByHand) {
  // 20 B, SF9, 250 kHz, CR 4/7, explicit, preamble 8, CRC on, LDRO off.
  // num = 160 - 36 + 28 + 16 = 168; den = 4 * 9 = 36; ceil(4.67) = 5; n_payload = 8 + 5 * 7 = 43.
  // T_sym = 512 / 250000 = 2.048 ms; T_air = (12.25 + 43) * 2.048 ms = 55.25 * 2.048 = 113.152 ms.
  const LoraPhyParams p = phy(9, 250e3, 3, 8, true, true, false);
  EXPECT_EQ(payload_symbols(20, p), 43);
  EXPECT_NEAR(time_on_air_s(20, p), 0.113152, kTimeTolS);
}

TEST(LoraTimeOnAir, Sf12At250kHzWithLdroByHand) {
  // 20 B, SF12, 250 kHz, CR 4/5, explicit, preamble 8, CRC on, LDRO on (T_sym = 16.384 ms > 16 ms).
  // num = 160 - 48 + 28 + 16 = 156; den = 4 * (12 - 2) = 40; ceil(3.9) = 4; n_payload = 8 + 4 * 5 = 28.
  // T_sym = 4096 / 250000 = 16.384 ms; T_air = (12.25 + 28) * 16.384 ms = 40.25 * 16.384 = 659.456 ms.
  const LoraPhyParams p = phy(12, 250e3, 1, 8, true, true, true);
  EXPECT_EQ(payload_symbols(20, p), 28);
  EXPECT_NEAR(time_on_air_s(20, p), 0.659456, kTimeTolS);
}

TEST(LoraTimeOnAir, Sf12At500kHzWithoutLdroByHand) {
  // 10 B, SF12, 500 kHz, CR 4/5, explicit, preamble 8, CRC on, LDRO off (T_sym = 8.192 ms).
  // num = 80 - 48 + 28 + 16 = 76; den = 4 * 12 = 48; ceil(1.58) = 2; n_payload = 8 + 2 * 5 = 18.
  // T_air = (12.25 + 18) * 8.192 ms = 30.25 * 8.192 = 247.808 ms.
  const LoraPhyParams p = phy(12, 500e3, 1, 8, true, true, false);
  EXPECT_EQ(payload_symbols(10, p), 18);
  EXPECT_NEAR(time_on_air_s(10, p), 0.247808, kTimeTolS);
}

TEST(LoraTimeOnAir, NegativeCeilingIsClampedToZero) {
  // 0 B, SF12, 125 kHz, CR 4/5, implicit header, CRC off, LDRO on, preamble 8.
  // num = 0 - 48 + 28 + 0 - 20 = -40; den = 4 * (12 - 2) = 40; ceil(-1) = -1; -1 * 5 = -5;
  // max(-5, 0) = 0, so n_payload = 8 (without the clamp it would be 3).
  // T_air = (12.25 + 8) * 32.768 ms = 20.25 * 32.768 = 663.552 ms (unclamped: 15.25 * 32.768 = 499.712 ms).
  const LoraPhyParams p = phy(12, 125e3, 1, 8, false, false, true);
  EXPECT_EQ(payload_symbols(0, p), 8);
  EXPECT_NEAR(time_on_air_s(0, p), 0.663552, kTimeTolS);

  // Same at SF11: num = -44 + 28 - 20 = -36; den = 4 * (11 - 2) = 36; ceil(-1) = -1 -> clamped, 8.
  // T_air = 20.25 * 16.384 ms = 331.776 ms.
  const LoraPhyParams p11 = phy(11, 125e3, 1, 8, false, false, true);
  EXPECT_EQ(payload_symbols(0, p11), 8);
  EXPECT_NEAR(time_on_air_s(0, p11), 0.331776, kTimeTolS);
}

TEST(LoraTimeOnAir, NegativeNumeratorWithZeroCeiling) {
  // 1 B, SF12, 125 kHz, implicit header, CRC off, LDRO off: num = 8 - 48 + 28 - 20 = -32; den = 48;
  // ceil(-0.67) = 0 (not -1): n_payload = 8. T_air = 20.25 * 32.768 ms = 663.552 ms.
  const LoraPhyParams p = phy(12, 125e3, 1, 8, false, false, false);
  EXPECT_EQ(payload_symbols(1, p), 8);
  EXPECT_NEAR(time_on_air_s(1, p), 0.663552, kTimeTolS);
}

TEST(LoraTimeOnAir, CeilingOfExactQuotientDoesNotRoundUp) {
  // SF7, explicit, CRC on, LDRO off, CR 4/5: num = 8 PL + 16, den = 28.
  // PL = 5: num = 56 = 2 * 28 -> ceil(2) = 2 -> 8 + 10 = 18 symbols.
  // PL = 6: num = 64 -> ceil(2.29) = 3 -> 8 + 15 = 23 symbols.
  const LoraPhyParams p = phy(7, 125e3, 1, 8, true, true, false);
  EXPECT_EQ(payload_symbols(5, p), 18);
  EXPECT_EQ(payload_symbols(6, p), 23);
}

// --- Symbol time and low-data-rate optimisation ------------------------------------------------

TEST(LoraSymbolTime, IsTwoToTheSfOverBandwidth) {
  // 2^SF / BW by hand: 128 / 125 kHz = 1.024 ms ... 4096 / 500 kHz = 8.192 ms.
  EXPECT_NEAR(symbol_time_s(7, 125e3), 1.024e-3, kTimeTolS);
  EXPECT_NEAR(symbol_time_s(8, 125e3), 2.048e-3, kTimeTolS);
  EXPECT_NEAR(symbol_time_s(9, 125e3), 4.096e-3, kTimeTolS);
  EXPECT_NEAR(symbol_time_s(10, 125e3), 8.192e-3, kTimeTolS);
  EXPECT_NEAR(symbol_time_s(11, 125e3), 16.384e-3, kTimeTolS);
  EXPECT_NEAR(symbol_time_s(12, 125e3), 32.768e-3, kTimeTolS);
  EXPECT_NEAR(symbol_time_s(7, 250e3), 0.512e-3, kTimeTolS);
  EXPECT_NEAR(symbol_time_s(12, 250e3), 16.384e-3, kTimeTolS);
  EXPECT_NEAR(symbol_time_s(7, 500e3), 0.256e-3, kTimeTolS);
  EXPECT_NEAR(symbol_time_s(12, 500e3), 8.192e-3, kTimeTolS);
}

TEST(LoraSymbolTime, DoublesPerSfAndHalvesPerBandwidthDoubling) {
  for (int sf = 7; sf < 12; ++sf) {
    for (double bw : kBandwidthsHz) {
      EXPECT_DOUBLE_EQ(symbol_time_s(sf + 1, bw), 2.0 * symbol_time_s(sf, bw)) << "SF" << sf << " " << bw;
    }
    EXPECT_DOUBLE_EQ(symbol_time_s(sf, 250e3), 0.5 * symbol_time_s(sf, 125e3));
    EXPECT_DOUBLE_EQ(symbol_time_s(sf, 500e3), 0.5 * symbol_time_s(sf, 250e3));
  }
}

TEST(LoraLowDataRateOptimize, RequiredExactlyForSf11And12At125kHzAndSf12At250kHz) {
  for (int sf = 7; sf <= 12; ++sf) {
    for (double bw : kBandwidthsHz) {
      const bool expected = (bw == 125e3 && sf >= 11) || (bw == 250e3 && sf == 12);
      EXPECT_EQ(low_data_rate_optimize_required(sf, bw), expected) << "SF" << sf << " at " << bw << " Hz";
    }
  }
}

TEST(LoraTimeOnAir, PreambleAddsOneSymbolTimePerSymbol) {
  for (int sf = 7; sf <= 12; ++sf) {
    LoraPhyParams p = phy(sf, 125e3, 1, 8, true, true, low_data_rate_optimize_required(sf, 125e3));
    const double base = time_on_air_s(20, p);
    p.preamble_symbols = 10;
    EXPECT_NEAR(time_on_air_s(20, p) - base, 2.0 * symbol_time_s(sf, 125e3), kTimeTolS) << "SF" << sf;
  }
}

// --- Monotonicity ------------------------------------------------------------------------------

TEST(LoraTimeOnAir, NonDecreasingInPayload) {
  for (int sf = 7; sf <= 12; ++sf) {
    for (double bw : kBandwidthsHz) {
      for (int cr = 1; cr <= 4; ++cr) {
        for (bool explicit_header : {false, true}) {
          for (bool crc : {false, true}) {
            const LoraPhyParams p =
                phy(sf, bw, cr, 8, explicit_header, crc, low_data_rate_optimize_required(sf, bw));
            for (int pl = 0; pl < 255; ++pl) {
              ASSERT_LE(time_on_air_s(pl, p), time_on_air_s(pl + 1, p))
                  << "SF" << sf << " bw " << bw << " CR 4/" << cr + 4 << " PL " << pl;
            }
            // SF more bytes add 8 SF bits, at least two blocks of 4 (SF - 2 DE) bits: strictly longer.
            EXPECT_LT(time_on_air_s(10, p), time_on_air_s(10 + sf, p)) << "SF" << sf << " bw " << bw;
            EXPECT_LT(time_on_air_s(0, p), time_on_air_s(255, p));
          }
        }
      }
    }
  }
}

TEST(LoraTimeOnAir, StrictlyIncreasingInSpreadingFactor) {
  for (double bw : kBandwidthsHz) {
    for (int pl : {0, 1, 10, 51, 222, 255}) {
      for (int sf = 7; sf < 12; ++sf) {
        // LDRO as the regional parameters set it, and with LDRO held fixed.
        const LoraPhyParams lo = phy(sf, bw, 1, 8, true, true, low_data_rate_optimize_required(sf, bw));
        const LoraPhyParams hi =
            phy(sf + 1, bw, 1, 8, true, true, low_data_rate_optimize_required(sf + 1, bw));
        EXPECT_LT(time_on_air_s(pl, lo), time_on_air_s(pl, hi)) << "SF" << sf << " PL " << pl << " bw " << bw;
        for (bool ldro : {false, true}) {
          EXPECT_LT(time_on_air_s(pl, phy(sf, bw, 1, 8, true, true, ldro)),
                    time_on_air_s(pl, phy(sf + 1, bw, 1, 8, true, true, ldro)))
              << "SF" << sf << " PL " << pl << " ldro " << ldro;
        }
      }
    }
  }
}

TEST(LoraTimeOnAir, HeaderCrcAndCodingRateNeverShortenTheFrame) {
  for (int sf = 7; sf <= 12; ++sf) {
    for (int pl : {0, 1, 10, 51, 222}) {
      const bool ldro = low_data_rate_optimize_required(sf, 125e3);
      EXPECT_LE(time_on_air_s(pl, phy(sf, 125e3, 1, 8, false, true, ldro)),
                time_on_air_s(pl, phy(sf, 125e3, 1, 8, true, true, ldro)));
      EXPECT_LE(time_on_air_s(pl, phy(sf, 125e3, 1, 8, true, false, ldro)),
                time_on_air_s(pl, phy(sf, 125e3, 1, 8, true, true, ldro)));
      for (int cr = 1; cr < 4; ++cr) {
        EXPECT_LE(time_on_air_s(pl, phy(sf, 125e3, cr, 8, true, true, ldro)),
                  time_on_air_s(pl, phy(sf, 125e3, cr + 1, 8, true, true, ldro)));
      }
    }
  }
}

}  // namespace
}  // namespace citytwin::models::radio
