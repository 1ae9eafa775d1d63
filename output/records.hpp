// The records a run produces, as the trace stores them: the static tables, why an uplink was lost,
// a batch of /messages rows, the KPI list and tables, /timeseries. The simulation (sim/) builds these
// and includes only this header; output/trace_writer.hpp writes them (layout in output/SCHEMA.md).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace citytwin::output {

// A column of strings that repeat (a device's population, type, district): each row a code into
// `values`, 4 B a row where a std::string took 32 (a 1 M-device table's three were ~100 MB). Written as
// the strings themselves.
struct CodedStrings {
  std::vector<std::string> values;
  std::vector<uint32_t> codes;  // per row

  CodedStrings() = default;
  CodedStrings(std::initializer_list<std::string> rows) {
    for (const std::string& row : rows) push_back(row);
  }
  size_t size() const { return codes.size(); }
  const std::string& operator[](size_t row) const { return values[codes[row]]; }
  // The code of a value, appended to `values` if new (a linear search: for tables of few values).
  uint32_t code_of(const std::string& value) {
    const auto code = static_cast<uint32_t>(std::find(values.begin(), values.end(), value) - values.begin());
    if (code == values.size()) values.push_back(value);
    return code;
  }
  void push_back(const std::string& value) { codes.push_back(code_of(value)); }
};

// Static tables, one entry per row.
struct DeviceTable {
  std::vector<uint32_t> id;
  CodedStrings population;
  CodedStrings type;
  CodedStrings district;
  std::vector<double> x_m;
  std::vector<double> y_m;
};

struct GatewayTable {
  std::vector<uint32_t> id;
  std::vector<std::string> name;
  std::vector<std::string> district;  // "" when outside every district
  std::vector<double> x_m;
  std::vector<double> y_m;
};

// Why an uplink was not delivered (/messages/fail_reason); documented in output/SCHEMA.md. For a frame
// several gateways could hear, the reason is the one at the gateway that came closest to receiving it.
enum class FailReason : uint8_t {
  None = 0,                 // delivered
  BelowSensitivity = 1,     // no gateway received it above its sensitivity
  Collision = 2,            // lost to overlapping frames (and capture did not save it)
  NoDemodulator = 3,        // every demodulation path of the gateway was busy
  GatewayTransmitting = 4,  // the gateway was sending a downlink (half duplex)
  DutyCycle = 5,            // the device's sub-band duty cycle forbade the transmission
  DeviceDead = 6,           // the battery was empty: the report was never sent
  RandomAccess = 7,         // NB-IoT random access failed after every attempt
  GatewayDown = 8,          // the gateway was off (power cut beyond its backup) or its backhaul down
  BufferFull = 9,           // the gateway's backhaul was down and its buffer full
  ServerDown = 10,          // the network server was down when the frame arrived
  Jammed = 11,              // a jammer raised the gateway's noise floor above the frame's margin
  Blocked = 12,             // the network server blocked its device (flagged compromised)
  ServerOverload = 13,      // the network server's queue was full (a flood of bogus frames)
};
inline constexpr size_t kFailReasons = 14;
const char* to_string(FailReason reason);

// A batch of per-uplink rows, column by column (all vectors the same length).
struct MessageBatch {
  std::vector<uint32_t> device;
  std::vector<double> t_tx_s;
  std::vector<uint8_t> radio;  // models::radio::Technology
  std::vector<uint8_t> sf;
  std::vector<uint32_t> channel_hz;
  std::vector<float> tx_power_dbm;
  std::vector<double> airtime_s;
  std::vector<uint16_t> gateways_heard;
  std::vector<float> rssi_dbm;           // best gateway; NaN when no gateway could hear it
  std::vector<float> snr_db;             // at that gateway
  std::vector<uint8_t> retransmissions;  // 0 for a first transmission
  std::vector<uint8_t> delivered;
  std::vector<uint8_t> fail_reason;   // FailReason
  std::vector<int16_t> failure;       // row of /kpi/failures that lost or delayed it; -1 none
  std::vector<double> t_delivered_s;  // NaN when not delivered
  std::vector<double> battery_mah_left;

  size_t size() const { return device.size(); }
  void clear();
};

// Named scalar KPIs, written as attributes of /kpi in the given order.
using KpiList = std::vector<std::pair<std::string, double>>;

// The scalar KPIs a run writes, one list for their order and their storage (output/kpi_columns.cpp): a
// count is written as an i8 (when whole), anything else as an f8. Those marked `ordered` come first in
// /kpi, in this list's order (that of output/SCHEMA.md, whatever order the run's parts add them in); the
// others follow where they were added, as does an attribute not listed (an f8).
struct KpiAttribute {
  std::string_view name;
  bool count;
  bool ordered;
};
std::span<const KpiAttribute> kpi_attributes();

// A KPI table broken down by a key (e.g. by district): one string key column plus numeric columns.
struct KpiTable {
  std::string key_name;  // e.g. "district"
  std::vector<std::string> keys;
  std::vector<std::pair<std::string, std::vector<double>>> columns;
};

// /timeseries: per interval, the utilisation of each wired link (one matrix, intervals x links) and of
// the network server's CPU.
struct TimeSeries {
  std::vector<double> t_s;                   // start of each interval
  std::vector<std::string> links;            // the wired links, in the network's order
  std::vector<double> capacity_bytes_per_s;  // each link's capacity
  std::vector<double> utilisation;           // row-major: utilisation[i * links.size() + l]
  std::vector<double> network_server;        // per interval
  std::string description;
};

}  // namespace citytwin::output
