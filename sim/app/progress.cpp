#include "sim/app/progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <string>

namespace citytwin::sim::app {
namespace {

std::string hms(double s) {
  const auto total = static_cast<long long>(std::floor(s));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
  return buf;
}

}  // namespace

Progress::Progress(double duration_s, bool enabled)
    : duration_s_(duration_s),
      enabled_(enabled),
      tty_(isatty(STDERR_FILENO) != 0),
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
    if (decile == last_decile_ || decile >= 10) return;
    last_decile_ = decile;
  }
  last_print_ = now;
  print(sim_s, uplinks, false);
}

void Progress::finish(double sim_s, uint64_t uplinks, bool complete) {
  if (!enabled_) return;
  print(sim_s, uplinks, true);
  if (!complete) std::fprintf(stderr, "citytwin: stopped early at %s simulated\n", hms(sim_s).c_str());
}

void Progress::print(double sim_s, uint64_t uplinks, bool final_line) {
  const double wall = wall_s();
  const double fraction = duration_s_ > 0.0 ? sim_s / duration_s_ : 1.0;
  std::string eta = "--";
  if (final_line) {
    eta = "0 s";
  } else if (fraction > 0.001) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f s", wall * (1.0 - fraction) / fraction);
    eta = buf;
  }
  std::fprintf(stderr, "%scitytwin: sim %s / %s (%5.1f %%)  wall %.1f s  ETA %s  uplinks %llu%s",
               tty_ ? "\r" : "", hms(sim_s).c_str(), hms(duration_s_).c_str(), 100.0 * fraction, wall,
               eta.c_str(), static_cast<unsigned long long>(uplinks), tty_ && !final_line ? "   " : "\n");
  std::fflush(stderr);
}

}  // namespace citytwin::sim::app
