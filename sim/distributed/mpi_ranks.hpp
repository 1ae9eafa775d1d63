// The ranks of MPI_COMM_WORLD as core::Ranks, for one city over ranks (`mpirun -n R citytwin run`).
// Compiled with MPI only into the executable (citytwin_distributed_mpi; CITYTWIN_HAVE_MPI): libsimgrid
// exports its own MPI_* symbols, so MPI must come first on the link line (Open MPI's own symbols).
#pragma once

#include <memory>

#include "sim/core/ranks.hpp"

namespace citytwin::sim::distributed {

// Initialises MPI (unless already initialised) and finalises it when the returned object dies.
// Throws core::RunError when this binary was built without MPI.
std::unique_ptr<core::Ranks> make_mpi_ranks();

}  // namespace citytwin::sim::distributed
