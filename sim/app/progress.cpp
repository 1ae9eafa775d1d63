#include "sim/app/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

namespace citytwin::sim::app {
namespace {

std::string scaled(double value, const char* const* units, size_t count, const char* suffix) {
  size_t u = 0;
  while (u + 1 < count && std::fabs(value) >= 1000.0) {
    value /= 1000.0;
    ++u;
  }
  char buf[48];
  if (u == 0)
    std::snprintf(buf, sizeof buf, "%.0f%s%s", value, units[0], suffix);
  else
    std::snprintf(buf, sizeof buf, "%.*f %s%s",
                  value < 10.0    ? 2
                  : value < 100.0 ? 1
                                  : 0,
                  value, units[u], suffix);
  return buf;
}

std::string hms(double s) {
  const auto total = static_cast<long long>(std::floor(s));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
  return buf;
}

}  // namespace

uint64_t resident_memory_bytes() {
  // statm: total program size, resident set, ... in pages.
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long size = 0, resident = 0;
  const int read = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  if (read != 2) return 0;
  return static_cast<uint64_t>(resident) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

std::string format_bytes(double bytes) {
  static const char* const units[] = {" B", "kB", "MB", "GB", "TB"};
  return scaled(bytes, units, 5, "");
}

std::string format_rate(double per_s) {
  static const char* const units[] = {"", "k", "M", "G"};
  return scaled(per_s, units, 4, "/s");
}

Progress::Progress(double duration_s, bool enabled, std::chrono::milliseconds log_every)
    : duration_s_(duration_s),
      enabled_(enabled),
      tty_(isatty(STDERR_FILENO) != 0),
      log_every_(log_every),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

double Progress::wall_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::update(double sim_s, uint64_t uplinks) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (tty_) {
    if (now - last_print_ < std::chrono::milliseconds(250)) return;
  } else {
    const int decile = static_cast<int>(10.0 * sim_s / duration_s_);
    if (decile >= 10 || (decile == last_decile_ && now - last_print_ < log_every_)) return;
    last_decile_ = decile;
  }
  last_print_ = now;
  print(sim_s, uplinks, false);
}

void Progress::finish(double sim_s, uint64_t uplinks, bool complete) {
  if (!enabled_) return;
  print(sim_s, uplinks, true, complete);
  if (!complete) std::fprintf(stderr, "citytwin: stopped early at %s simulated\n", hms(sim_s).c_str());
}

void Progress::print(double sim_s, uint64_t uplinks, bool final_line, bool complete) {
  const double wall = wall_s();
  const double fraction = duration_s_ > 0.0 ? sim_s / duration_s_ : 1.0;
  std::string eta = "--";
  if (final_line) {
    if (complete) eta = "0 s";
  } else if (fraction > 0.001) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", wall * (1.0 - fraction) / fraction);
    eta = buf;
  }
  // Uplinks per wall second since the previous line (over the whole run on the final line).
  const double since_s = final_line ? wall : wall - last_wall_s_;
  const uint64_t since_uplinks = final_line ? uplinks : uplinks - std::min(uplinks, last_uplinks_);
  const std::string rate =
      since_s > 0.0 ? format_rate(static_cast<double>(since_uplinks) / since_s) : std::string("--");
  last_wall_s_ = wall;
  last_uplinks_ = uplinks;
  std::fprintf(stderr, "%scitytwin: sim %s / %s (%5.1f %%)  wall %.1f s  ETA %s  uplinks %llu (%s)  RSS %s%s",
               tty_ ? "\r" : "", hms(sim_s).c_str(), hms(duration_s_).c_str(), 100.0 * fraction, wall,
               eta.c_str(), static_cast<unsigned long long>(uplinks), rate.c_str(),
               format_bytes(static_cast<double>(resident_memory_bytes())).c_str(),
               tty_ && !final_line ? "   " : "\n");
  std::fflush(stderr);
}

SetUpProgress::SetUpProgress(size_t devices, size_t gateways, bool enabled,
                             std::function<void(const std::string&, double)> observer)
    : devices_(devices),
      gateways_(gateways),
      enabled_(enabled),
      observer_(std::move(observer)),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {
  last_told_ = start_ - std::chrono::seconds(1);
  if (observer_) observer_("laying out the city", 0.0);
}

void SetUpProgress::links(double fraction) {
  if (!enabled_ && !observer_) return;
  const std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;  // another thread is printing: its line will do
  const auto now = std::chrono::steady_clock::now();
  if (observer_ && now - last_told_ >= std::chrono::milliseconds(100)) {
    last_told_ = now;
    observer_("radio links", std::min(1.0, fraction));
  }
  if (!enabled_) return;
  if (now - start_ < std::chrono::seconds(1)) return;
  if (tty_) {
    if (shown_ && now - last_print_ < std::chrono::milliseconds(250)) return;
  } else {
    const int quarter = static_cast<int>(4.0 * fraction);
    if (quarter == last_quarter_ || quarter >= 4) return;
    last_quarter_ = quarter;
  }
  last_print_ = now;
  char buf[48];
  std::snprintf(buf, sizeof buf, "radio links %5.1f %%", 100.0 * std::min(1.0, fraction));
  print(buf, false);
}

void SetUpProgress::step(const std::string& what) {
  const std::lock_guard lock(mutex_);
  if (observer_) observer_(what, 1.0);
  if (!enabled_) return;
  if (shown_ || std::chrono::steady_clock::now() - start_ >= std::chrono::seconds(1)) print(what, false);
}

void SetUpProgress::finish() {
  const std::lock_guard lock(mutex_);
  if (observer_) observer_("built", 1.0);
  if (!enabled_) return;
  if (shown_) print("built", true);
}

void SetUpProgress::print(const std::string& what, bool final_line) {
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "%scitytwin: city of %zu devices and %zu gateways: %s  wall %.1f s  RSS %s%s",
               tty_ ? "\r" : "", devices_, gateways_, what.c_str(), wall,
               format_bytes(static_cast<double>(resident_memory_bytes())).c_str(),
               tty_ && !final_line ? "   " : "\n");
  std::fflush(stderr);
  shown_ = true;
}

}  // namespace citytwin::sim::app
