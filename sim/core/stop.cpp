#include "sim/core/stop.hpp"

#include <csignal>

namespace citytwin::sim::core {
namespace {
volatile std::sig_atomic_t g_stop_requested = 0;
}  // namespace

void request_stop() { g_stop_requested = 1; }
bool stop_requested() { return g_stop_requested != 0; }
void clear_stop() { g_stop_requested = 0; }

}  // namespace citytwin::sim::core
