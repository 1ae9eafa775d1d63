#include "sim/campaign/row_text.hpp"

#include <cstdlib>
#include <sstream>
#include <vector>

#include "sim/app/result_text.hpp"

namespace citytwin::sim::campaign {

std::string escape_field(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += ch;
    }
  }
  return out;
}

std::string unescape_field(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\' || i + 1 == text.size()) {
      out += text[i];
      continue;
    }
    const char next = text[++i];
    out += next == 't' ? '\t' : next == 'n' ? '\n' : next == 'r' ? '\r' : next;
  }
  return out;
}

std::string encode_row(std::size_t index, const output::CampaignRow& row) {
  std::ostringstream out;
  out << "index\t" << index << "\nstatus\t" << row.status << "\nerror\t" << escape_field(row.error)
      << "\nerror_kind\t" << row.error_kind << "\nwall\t" << app::hex_double(row.wall_s) << "\n";
  app::write_result_lines(out, row.kpis, row.by_district);
  return out.str();
}

void decode_row(const std::string& text, std::size_t& index, output::CampaignRow& row) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const std::vector<std::string> f = app::split_fields(line);
    if (f.empty() || app::read_result_line(f, row.kpis, row.by_district)) continue;
    const std::string value = f.size() > 1 ? f[1] : "";
    if (f[0] == "index") {
      index = std::stoull(value);
    } else if (f[0] == "status") {
      row.status = value;
    } else if (f[0] == "error") {
      row.error = unescape_field(value);
    } else if (f[0] == "error_kind") {
      row.error_kind = value;
    } else if (f[0] == "wall") {
      row.wall_s = std::strtod(value.c_str(), nullptr);
    }
  }
}

}  // namespace citytwin::sim::campaign
