// A campaign over MPI ranks (`mpirun -n R citytwin sweep CAMPAIGN.yaml`): rank 0 decides which runs are
// still to make (restart), hands out run indices one at a time to any rank that asks (dynamic
// assignment: a slow run holds up no queue), makes runs itself between requests, collects every
// rank's results and writes the merged summary. Every rank runs its runs on its own process pool
// (jobs per rank, default 1) and writes their traces to <out>/runs (a folder all ranks share).
// Compiled only when CMake found MPI (CITYTWIN_HAVE_MPI).
#pragma once

#include "sim/campaign/campaign.hpp"

namespace citytwin::sim::campaign {

// Whether this process was started by mpirun with more than one rank (Open MPI's, MPICH's or PMIx's
// environment variables), so that `sweep` must use MPI.
bool launched_by_mpirun_with_several_ranks();
// This process's rank as mpirun's environment gives it, before MPI is initialised (0 when not launched
// with several ranks), so that only rank 0 prints what every rank would print alike (warnings).
int rank_from_mpirun_environment();
// Whether this binary was built with MPI.
bool mpi_available();

// Runs the campaign over the ranks of MPI_COMM_WORLD (initialises and finalises MPI). Rank 0 returns
// the merged result (and wrote it); the other ranks return what they made (rows of other runs not_run).
CampaignResult run_campaign_mpi(const Campaign& campaign, const CampaignOptions& options, int& rank);

}  // namespace citytwin::sim::campaign
