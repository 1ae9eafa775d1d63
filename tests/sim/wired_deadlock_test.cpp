// A SimGrid deadlock (activities that can never complete) ends the run with an error. SimGrid reports
// it, kills the actors and returns from Engine::run as if the simulation had ended; without the check
// the run went on and wrote a trace marked complete with most of its uplinks missing.
#include <gtest/gtest.h>

#include <simgrid/s4u.hpp>
#include <string>

#include "sim/app/run.hpp"
#include "sim/drivers/gateway_timeline.hpp"
#include "sim/network/wired_network.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::sim {
namespace {

using app::RunError;
using network::WiredNetwork;
using scenario::load_scenario_text;
using scenario::Scenario;

namespace s4u = simgrid::s4u;

const std::string kCity =
    "city:\n"
    "  districts:\n"
    "    - {name: centre, origin: [0 m, 0 m], size: [1 km, 1 km]}\n"
    "devices:\n"
    "  - {name: meters, count: 2, districts: [centre], interval: 1 min}\n"
    "gateways:\n"
    "  - {name: gw, position: [500 m, 500 m], backhaul: {fibre_length: 2 km}}\n"
    "run:\n"
    "  duration: 1 h\n";

TEST(WiredDeadlock, ARunWithoutDeadlockDrainsCleanly) {
  const Scenario sc = load_scenario_text(kCity, "<test>");
  const drivers::GatewayTimeline timeline(sc, {});
  WiredNetwork wired(
      sc, timeline, [](uint64_t, double, int) { return network::WiredNetwork::Delivery::Delivered; },
      [](uint64_t, output::FailReason, int) {});
  wired.forward(0, 1, 0.5);
  wired.advance(10.0);
  EXPECT_NO_THROW(wired.drain(10.0));
}

TEST(WiredDeadlock, AnActorWaitingForeverFailsTheRun) {
  const Scenario sc = load_scenario_text(kCity, "<test>");
  const drivers::GatewayTimeline timeline(sc, {});
  WiredNetwork wired(
      sc, timeline, [](uint64_t, double, int) { return network::WiredNetwork::Delivery::Delivered; },
      [](uint64_t, output::FailReason, int) {});
  // A receive nobody will ever send to: SimGrid can only report a deadlock.
  s4u::Actor::create("stuck", s4u::Host::by_name("platform"),
                     [] { (void)s4u::Mailbox::by_name("nobody")->get<int>(); });
  try {
    wired.drain(10.0);
    ADD_FAILURE() << "the deadlock went unnoticed";
  } catch (const RunError& e) {
    EXPECT_NE(std::string(e.what()).find("deadlocked"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace citytwin::sim
