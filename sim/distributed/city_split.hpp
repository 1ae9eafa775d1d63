// One city over ranks (`mpirun -n R citytwin run big.yaml`): each rank steps the devices of its own
// districts in its engine::Fleet; at every window's end the ranks exchange the transmissions they
// produced (all-gather), so that every rank numbers every uplink in the same (t_start, device) order
// and resolves the radio media identically: the downlinks (ACKs, ADR) and NB-IoT charges that reach a
// rank's own devices are then the ones a single process would post. Rank 0 alone runs the wired
// network, the platform and the recorder, and writes the trace; after the last window it adopts the
// other ranks' device states (battery, dead, duty-cycle deferrals) for the KPIs. The trace is the
// one a single process writes, bit for bit (tests/python/test_city_over_ranks.py).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/city/city_layout.hpp"
#include "sim/core/ranks.hpp"
#include "sim/engine/fleet.hpp"

namespace citytwin::sim::distributed {

// What crossed between ranks, counted on this rank (rank 0 prints it: bench/RESULTS.md's model).
struct ExchangeVolume {
  uint64_t windows = 0;
  uint64_t bytes_sent = 0;        // this rank's share of every all-gather (header included)
  uint64_t bytes_received = 0;    // every rank's shares, its own excluded
  uint64_t transmissions = 0;     // produced by this rank
  uint64_t max_window_bytes = 0;  // the largest all-gather (every rank's shares together)
  uint64_t collectives = 0;       // all-gathers and gathers made
};

class CitySplit {
 public:
  // Districts go to ranks in contiguous blocks of about equal device counts (deterministic: every rank
  // computes the same split). `ranks` must outlive the split.
  CitySplit(const city::CityLayout& city, core::Ranks& ranks);

  int rank() const { return ranks_.rank(); }
  int ranks() const { return ranks_.size(); }
  bool root() const { return ranks_.rank() == 0; }
  // Per district: 1 where this rank steps it (engine::Fleet::keep_districts).
  const std::vector<uint8_t>& owned_districts() const { return owned_; }
  int owner_of_district(uint16_t district) const { return owner_[district]; }

  // At a window's end: this rank's produced transmissions go to every rank; produced becomes every
  // rank's, in rank order (the sequencer sorts them). `stop` is this rank's stop request; returns
  // whether any rank asked to stop (every rank then stops after this window, together).
  bool exchange(std::vector<engine::Transmission>& produced, bool stop);
  // After the last window and Fleet::finish: the other ranks send their devices' battery and death,
  // and their duty-cycle deferrals; rank 0 adopts them into its fleet.
  void gather_fleet(engine::Fleet& fleet);

  const ExchangeVolume& volume() const { return volume_; }

 private:
  const city::CityLayout& city_;
  core::Ranks& ranks_;
  std::vector<int> owner_;  // per district
  std::vector<uint8_t> owned_;
  ExchangeVolume volume_;
};

}  // namespace citytwin::sim::distributed
