// Which SimGrid settings `citytwin run --cfg key:value` may pass, and their values. SimGrid checks a
// key's existence and a number's syntax itself (an exception), but it aborts the process on an unknown
// model name (xbt_die), hangs on `surf/precision:0` or `contexts/nthreads:0`, and crashes on
// `contexts/stack-size:0` (measured with SimGrid 3.32, Debian 12). So the settings are checked here,
// before any engine exists, against this list; everything else is refused with the list.
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "sim/network/wired_network.hpp"

namespace citytwin::sim::network {
namespace {

struct Setting {
  const char* key;
  std::vector<std::string> choices;  // empty: a number in [min, max]
  double min = 0.0;
  double max = 0.0;
  bool integer = false;
  const char* what;
};

const std::vector<Setting>& settings() {
  static const std::vector<Setting> table = {
      {"contexts/factory", {"thread", "raw", "ucontext", "boost"}, 0, 0, false, "how actors switch"},
      {"contexts/stack-size", {}, 16, 1048576, true, "actor stack size, KiB"},
      {"contexts/guard-size", {}, 0, 4096, true, "guard pages per actor stack"},
      {"network/optim", {"Lazy", "Full"}, 0, 0, false, "bandwidth-sharing update strategy"},
      {"network/TCP-gamma", {}, 0, 1e12, false, "TCP window, bytes (CM02 ignores it)"},
      {"maxmin/precision", {}, 1e-15, 1e-3, false, "bandwidth-sharing solver precision"},
      {"surf/precision", {}, 1e-15, 1e-3, false, "simulated-time precision, s"},
  };
  return table;
}

std::string allowed_keys() {
  std::string s;
  for (const Setting& setting : settings()) s += std::string(s.empty() ? "" : ", ") + setting.key;
  return s;
}

void check_item(const std::string& item) {
  const size_t colon = item.find(':');
  if (colon == std::string::npos || colon == 0)
    throw SimgridConfigError("--cfg: expected key:value (e.g. contexts/factory:thread), got '" + item + "'");
  const std::string key = item.substr(0, colon);
  const std::string value = item.substr(colon + 1);
  if (key == "network/model" || key == "network/crosstraffic")
    throw SimgridConfigError("--cfg " + item + ": citytwin fixes " + key +
                             " (CM02, no cross-traffic) so that the scenario's latencies and bandwidths "
                             "are used exactly as written");
  for (const Setting& setting : settings()) {
    if (key != setting.key) continue;
    if (!setting.choices.empty()) {
      for (const std::string& choice : setting.choices)
        if (value == choice) return;
      std::string list;
      for (const std::string& choice : setting.choices) list += (list.empty() ? "" : ", ") + choice;
      throw SimgridConfigError("--cfg " + item + ": " + key + " (" + setting.what + ") is one of " + list);
    }
    char* end = nullptr;
    const double x = std::strtod(value.c_str(), &end);
    const bool number = !value.empty() && end == value.c_str() + value.size() && std::isfinite(x);
    if (!number || x < setting.min || x > setting.max || (setting.integer && x != std::floor(x)))
      throw SimgridConfigError("--cfg " + item + ": " + key + " (" + setting.what + ") expects " +
                               (setting.integer ? "an integer" : "a number") + " in [" +
                               std::to_string(setting.min) + ", " + std::to_string(setting.max) + "]");
    return;
  }
  throw SimgridConfigError("--cfg " + item +
                           ": citytwin passes only these SimGrid settings: " + allowed_keys());
}

}  // namespace

void check_simgrid_config(const std::vector<std::string>& items) {
  for (const std::string& item : items) check_item(item);
}

}  // namespace citytwin::sim::network
