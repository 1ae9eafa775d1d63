#include "models/radio/nbiot_phy.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace citytwin::models::radio {

namespace {

// Msg3 (RRC connection request): 88 bits on 4 RUs, TS 36.213 Table 16.3.3-1.
constexpr int kMsg3ResourceUnits = 4;
// NPRACH: 5 symbols of 8192 Ts per symbol group, 4 groups per repetition; Ts = 1 / 30.72 MHz.
constexpr double kTsS = 1.0 / 30.72e6;
constexpr double kNprachSymbolS = 8192 * kTsS;
constexpr int kNprachRepetitionsPerGap = 64;
constexpr double kNprachGapS = 0.040;
// NPUSCH: a 40 ms gap after every 256 ms of transmission (TS 36.211 10.1.3.6: 256 x 30720 Ts, 40 x 30720 Ts).
constexpr double kNpuschGapEveryS = 0.256;
constexpr double kNpuschGapS = 0.040;

size_t level_index(CeLevel level) { return static_cast<size_t>(level); }

void require_repetitions(int repetitions, const char* what) {
  if (!is_valid_repetition_count(repetitions)) {
    throw std::invalid_argument(std::string(what) + ": expected 1, 2, 4, ..., 128, got " +
                                std::to_string(repetitions));
  }
}

}  // namespace

const char* to_string(CeLevel level) {
  switch (level) {
    case CeLevel::Ce0:
      return "CE0";
    case CeLevel::Ce1:
      return "CE1";
    case CeLevel::Ce2:
      return "CE2";
  }
  return "?";
}

std::optional<CeLevel> ce_level_for_coupling_loss(double coupling_loss_db, const CeThresholds& thresholds) {
  if (coupling_loss_db <= thresholds.ce0_max_coupling_loss_db) return CeLevel::Ce0;
  if (coupling_loss_db <= thresholds.ce1_max_coupling_loss_db) return CeLevel::Ce1;
  if (coupling_loss_db <= thresholds.ce2_max_coupling_loss_db) return CeLevel::Ce2;
  return std::nullopt;
}

double resource_unit_duration_s(NpuschAllocation allocation) {
  switch (allocation) {
    case NpuschAllocation::SingleTone3k75:
      return 16 * 0.002;
    case NpuschAllocation::SingleTone15k:
      return 16 * 0.0005;
    case NpuschAllocation::ThreeTone:
      return 8 * 0.0005;
    case NpuschAllocation::SixTone:
      return 4 * 0.0005;
    case NpuschAllocation::TwelveTone:
      return 2 * 0.0005;
  }
  throw std::invalid_argument("resource_unit_duration_s: unknown allocation");
}

double occupied_tones_15k(NpuschAllocation allocation) {
  switch (allocation) {
    case NpuschAllocation::SingleTone3k75:
      return 0.25;
    case NpuschAllocation::SingleTone15k:
      return 1.0;
    case NpuschAllocation::ThreeTone:
      return 3.0;
    case NpuschAllocation::SixTone:
      return 6.0;
    case NpuschAllocation::TwelveTone:
      return 12.0;
  }
  throw std::invalid_argument("occupied_tones_15k: unknown allocation");
}

int max_npusch_i_tbs(NpuschAllocation allocation) {
  const bool single_tone =
      allocation == NpuschAllocation::SingleTone3k75 || allocation == NpuschAllocation::SingleTone15k;
  return single_tone ? 10 : 12;
}

int npusch_tbs_bits(int i_tbs, int i_ru) {
  return kNpuschTbsBits.at(static_cast<size_t>(i_tbs)).at(static_cast<size_t>(i_ru));
}

std::optional<TransportBlock> smallest_npusch_block(int payload_bits, int i_tbs) {
  const auto& row = kNpuschTbsBits.at(static_cast<size_t>(i_tbs));
  for (size_t i = 0; i < row.size(); ++i) {
    if (row[i] != 0 && row[i] >= payload_bits) {
      return TransportBlock{static_cast<int>(i), kResourceUnitsByIndex[i], row[i]};
    }
  }
  return std::nullopt;
}

NpuschPlan npusch_plan(int payload_bytes, const NpuschConfig& config) {
  if (config.i_tbs < 0 || config.i_tbs > max_npusch_i_tbs(config.allocation)) {
    throw std::invalid_argument("npusch_plan: I_TBS " + std::to_string(config.i_tbs) +
                                " not allowed for this allocation (max " +
                                std::to_string(max_npusch_i_tbs(config.allocation)) + ")");
  }
  require_repetitions(config.repetitions, "npusch_plan: repetitions");
  if (payload_bytes < 0) throw std::invalid_argument("npusch_plan: negative payload");

  // The largest block of the row: its last non-empty cell.
  const auto& row = kNpuschTbsBits[static_cast<size_t>(config.i_tbs)];
  size_t largest = row.size() - 1;
  while (row[largest] == 0) --largest;
  const TransportBlock full{static_cast<int>(largest), kResourceUnitsByIndex[largest], row[largest]};

  NpuschPlan plan;
  int remaining_bits = std::max(8 * payload_bytes, 1);  // an empty message still needs one block
  while (remaining_bits > full.tbs_bits) {
    plan.blocks.push_back(full);
    remaining_bits -= full.tbs_bits;
  }
  plan.blocks.push_back(*smallest_npusch_block(remaining_bits, config.i_tbs));
  const double ru_s = resource_unit_duration_s(config.allocation);
  for (const auto& block : plan.blocks) {
    plan.resource_units += block.resource_units;
    plan.span_s += npusch_span_s(block.resource_units * ru_s * config.repetitions);
  }
  plan.airtime_s = plan.resource_units * ru_s * config.repetitions;
  return plan;
}

double npusch_gaps_s(double transmit_s) {
  if (transmit_s <= kNpuschGapEveryS) return 0.0;
  // Full 256 ms stretches with more transmission after them; the tolerance keeps 512 ms at one gap where
  // the durations' sum lands a few ulp over.
  const double stretches = std::ceil(transmit_s / kNpuschGapEveryS - 1e-9);
  return (stretches - 1.0) * kNpuschGapS;
}

double npusch_span_s(double transmit_s) { return transmit_s + npusch_gaps_s(transmit_s); }

double npusch_airtime_s(int payload_bytes, const NpuschConfig& config) {
  return npusch_plan(payload_bytes, config).airtime_s;
}

double npusch_ack_duration_s(NpuschAllocation ack_allocation) {
  // Format 2 is single-tone: 4 slots of 0.5 ms (15 kHz) or 2 ms (3.75 kHz).
  return ack_allocation == NpuschAllocation::SingleTone3k75 ? 4 * 0.002 : 4 * 0.0005;
}

std::optional<int> npdsch_subframes(int payload_bits, int i_tbs) {
  const auto& row = kNpdschTbsBits.at(static_cast<size_t>(i_tbs));
  for (size_t i = 0; i < row.size(); ++i) {
    if (row[i] != 0 && row[i] >= payload_bits) return kResourceUnitsByIndex[i];
  }
  return std::nullopt;
}

double nprach_repetition_duration_s(NprachFormat format) {
  const double cp_s = (format == NprachFormat::Format0 ? 2048 : 8192) * kTsS;
  return 4 * (cp_s + 5 * kNprachSymbolS);
}

double nprach_preamble_duration_s(NprachFormat format, int repetitions) {
  require_repetitions(repetitions, "nprach_preamble_duration_s: repetitions");
  const int gaps = (repetitions - 1) / kNprachRepetitionsPerGap;
  return repetitions * nprach_repetition_duration_s(format) + gaps * kNprachGapS;
}

bool is_valid_repetition_count(int repetitions) {
  return repetitions >= 1 && repetitions <= 128 && (repetitions & (repetitions - 1)) == 0;
}

bool is_valid_nprach_periodicity_s(double periodicity_s) {
  constexpr std::array<int, 8> kPeriodsMs = {40, 80, 160, 240, 320, 640, 1280, 2560};
  return std::any_of(kPeriodsMs.begin(), kPeriodsMs.end(),
                     [&](int ms) { return std::abs(periodicity_s - ms / 1000.0) < 1e-9; });
}

bool is_valid_nprach_subcarriers(int subcarriers) {
  return subcarriers == 12 || subcarriers == 24 || subcarriers == 36 || subcarriers == 48;
}

std::array<CeLevelConfig, 3> default_ce_levels() {
  std::array<CeLevelConfig, 3> levels{};
  constexpr std::array<int, 3> kNprachReps = {2, 8, 32};
  constexpr std::array<int, 3> kNpdcchReps = {8, 16, 128};
  constexpr std::array<int, 3> kAckReps = {2, 8, 64};
  constexpr std::array<int, 3> kDataReps = {1, 8, 32};
  constexpr std::array<int, 3> kDataITbs = {10, 7, 2};
  for (size_t i = 0; i < levels.size(); ++i) {
    levels[i].nprach_repetitions = kNprachReps[i];
    levels[i].nprach_periodicity_s = 0.640;
    levels[i].nprach_subcarriers = 12;
    levels[i].npdcch_repetitions = kNpdcchReps[i];
    levels[i].npdsch_i_tbs = 0;
    levels[i].npdsch_repetitions = kDataReps[i];
    levels[i].npusch = NpuschConfig{NpuschAllocation::SingleTone15k, kDataITbs[i], kDataReps[i]};
    levels[i].ack_repetitions = kAckReps[i];
  }
  return levels;
}

void validate(const NbiotCellConfig& cell) {
  const CeThresholds& t = cell.thresholds;
  if (!(t.ce0_max_coupling_loss_db < t.ce1_max_coupling_loss_db &&
        t.ce1_max_coupling_loss_db < t.ce2_max_coupling_loss_db)) {
    throw std::invalid_argument("thresholds: expected CE0 < CE1 < CE2 coupling loss");
  }
  if (cell.uplink_tones_15k <= 0) throw std::invalid_argument("uplink_tones_15k: expected > 0");
  for (size_t i = 0; i < cell.levels.size(); ++i) {
    const CeLevelConfig& l = cell.levels[i];
    const std::string at = "levels[" + std::to_string(i) + "].";
    require_repetitions(l.nprach_repetitions, (at + "nprach_repetitions").c_str());
    require_repetitions(l.npdcch_repetitions, (at + "npdcch_repetitions").c_str());
    require_repetitions(l.npdsch_repetitions, (at + "npdsch_repetitions").c_str());
    require_repetitions(l.npusch.repetitions, (at + "npusch.repetitions").c_str());
    require_repetitions(l.ack_repetitions, (at + "ack_repetitions").c_str());
    if (!is_valid_nprach_periodicity_s(l.nprach_periodicity_s)) {
      throw std::invalid_argument(at + "nprach_periodicity_s: expected one of 0.04 .. 2.56 s");
    }
    if (!is_valid_nprach_subcarriers(l.nprach_subcarriers)) {
      throw std::invalid_argument(at + "nprach_subcarriers: expected 12, 24, 36 or 48");
    }
    if (l.npdsch_i_tbs < 0 || l.npdsch_i_tbs > 12) {
      throw std::invalid_argument(at + "npdsch_i_tbs: expected 0..12");
    }
    if (l.npusch.i_tbs < 0 || l.npusch.i_tbs > max_npusch_i_tbs(l.npusch.allocation)) {
      throw std::invalid_argument(at + "npusch.i_tbs: outside the allocation's range");
    }
  }
}

double npusch_tone_ms(NpuschAllocation allocation, int resource_units, int repetitions) {
  return occupied_tones_15k(allocation) * resource_unit_duration_s(allocation) * 1000.0 * resource_units *
         repetitions;
}

double message_uplink_tone_ms(int payload_bytes, const CeLevelConfig& level) {
  const NpuschConfig& npusch = level.npusch;
  const double msg3 = npusch_tone_ms(npusch.allocation, kMsg3ResourceUnits, npusch.repetitions);
  // Format 2 is one 15 kHz tone for 2 ms per repetition.
  const double ack = 1.0 * npusch_ack_duration_s() * 1000.0 * level.ack_repetitions;
  const double data = npusch_tone_ms(npusch.allocation, npusch_plan(payload_bytes, npusch).resource_units,
                                     npusch.repetitions);
  return msg3 + ack + data;
}

double nprach_reserved_tone_ms_per_s(const NbiotCellConfig& cell) {
  double total = 0.0;
  for (const CeLevelConfig& l : cell.levels) {
    const double tones = l.nprach_subcarriers * 0.25;  // 3.75 kHz NPRACH subcarriers
    const double busy_ms = nprach_preamble_duration_s(cell.nprach_format, l.nprach_repetitions) * 1000.0;
    total += tones * busy_ms / l.nprach_periodicity_s;
  }
  return total;
}

UplinkUtilisation uplink_utilisation(const std::vector<UplinkTraffic>& traffic, const NbiotCellConfig& cell) {
  UplinkUtilisation u;
  for (const UplinkTraffic& t : traffic) {
    if (t.messages_per_s < 0.0) throw std::invalid_argument("uplink_utilisation: negative message rate");
    u.data_tone_ms_per_s[level_index(t.level)] +=
        t.messages_per_s * message_uplink_tone_ms(t.payload_bytes, cell.level(t.level));
  }
  u.nprach_tone_ms_per_s = nprach_reserved_tone_ms_per_s(cell);
  u.available_tone_ms_per_s = cell.uplink_tones_15k * 1000.0;
  double demand = u.nprach_tone_ms_per_s;
  for (double d : u.data_tone_ms_per_s) demand += d;
  u.utilisation = demand / u.available_tone_ms_per_s;
  return u;
}

}  // namespace citytwin::models::radio
