// The processes one run is split over (one city over MPI ranks, sim/distributed): who this process is
// and the two collectives a split run needs. The run's rooms see only this interface; the MPI
// implementation (sim/distributed/mpi_ranks.cpp) is linked only into the executable, so the libraries,
// the Python module and the tests build without MPI.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace citytwin::sim::core {

class Ranks {
 public:
  virtual ~Ranks() = default;

  virtual int rank() const = 0;  // 0 .. size() - 1; rank 0 writes the trace
  virtual int size() const = 0;
  // Every rank's bytes on every rank, concatenated in rank order; sizes[r] is rank r's share.
  virtual std::vector<std::byte> all_gather(std::span<const std::byte> mine, std::vector<size_t>& sizes) = 0;
  // The same, on rank 0 only (the other ranks get an empty vector and sizes).
  virtual std::vector<std::byte> gather(std::span<const std::byte> mine, std::vector<size_t>& sizes) = 0;
  // Ends every rank at once with this exit status (a rank that failed must not leave the others
  // waiting in a collective).
  [[noreturn]] virtual void abort(int status) = 0;
};

}  // namespace citytwin::sim::core
