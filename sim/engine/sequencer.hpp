// Numbers the uplinks of every radio: transmissions enter window by window (any order) and leave, once
// every transmission that could start before them is known, in (t_start, device) order with their
// seq (0, 1, 2, ...). That order is the order of /messages. A transmission starting before the
// window's end t_s needs an event before t_s, so every such transmission has been produced by then.
//
// Transmissions that start after the window they were produced in (the firmware wakes and senses first,
// a duty-cycle wait, an NB-IoT module getting ready) wait in a heap. The realistic 1 M city keeps ~12,800 of
// them against ~1,250 released a window: the earlier design sorted all of them again every window (std::sort
// of the waiting and the new together): 6.6 % of the samples of that hour, its set-up included
// (bench/RESULTS.md).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "sim/engine/fleet.hpp"

namespace citytwin::sim::engine {

class Sequencer {
 public:
  // Takes the transmissions produced up to window end t_s (produced is emptied) and calls
  // take(seq, tx) for every one that starts before t_s, in (t_start, device) order; the others wait
  // for a later window. Transmissions must all start at or after the previous t_s.
  template <class Take>
  void release(std::vector<Transmission>& produced, double t_s, Take&& take) {
    due_.clear();
    for (const Transmission& tx : produced) {
      if (tx.t_start_s < t_s) {
        due_.push_back(tx);
      } else {
        waiting_.push_back(tx);
        std::push_heap(waiting_.begin(), waiting_.end(), later);
      }
    }
    produced.clear();
    const auto fresh = static_cast<std::ptrdiff_t>(due_.size());
    std::sort(due_.begin(), due_.end(), tx_before);
    // The waiting ones now due leave the heap in order; the two sorted runs are merged.
    while (!waiting_.empty() && waiting_.front().t_start_s < t_s) {
      std::pop_heap(waiting_.begin(), waiting_.end(), later);
      due_.push_back(waiting_.back());
      waiting_.pop_back();
    }
    std::inplace_merge(due_.begin(), due_.begin() + fresh, due_.end(), tx_before);
    for (const Transmission& tx : due_) take(next_seq_++, tx);
  }

  // Transmissions numbered so far (the next seq).
  uint64_t numbered() const { return next_seq_; }
  bool idle() const { return waiting_.empty(); }

 private:
  // A type, not a function pointer, so that the heap's comparisons are inlined.
  struct Later {
    bool operator()(const Transmission& a, const Transmission& b) const { return tx_before(b, a); }
  };
  static constexpr Later later{};
  // A min-heap on (t_start, device): produced in an earlier window, starting after its end.
  std::vector<Transmission> waiting_;
  std::vector<Transmission> due_;  // this window's, in order
  uint64_t next_seq_ = 0;
};

}  // namespace citytwin::sim::engine
