// Numbers the uplinks of every radio: transmissions enter window by window (any order) and leave, once
// every transmission that could start before them is known, in (t_start, device) order with their
// seq (0, 1, 2, ...). That order is the order of /messages. A transmission starting before the
// window's end t_s needs an event before t_s, so every such transmission has been produced by then.
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
    staged_.insert(staged_.end(), produced.begin(), produced.end());
    produced.clear();
    std::sort(staged_.begin(), staged_.end(), tx_before);
    const auto split = std::partition_point(staged_.begin(), staged_.end(),
                                            [&](const Transmission& tx) { return tx.t_start_s < t_s; });
    for (auto it = staged_.begin(); it != split; ++it) take(next_seq_++, *it);
    staged_.erase(staged_.begin(), split);
  }

  // Transmissions numbered so far (the next seq).
  uint64_t numbered() const { return next_seq_; }
  bool idle() const { return staged_.empty(); }

 private:
  std::vector<Transmission> staged_;  // produced but starting at or after the last window end
  uint64_t next_seq_ = 0;
};

}  // namespace citytwin::sim::engine
