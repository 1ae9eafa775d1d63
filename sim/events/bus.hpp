// The event bus of one run: per event type, the handlers subscribed to it, called in subscription
// order on every publish. Dispatch is static (the type picks the handler list at compile time); each
// handler is one indirect call, what a callback costs (bench/RESULTS.md: no measurable cost on the
// reference day). Subscribe before the first window; components and recorders must outlive the bus's
// use. Not thread-safe: publish from the run's thread (between the parallel parts).
#pragma once

#include <functional>
#include <tuple>
#include <utility>
#include <vector>

#include "sim/events/events.hpp"

namespace citytwin::sim::events {

template <class... Events>
class BasicBus {
 public:
  template <class Event, class Handler>
  void subscribe(Handler&& handler) {
    handlers<Event>().emplace_back(std::forward<Handler>(handler));
  }
  template <class Event>
  void publish(const Event& event) const {
    for (const auto& h : handlers<Event>()) h(event);
  }
  template <class Event>
  bool has_subscribers() const {
    return !handlers<Event>().empty();
  }

 private:
  template <class Event>
  using List = std::vector<std::function<void(const Event&)>>;
  template <class Event>
  List<Event>& handlers() {
    return std::get<List<Event>>(lists_);
  }
  template <class Event>
  const List<Event>& handlers() const {
    return std::get<List<Event>>(lists_);
  }
  std::tuple<List<Events>...> lists_;
};

// Every event of a run (sim/events/events.hpp). A new event type is added here.
using Bus = BasicBus<FrameResolved, CopyDelivered, CopyDropped, MessageIngested, ChargeDrawn, StreamStarted,
                     AlertRaised, DownlinkSent, MessageBrokered>;

}  // namespace citytwin::sim::events
