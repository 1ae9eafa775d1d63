// NB-IoT (3GPP Rel-13/14) uplink physical layer for the city twin: coverage enhancement (CE) level by
// coupling loss, NPUSCH format 1 resource units and transport block sizes, NPDSCH subframes, NPRACH
// preamble duration, the per-CE-level cell configuration, and the utilisation of the uplink carrier.
//
// Sources, constant by constant:
// - CE thresholds 144 / 154 / 164 dB maximum coupling loss (MCL): 144 dB is the GPRS reference MCL and
//   164 dB the Rel-13 design target (+20 dB) of 3GPP TR 45.820 v13.1.0 (coverage objective) and
//   Ratasuk et al., "NB-IoT system for M2M communication", IEEE WCNC Workshops 2016; 154 dB splits the
//   extension into two 10 dB steps, the convention of open NB-IoT eNodeB implementations (SIB2-NB target
//   SNR per CE level "MCL 144 / 154 / 164 dB"). The operator actually signals RSRP thresholds
//   (rsrp-ThresholdsPrachInfoList, TS 36.331); coupling loss is the twin's proxy for them.
// - NPUSCH format 1 resource unit (TS 36.211 Table 10.1.2.3-1): 1 tone at 3.75 kHz: 16 slots of 2 ms =
//   32 ms; 1 tone at 15 kHz: 16 slots of 0.5 ms = 8 ms; 3 tones: 8 slots = 4 ms; 6 tones: 4 slots = 2 ms;
//   12 tones: 2 slots = 1 ms (TS 36.101 Table A.2.4-1's transmission times, 64 ms for 2 RUs at 3.75 kHz
//   down to 1 ms for one 12-tone RU, agree). NPUSCH format 2 (HARQ-ACK): 4 slots, 2 ms at 15 kHz.
// - NPUSCH TBS: TS 36.213 Table 16.5.1.2-2 (Rel-13, max 1000 bits), I_TBS 0..12 x I_RU 0..7 with
//   N_RU = {1, 2, 3, 4, 5, 6, 8, 10} (Table 16.5.1.1-2); single-tone allocations use I_TBS <= 10
//   (Table 16.5.1.2-1), multi-tone I_TBS = I_MCS <= 12. Checked cell by cell against the Rel-13 part of the
//   uplink table in Rohde & Schwarz's R&S CMW-KM300 NB-IoT signalling manual (1178.5689.02, Table 2-10,
//   which marks the Rel-14 cells above 1000 bits) and against two independent open implementations
//   (srsRAN tbs_tables_nbiot.h, LTE-Sim NB-IoT AMC module); TS 36.101 Annex A.2.4's reference channels
//   (I_TBS 0 on 2 RUs: 32 bits; I_TBS 3 on 1 RU: 40; I_TBS 5 on 1 RU: 72) agree with it too.
// - NPDSCH TBS: TS 36.213 Table 16.4.1.5.1-1 (Rel-13, max 680 bits), I_TBS x I_SF with
//   N_SF = {1, 2, 3, 4, 5, 6, 8, 10} (Table 16.4.1.3-1); as in srsLTE/srsRAN tbs_tables_nbiot.h and the
//   R&S CMW-KM300 manual's Table 2-11 (which leaves I_TBS 11's 776 bits unmarked as Rel-14, above the
//   Rel-13 680-bit limit: taken as the manual's slip, srsRAN leaves it out).
// - Msg3: TBS 88 bits on 4 single-tone RUs (TS 36.213 Table 16.3.3-1, I_MCS = '000'); RAR: 7 bytes
//   (MAC RAR plus subheader, TS 36.321 6.1.5 / 6.2.3, as sent by OpenAirInterface's NB-IoT scheduler).
// - NPRACH (TS 36.211 10.1.6.1, Table 10.1.6.1-1): a repetition is 4 symbol groups of a cyclic prefix
//   (format 0: 2048 Ts = 66.67 us; format 1: 8192 Ts = 266.67 us) plus 5 symbols of 8192 Ts = 266.67 us
//   (Ts = 1 / 30.72 MHz): 5.6 ms (format 0) or 6.4 ms (format 1); a 40 ms gap follows every 64
//   repetitions. Subcarrier spacing 3.75 kHz. Parameter ranges (TS 36.331 NPRACH-Parameters-NB):
//   repetitions {1, 2, 4, ..., 128}, periodicity {40, 80, 160, 240, 320, 640, 1280, 2560} ms,
//   subcarriers {12, 24, 36, 48}.
// - NPUSCH uplink gaps (TS 36.211 10.1.3.6, frame structure type 1): after every 256 ms of an NPUSCH
//   transmission (format 1 or 2, its repetitions included) a gap of 40 ms is inserted in which the
//   transmission is postponed; the device uses it to resynchronise to the downlink (RAN1's reason for
//   the gaps: a cheap oscillator drifts over a long transmission).
// - Default NPRACH and NPDCCH configuration per CE level: the SIB2-NB of a commercially deployed eNodeB
//   (blog post "A Glimpse of the SIB2 of a Commercially-deployed NB-IoT eNodeB", 2019): periodicity
//   640 ms, 12 subcarriers, repetitions 2 / 8 / 32, npdcch-NumRepetitions-RA 8 / 16 / 128,
//   ack-NACK-NumRepetitions-Msg4 2 / 8 / 64.
// - Default NPUSCH / NPDSCH repetitions 1 / 8 / 32 and I_TBS 10 / 7 / 2 on a 15 kHz single tone are a
//   typical operator configuration, not a standard value: chosen so that repetition gain
//   (10 log10 N dB) plus the lower code rate track the 10 dB steps between CE levels. The operator sets
//   them (DCI format N0, TS 36.213 16.5.1); the scenario may too (`nbiot.npusch`, docs/SCENARIO.md). No
//   published evaluation's per-level NPUSCH settings were found to replace them (TR 45.820's energy
//   figures are, as remembered, of NB-CIoT, a pre-standard candidate, and its settings were not read;
//   docs/ARCHITECTURE.md "NB-IoT energy against 3GPP TR 45.820"). Closed form: every level's data rate
//   is below the Shannon capacity of its allocation at the level's maximum coupling loss (23 dBm, 3 dB
//   noise figure, one receive antenna): CE0 20.8 of 44 kbit/s, CE1 1.95 of 11.1, CE2 0.166 of 1.40
//   (tests/models/nbiot_phy_test.cpp).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

namespace citytwin::models::radio {

enum class CeLevel : uint8_t { Ce0 = 0, Ce1, Ce2 };

const char* to_string(CeLevel level);

struct CeThresholds {
  double ce0_max_coupling_loss_db = 144.0;
  double ce1_max_coupling_loss_db = 154.0;
  double ce2_max_coupling_loss_db = 164.0;
};

// The CE level a device selects at a given coupling loss; none beyond the CE2 limit (out of coverage).
std::optional<CeLevel> ce_level_for_coupling_loss(double coupling_loss_db,
                                                  const CeThresholds& thresholds = {});

// --- NPUSCH format 1 -----------------------------------------------------------------------------

enum class NpuschAllocation : uint8_t {
  SingleTone3k75 = 0,  // one 3.75 kHz subcarrier
  SingleTone15k,       // one 15 kHz subcarrier
  ThreeTone,           // 3 x 15 kHz
  SixTone,             // 6 x 15 kHz
  TwelveTone,          // 12 x 15 kHz, the whole 180 kHz carrier
};

// Duration of one resource unit, seconds.
double resource_unit_duration_s(NpuschAllocation allocation);
// Bandwidth occupied, in 15 kHz tones (a 3.75 kHz tone is a quarter).
double occupied_tones_15k(NpuschAllocation allocation);
// Largest I_TBS the allocation may use: 10 single-tone, 12 multi-tone.
int max_npusch_i_tbs(NpuschAllocation allocation);

inline constexpr std::array<int, 8> kResourceUnitsByIndex = {1, 2, 3, 4, 5, 6, 8, 10};

// TS 36.213 Table 16.5.1.2-2; 0 marks a combination the table leaves empty (above 1000 bits).
inline constexpr std::array<std::array<int, 8>, 13> kNpuschTbsBits = {{
    {16, 32, 56, 88, 120, 152, 208, 256},
    {24, 56, 88, 144, 176, 208, 256, 344},
    {32, 72, 144, 176, 208, 256, 328, 424},
    {40, 104, 176, 208, 256, 328, 440, 568},
    {56, 120, 208, 256, 328, 408, 552, 680},
    {72, 144, 224, 328, 424, 504, 680, 872},
    {88, 176, 256, 392, 504, 600, 808, 1000},
    {104, 224, 328, 472, 584, 712, 1000, 0},
    {120, 256, 392, 536, 680, 808, 0, 0},
    {136, 296, 456, 616, 776, 936, 0, 0},
    {144, 328, 504, 680, 872, 1000, 0, 0},
    {176, 376, 584, 776, 1000, 0, 0, 0},
    {208, 440, 680, 1000, 0, 0, 0, 0},
}};

// TS 36.213 Table 16.4.1.5.1-1 (NPDSCH not carrying SIB1-NB); 0 marks an empty cell (above 680 bits).
inline constexpr std::array<std::array<int, 8>, 13> kNpdschTbsBits = {{
    {16, 32, 56, 88, 120, 152, 208, 256},
    {24, 56, 88, 144, 176, 208, 256, 344},
    {32, 72, 144, 176, 208, 256, 328, 424},
    {40, 104, 176, 208, 256, 328, 440, 568},
    {56, 120, 208, 256, 328, 408, 552, 680},
    {72, 144, 224, 328, 424, 504, 680, 0},
    {88, 176, 256, 392, 504, 600, 0, 0},
    {104, 224, 328, 472, 584, 680, 0, 0},
    {120, 256, 392, 536, 680, 0, 0, 0},
    {136, 296, 456, 616, 0, 0, 0, 0},
    {144, 328, 504, 680, 0, 0, 0, 0},
    {176, 376, 584, 0, 0, 0, 0, 0},
    {208, 440, 680, 0, 0, 0, 0, 0},
}};

// Table lookup; throws std::out_of_range outside I_TBS 0..12, I_RU 0..7. Returns 0 for an empty cell.
int npusch_tbs_bits(int i_tbs, int i_ru);

struct TransportBlock {
  int i_ru = 0;
  int resource_units = 0;
  int tbs_bits = 0;
};

// The smallest transport block of row i_tbs that carries payload_bits; none if even the largest is
// too small.
std::optional<TransportBlock> smallest_npusch_block(int payload_bits, int i_tbs);

struct NpuschConfig {
  NpuschAllocation allocation = NpuschAllocation::SingleTone15k;
  int i_tbs = 10;
  int repetitions = 1;  // {1, 2, 4, ..., 128}
};

// A payload split into transport blocks: as many of the row's largest block as needed, the last one the
// smallest that fits the remainder. Each block is sent `repetitions` times.
struct NpuschPlan {
  std::vector<TransportBlock> blocks;
  int resource_units = 0;  // sum over blocks, one repetition
  double airtime_s = 0.0;  // all blocks, all repetitions: the time spent transmitting
  double span_s = 0.0;     // the same with each block's uplink gaps (npusch_span_s): the carrier's time
};

// Throws std::invalid_argument for an I_TBS the allocation may not use or a repetition count outside
// {1, 2, ..., 128}.
NpuschPlan npusch_plan(int payload_bytes, const NpuschConfig& config);
double npusch_airtime_s(int payload_bytes, const NpuschConfig& config);

// The time an NPUSCH transmission of transmit_s seconds (one transport block, all its repetitions)
// takes from its first symbol to its last: transmit_s plus a 40 ms gap after every full 256 ms of it that
// more of it follows (TS 36.211 10.1.3.6). Under 256 ms: transmit_s.
double npusch_span_s(double transmit_s);
// Its gaps alone: npusch_span_s(transmit_s) - transmit_s.
double npusch_gaps_s(double transmit_s);

// NPUSCH format 2 (one HARQ-ACK), one repetition: 4 slots.
double npusch_ack_duration_s(NpuschAllocation ack_allocation = NpuschAllocation::SingleTone15k);

// NPDSCH subframes (1 ms each, one repetition) to carry payload_bits at row i_tbs; none if too large.
std::optional<int> npdsch_subframes(int payload_bits, int i_tbs);

// --- NPRACH ----------------------------------------------------------------------------------------

enum class NprachFormat : uint8_t { Format0 = 0, Format1 };

double nprach_repetition_duration_s(NprachFormat format);
// A preamble attempt with its repetitions, including the 40 ms gap after every 64 repetitions.
double nprach_preamble_duration_s(NprachFormat format, int repetitions);

bool is_valid_repetition_count(int repetitions);  // {1, 2, 4, ..., 128}
bool is_valid_nprach_periodicity_s(double periodicity_s);
bool is_valid_nprach_subcarriers(int subcarriers);

// --- Cell configuration ----------------------------------------------------------------------------

struct CeLevelConfig {
  // NPRACH resource of this level (TS 36.331 NPRACH-Parameters-NB).
  int nprach_repetitions = 2;
  double nprach_periodicity_s = 0.640;
  int nprach_subcarriers = 12;
  // Maximum NPDCCH repetitions R_max of the search space (npdcch-NumRepetitions-RA).
  int npdcch_repetitions = 8;
  // Downlink messages (RAR, Msg4) on NPDSCH.
  int npdsch_i_tbs = 0;
  int npdsch_repetitions = 1;
  // Uplink data (and Msg3, which uses the same allocation and repetitions).
  NpuschConfig npusch{};
  // HARQ-ACK for Msg4 on NPUSCH format 2 (ack-NACK-NumRepetitions-Msg4).
  int ack_repetitions = 2;
};

// CE0, CE1, CE2 defaults as documented at the top of this file.
std::array<CeLevelConfig, 3> default_ce_levels();

struct NbiotCellConfig {
  CeThresholds thresholds{};
  NprachFormat nprach_format = NprachFormat::Format0;
  std::array<CeLevelConfig, 3> levels = default_ce_levels();
  int uplink_tones_15k = 12;  // one 180 kHz carrier

  const CeLevelConfig& level(CeLevel ce) const { return levels[static_cast<size_t>(ce)]; }
};

// Throws std::invalid_argument naming the first field outside its TS 36.331 range.
void validate(const NbiotCellConfig& cell);

// --- Uplink carrier utilisation --------------------------------------------------------------------

// Uplink resource demand in 15 kHz tone-milliseconds: a single-tone RU is 8 tone-ms, a multi-tone RU
// 12 tone-ms (3 x 4, 6 x 2, 12 x 1), a 3.75 kHz RU 0.25 x 32 = 8 tone-ms.
double npusch_tone_ms(NpuschAllocation allocation, int resource_units, int repetitions);

// Uplink demand of one message: Msg3, the Msg4 HARQ-ACK and the data, with their repetitions.
double message_uplink_tone_ms(int payload_bytes, const CeLevelConfig& level);

// Tone-ms per second the NPRACH resources of all CE levels reserve.
double nprach_reserved_tone_ms_per_s(const NbiotCellConfig& cell);

struct UplinkTraffic {
  CeLevel level = CeLevel::Ce0;
  double messages_per_s = 0.0;
  int payload_bytes = 0;
};

struct UplinkUtilisation {
  std::array<double, 3> data_tone_ms_per_s{};  // per CE level
  double nprach_tone_ms_per_s = 0.0;
  double available_tone_ms_per_s = 0.0;
  double utilisation = 0.0;  // (data + NPRACH) / available; above 1 the carrier is saturated
  bool saturated() const { return utilisation >= 1.0; }
};

UplinkUtilisation uplink_utilisation(const std::vector<UplinkTraffic>& traffic, const NbiotCellConfig& cell);

}  // namespace citytwin::models::radio
