// `citytwin sweep CAMPAIGN.yaml [--jobs J] [--quiet]`: runs a campaign (docs/CAMPAIGNS.md) locally on a
// process pool, or over MPI ranks when started by mpirun with several ranks. Exit codes: 0 every run
// made, 1 some runs failed (the others completed), 2 a bad campaign file or command line, 130 stopped
// (finished runs are kept; the same command restarts it).
#pragma once

#include <string>
#include <vector>

namespace citytwin::sim::cli {

int sweep(const std::vector<std::string>& args);

}  // namespace citytwin::sim::cli
