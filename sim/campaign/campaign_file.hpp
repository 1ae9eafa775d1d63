// The campaign file of `citytwin sweep` (docs/CAMPAIGNS.md): a scenario, seeds (a count or a list), a
// grid of overrides and an output folder. The product of the grid's axes (in the order written, the
// first slowest) times the seeds is the run list; each run's id is run_id() of the scenario text, its
// overrides, its seed and the bytes of the data files the scenario reads with those overrides, and its
// trace is <out>/runs/<id>.h5. Loading a campaign loads the scenario once per grid point (to find those
// files), and refuses the campaign when the first run's scenario does not load.
//
//   scenario: ../scenarios/quickstart.yaml   # relative to the campaign file
//   seeds: 3                                 # 1, 2, 3; or a list: [7, 11]
//   set: {run.duration: 1 h}                 # overrides of every run (optional)
//   grid:                                    # key path -> list of values (optional)
//     devices[0].interval: [5 min, 10 min]
//     gateways[0:2].backhaul.fibre_length: [1 km, 5 km]
//   out: results/quickstart                  # default: the campaign file's name without .yaml
//
// Errors are collected and thrown as scenario::ScenarioError ("file:line:col: key.path: message").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace citytwin::sim::campaign {

struct Axis {
  std::string key;                  // a key path as --set takes it, e.g. devices[0].interval
  std::vector<std::string> values;  // each as YAML text (flow style), e.g. "5 min", "{name: gw9}"
};

struct Campaign {
  std::string file;                // the campaign file, or "<text>"
  std::string text;                // the campaign YAML as read
  std::string scenario_path;       // the scenario file (made relative to the campaign file's folder)
  std::string scenario_text;       // the scenario YAML as read (part of every run's id; what each run runs)
  std::vector<std::string> fixed;  // the "set:" overrides, key.path=value, applied before the axis ones
  std::vector<Axis> axes;
  std::vector<uint64_t> seeds;
  std::string out;  // the output folder
  int jobs = 0;     // 0: not given (the command line or the cores decide)
  int threads = 1;  // worker threads of each run
  // Per grid point (in expand_campaign's order): the SHA-256 of each data file its scenario reads
  // (scenario::Scenario::data_files), taken when the campaign was loaded; empty for a point whose
  // scenario does not load (its runs fail) or when not loaded.
  std::vector<std::vector<std::string>> data_digests;
};

struct CampaignRun {
  size_t index = 0;
  std::vector<size_t> point;  // the index of this run's value on each axis
  uint64_t seed = 0;
  std::vector<std::string> overrides;  // fixed, then one per axis
  std::string id;
  std::string trace_path;  // <out>/runs/<id>.h5
};

// Reads a campaign file; relative paths in it are taken from the file's folder.
Campaign load_campaign_file(const std::string& path);
// Reads campaign YAML; relative paths are taken from base_dir.
Campaign load_campaign_text(const std::string& text, const std::string& source_name,
                            const std::string& base_dir);

// The runs, in order: grid points (first axis slowest), each with every seed.
std::vector<CampaignRun> expand_campaign(const Campaign& campaign);

// "devices[0].interval=5 min, seed 2": how messages name a run.
std::string describe_run(const Campaign& campaign, const CampaignRun& run);

}  // namespace citytwin::sim::campaign
