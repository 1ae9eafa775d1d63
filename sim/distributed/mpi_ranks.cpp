#include "sim/distributed/mpi_ranks.hpp"

#include "sim/core/run_error.hpp"

#ifdef CITYTWIN_HAVE_MPI
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#endif

namespace citytwin::sim::distributed {

#ifndef CITYTWIN_HAVE_MPI

std::unique_ptr<core::Ranks> make_mpi_ranks() {
  throw core::RunError(
      "this citytwin was built without MPI (CMake did not find it): install libopenmpi-dev and rebuild");
}

#else

namespace {

int checked_count(uint64_t bytes) {
  if (bytes > static_cast<uint64_t>(INT_MAX))
    throw core::RunError("one window's exchange between ranks is over 2 GiB (" + std::to_string(bytes) +
                         " B): use a shorter run.window");
  return static_cast<int>(bytes);
}

class MpiRanks final : public core::Ranks {
 public:
  MpiRanks() {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised) {
      MPI_Init(nullptr, nullptr);
      owns_mpi_ = true;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiRanks() override {
    if (owns_mpi_) MPI_Finalize();
  }
  MpiRanks(const MpiRanks&) = delete;
  MpiRanks& operator=(const MpiRanks&) = delete;

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  // One collective per call in the usual case: every rank sends a slot of the same size (its share's
  // size first, then the share); the shares that do not fit follow in a second all-gather, and the
  // slot grows to the largest share seen. A window's exchange is latency-bound, so one collective
  // instead of two (sizes, then shares) halves its cost.
  std::vector<std::byte> all_gather(std::span<const std::byte> mine, std::vector<size_t>& sizes) override {
    const uint64_t my_size = mine.size();
    const size_t slot = sizeof(uint64_t) + slot_bytes_;
    std::vector<std::byte> send(slot);
    std::memcpy(send.data(), &my_size, sizeof my_size);
    std::memcpy(send.data() + sizeof my_size, mine.data(), std::min<size_t>(mine.size(), slot_bytes_));
    std::vector<std::byte> slots(slot * static_cast<size_t>(size_));
    MPI_Allgather(send.data(), checked_count(slot), MPI_BYTE, slots.data(), checked_count(slot), MPI_BYTE,
                  MPI_COMM_WORLD);
    std::vector<uint64_t> all_sizes(static_cast<size_t>(size_));
    uint64_t total = 0, largest = 0;
    for (size_t r = 0; r < all_sizes.size(); ++r) {
      std::memcpy(&all_sizes[r], slots.data() + r * slot, sizeof(uint64_t));
      total += all_sizes[r];
      largest = std::max(largest, all_sizes[r]);
    }
    std::vector<std::byte> all(total);
    sizes.assign(all_sizes.begin(), all_sizes.end());
    if (largest > slot_bytes_) {  // the overflow of every share, then the slot grows
      std::vector<uint64_t> rest(all_sizes.size());
      for (size_t r = 0; r < rest.size(); ++r) rest[r] = all_sizes[r] - std::min(all_sizes[r], slot_bytes_);
      std::vector<int> counts, displs;
      std::vector<size_t> rest_sizes;
      std::vector<std::byte> overflow(layout(rest, counts, displs, rest_sizes));
      const size_t my_rest = mine.size() - std::min<size_t>(mine.size(), slot_bytes_);
      MPI_Allgatherv(mine.data() + (mine.size() - my_rest), checked_count(my_rest), MPI_BYTE, overflow.data(),
                     counts.data(), displs.data(), MPI_BYTE, MPI_COMM_WORLD);
      size_t at = 0, over = 0;
      for (size_t r = 0; r < all_sizes.size(); ++r) {
        const size_t in_slot = std::min(all_sizes[r], slot_bytes_);
        std::memcpy(all.data() + at, slots.data() + r * slot + sizeof(uint64_t), in_slot);
        std::memcpy(all.data() + at + in_slot, overflow.data() + over, rest[r]);
        at += all_sizes[r];
        over += rest[r];
      }
      slot_bytes_ = largest + largest / 4;
      return all;
    }
    size_t at = 0;
    for (size_t r = 0; r < all_sizes.size(); ++r) {
      std::memcpy(all.data() + at, slots.data() + r * slot + sizeof(uint64_t), all_sizes[r]);
      at += all_sizes[r];
    }
    return all;
  }

  std::vector<std::byte> gather(std::span<const std::byte> mine, std::vector<size_t>& sizes) override {
    const uint64_t my_size = mine.size();
    std::vector<uint64_t> all_sizes(static_cast<size_t>(size_));
    MPI_Gather(&my_size, 1, MPI_UINT64_T, all_sizes.data(), 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    std::vector<int> counts, displs;
    std::vector<std::byte> all;
    sizes.clear();
    if (rank_ == 0) all.resize(layout(all_sizes, counts, displs, sizes));
    MPI_Gatherv(mine.data(), checked_count(my_size), MPI_BYTE, all.data(), counts.data(), displs.data(),
                MPI_BYTE, 0, MPI_COMM_WORLD);
    return all;
  }

  [[noreturn]] void abort(int status) override {
    MPI_Abort(MPI_COMM_WORLD, status);
    std::_Exit(status);  // MPI_Abort does not return; in case it does
  }

 private:
  static uint64_t layout(const std::vector<uint64_t>& all_sizes, std::vector<int>& counts,
                         std::vector<int>& displs, std::vector<size_t>& sizes) {
    uint64_t total = 0;
    counts.clear();
    displs.clear();
    sizes.clear();
    for (uint64_t s : all_sizes) {
      displs.push_back(checked_count(total));
      counts.push_back(checked_count(s));
      sizes.push_back(static_cast<size_t>(s));
      total += s;
    }
    checked_count(total);
    return total;
  }

  int rank_ = 0;
  int size_ = 1;
  uint64_t slot_bytes_ = 4096;  // all_gather's slot, grown to the largest share seen
  bool owns_mpi_ = false;
};

}  // namespace

std::unique_ptr<core::Ranks> make_mpi_ranks() { return std::make_unique<MpiRanks>(); }

#endif

}  // namespace citytwin::sim::distributed
