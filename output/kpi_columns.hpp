// What the trace says about each KPI column it writes: units, a description and how it is stored
// (a count as an integer, a radio or an attack's kind as an enumeration), so that a reader needs neither the
// source nor SCHEMA.md to interpret /kpi. Private to output/; the tables are documented in output/SCHEMA.md.
#pragma once

#include <span>
#include <string>

#include "output/hdf5_columns.hpp"

namespace citytwin::output {

enum class KpiStorage {
  Real,   // f8
  Count,  // i8: a whole number of things (devices, uplinks, ...)
  Code,   // i1 enumeration of `codes` (a radio: lorawan 0, nbiot 1, wifi 2, mixed -1; an attack's kind)
};

struct KpiColumnSpec {
  std::string units;
  std::string description;
  KpiStorage storage = KpiStorage::Real;
  std::span<const h5::EnumMember> codes{};  // KpiStorage::Code: the names of the column's values
};

// The column `column` of table /kpi/<table> (or a scalar /kpi attribute when `table` is empty). A
// column not in the catalogue gets its units from its name's suffix (_s, _mah, _bps, ...) and a
// generic description.
KpiColumnSpec kpi_column_spec(const std::string& table, const std::string& column);

// The radio technologies of /messages/radio and /kpi/by_type/radio (which adds mixed = -1), and the
// FailReason names of /messages/fail_reason.
std::span<const h5::EnumMember> radio_codes();
std::span<const h5::EnumMember> radio_codes_with_mixed();
std::span<const h5::EnumMember> fail_reason_codes();
// /kpi/attacks/kind: jamming 0, compromised 1, dos_broker 2, dos_network_server 3
// (sim/record/attack_log.hpp).
std::span<const h5::EnumMember> attack_kind_codes();

}  // namespace citytwin::output
