// A finished campaign run's summary row as text, as an MPI rank sends it to rank 0
// (campaign_mpi.cpp): one field per line, "name<TAB>value", the KPI and per-district lines of
// app/result_text.hpp after them, doubles in hexadecimal (exact). The error text is escaped (a
// backslash, tab, newline and carriage return as \\, \t, \n, \r), so that a message holding any of
// them arrives whole.
#pragma once

#include <cstddef>
#include <string>

#include "output/campaign_tables.hpp"

namespace citytwin::sim::campaign {

std::string encode_row(std::size_t index, const output::CampaignRow& row);
// Reads what encode_row wrote: the index, status, error, error_kind, wall_s, kpis and by_district.
void decode_row(const std::string& text, std::size_t& index, output::CampaignRow& row);

// One line's field: \ -> \\, tab -> \t, newline -> \n, carriage return -> \r; and back.
std::string escape_field(const std::string& text);
std::string unescape_field(const std::string& text);

}  // namespace citytwin::sim::campaign
