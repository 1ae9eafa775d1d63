// Campaigns (sim/campaign): the campaign file and its located errors, stable run ids, slices in
// overrides, and the process pool: the same KPIs as runs made one by one, a failing grid value recorded
// while the rest complete, and a restart that makes only the missing runs.
#include "sim/campaign/campaign.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "output/campaign_tables.hpp"
#include "sim/app/isolated_run.hpp"
#include "sim/campaign/row_text.hpp"
#include "sim/campaign/run_id.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim_test_support.hpp"

namespace citytwin::sim::campaign {
namespace {

namespace fs = std::filesystem;
using citytwin::test::TempDir;

const std::string kQuickstart = std::string(CITYTWIN_SOURCE_DIR) + "/scenarios/quickstart.yaml";

// 2 x 3 grid x 2 seeds = 12 short runs of the quickstart town.
std::string campaign_text(const std::string& out, const std::string& sf_values = "[7, 8, 9]") {
  return "scenario: " + kQuickstart +
         "\n"
         "seeds: 2\n"
         "set: {run.duration: 30 min}\n"
         "grid:\n"
         "  devices[0].interval: [5 min, 10 min]\n"
         "  devices[1].radio.sf: " +
         sf_values + "\nout: " + out + "\n";
}

Campaign load_text(const std::string& text) { return load_campaign_text(text, "c.yaml", ""); }

std::string error_of(const std::string& text) {
  try {
    load_text(text);
  } catch (const scenario::ScenarioError& e) {
    return e.what();
  }
  return "";
}

TEST(RunId, IsTheSha256OfTheInputsAsNetstrings) {
  // sha256("3:abc,5:x.y=1,1:7,") computed with coreutils' sha256sum.
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(run_id("abc", {"x.y=1"}, 7), "01d61c134fd491ab");
  EXPECT_NE(run_id("abc", {"x.y=1"}, 7), run_id("abc ", {"x.y=1"}, 7));
  EXPECT_NE(run_id("abc", {"x.y=1"}, 7), run_id("abc", {"x.y=1"}, 8));
  EXPECT_NE(run_id("abc", {"x.y=1", "z=2"}, 7), run_id("abc", {"x.y=1,z=2"}, 7));
  // The data files' digests follow the seed; without any the id is the one above.
  EXPECT_EQ(run_id("abc", {"x.y=1"}, 7, {}), "01d61c134fd491ab");
  EXPECT_EQ(run_id("abc", {"x.y=1"}, 7, {"d1"}), sha256_hex("3:abc,5:x.y=1,1:7,2:d1,").substr(0, 16));
  EXPECT_NE(run_id("abc", {"x.y=1"}, 7, {"d1"}), run_id("abc", {"x.y=1"}, 7, {"d2"}));
}

TEST(CampaignFile, ExpandsTheProductOfTheAxesAndSeedsWithStableIds) {
  TempDir dir;
  const Campaign c = load_text(campaign_text(dir.file("out")));
  ASSERT_EQ(c.axes.size(), 2u);
  EXPECT_EQ(c.axes[0].values, (std::vector<std::string>{"5 min", "10 min"}));
  EXPECT_EQ(c.seeds, (std::vector<uint64_t>{1, 2}));
  const auto runs = expand_campaign(c);
  ASSERT_EQ(runs.size(), 12u);
  std::set<std::string> ids;
  for (const auto& r : runs) ids.insert(r.id);
  EXPECT_EQ(ids.size(), 12u);
  // The first axis slowest, the seeds fastest; the overrides are the fixed ones, then the axes'.
  EXPECT_EQ(runs[1].overrides, (std::vector<std::string>{"run.duration=30 min", "devices[0].interval=5 min",
                                                         "devices[1].radio.sf=7"}));
  EXPECT_EQ(runs[1].seed, 2u);
  EXPECT_EQ(runs[11].overrides.back(), "devices[1].radio.sf=9");
  EXPECT_EQ(runs[11].overrides[1], "devices[0].interval=10 min");
  EXPECT_EQ(runs[0].id, run_id(c.scenario_text, runs[0].overrides, 1));
  EXPECT_EQ(runs[0].trace_path, dir.file("out") + "/runs/" + runs[0].id + ".h5");
  // Loading again gives the same ids.
  EXPECT_EQ(expand_campaign(load_text(campaign_text(dir.file("out"))))[7].id, runs[7].id);
}

TEST(CampaignFile, BadCampaignsAreLocated) {
  EXPECT_EQ(error_of("scenario: " + kQuickstart + "\nseeds: 0\n"),
            "c.yaml:2:8: seeds: expected a count (1..1000000) or a list of seeds");
  EXPECT_EQ(error_of("scenario: " + kQuickstart + "\ngrid:\n  run.duration: []\n"),
            "c.yaml:3:17: grid.run.duration: expected a non-empty list of values, e.g. [5 min, 10 min]");
  EXPECT_EQ(error_of("scenario: " + kQuickstart + "\nseeds: [1, x]\n"),
            "c.yaml:2:12: seeds[1]: expected an unsigned 64-bit integer");
  EXPECT_EQ(error_of("scenario: " + kQuickstart + "\nsede: 3\n"),
            "c.yaml:2:1: sede: unknown key (expected scenario, seeds, grid, set, out, jobs, threads)");
  EXPECT_EQ(error_of("scenario: /nonexistent.yaml\n"), "c.yaml: scenario: cannot read '/nonexistent.yaml'");
  EXPECT_EQ(error_of("scenario: " + kQuickstart + "\ngrid:\n  seed: [1, 2]\n"),
            "c.yaml:3:3: grid.seed: 'seed' names a column of the summary, not a scenario key");
  EXPECT_EQ(output::campaign_kpi_column("devices", {"devices", "run.seed"}), "kpi.devices");
  EXPECT_EQ(output::campaign_kpi_column("status", {}), "kpi.status");
  EXPECT_EQ(output::campaign_kpi_column("delivery_ratio", {"devices"}), "delivery_ratio");
  EXPECT_EQ(error_of("scenario: " + kQuickstart + "\ngrid:\n  a.b: [1, 1]\n"),
            "c.yaml:3:12: grid.a.b[1]: value '1' given twice");
}

TEST(CampaignFile, AnOverrideOfTheSeedIsRefusedPointingAtSeeds) {
  const std::string head = "scenario: " + kQuickstart + "\n";
  const std::string hint =
      "the campaign sets each run's seed: give the seeds as seeds: (a count, or a list such as [7, 11]), "
      "not as an override of run.seed";
  EXPECT_EQ(error_of(head + "grid:\n  run.seed: [1, 2]\n"), "c.yaml:3:3: grid.run.seed: " + hint);
  EXPECT_EQ(error_of(head + "set: {run.seed: 5}\n"), "c.yaml:2:7: set.run.seed: " + hint);
  EXPECT_EQ(error_of(head + "set: [run.seed=5]\n"), "c.yaml:2:7: set[0]: " + hint);
  EXPECT_EQ(error_of(head + "set: {run: {duration: 1 h, seed: 5}}\n"), "c.yaml:2:7: set.run: " + hint);
}

TEST(CampaignFile, AKeyGivenTwiceInGridOrSetIsRefusedAtItsLine) {
  const std::string head = "scenario: " + kQuickstart + "\n";
  // yaml-cpp keeps both entries: two axes of one key made every run, then no summary (one column twice).
  EXPECT_EQ(error_of(head + "grid:\n  devices[1].interval: [5 min]\n  devices[1].interval: [10 min]\n"),
            "c.yaml:4:3: grid.devices[1].interval: given twice (first at line 3)");
  // The same key written another way is the same key.
  EXPECT_EQ(error_of(head + "grid:\n  devices[1].interval: [5 min]\n  devices.1.interval: [10 min]\n"),
            "c.yaml:4:3: grid.devices.1.interval: given twice (first at line 3)");
  EXPECT_EQ(error_of(head + "set:\n  run.duration: 1 h\n  run.duration: 2 h\n"),
            "c.yaml:4:3: set.run.duration: given twice (first at line 3); to give a key twice on purpose "
            "(gateways[+]), write set: as a list of key.path=value");
  // The list form of set: is where a key may be given twice.
  EXPECT_EQ(error_of(head + "set: [\"gateways[+]={name: g8, position: [1 km, 1 km]}\", "
                            "\"gateways[+]={name: g9, position: [2 km, 1 km]}\"]\n"),
            "");
}

TEST(CampaignFile, AKeyOfSetThatAGridAxisReplacesIsRefusedAtItsLine) {
  const std::string head = "scenario: " + kQuickstart + "\n";
  const std::string grid = "grid:\n  devices[1].interval: [5 min, 10 min]\n";
  // The axis's values were applied after set:'s, which no run used.
  EXPECT_EQ(error_of(head + "set:\n  run.duration: 1 h\n  devices[1].interval: 1 min\n" + grid),
            "c.yaml:4:3: set.devices[1].interval: also the axis grid.devices[1].interval (line 6), whose "
            "values would replace it in every run: give devices[1].interval in one place (set: for one "
            "value, grid: for several)");
  EXPECT_EQ(error_of(head + grid + "set: [run.duration=1 h, devices.1.interval=1 min]\n"),
            "c.yaml:4:25: set[1]: also the axis grid.devices[1].interval (line 3), whose values would "
            "replace it in every run: give devices.1.interval in one place (set: for one value, grid: for "
            "several)");
  EXPECT_EQ(
      error_of(head + "set:\n  devices[1].radio.sf: 9\ngrid:\n  devices[1].radio: [{sf: 7}, {sf: 8}]\n"),
      "c.yaml:3:3: set.devices[1].radio.sf: inside the axis grid.devices[1].radio (line 5), whose "
      "values would replace it in every run: write it into the axis's values instead");
  // An axis below a set: key refines it, a key next to it is another key, and appends add entries.
  EXPECT_EQ(error_of(head + "set:\n  devices[1].radio: {sf: 9}\ngrid:\n  devices[1].radio.sf: [7, 8]\n"), "");
  EXPECT_EQ(error_of(head + "set:\n  devices[0].interval: 1 min\n" + grid), "");
  EXPECT_EQ(error_of(head + "set: [\"gateways[+]={name: g8, position: [1 km, 1 km]}\"]\n" +
                     "grid:\n  gateways[+]: [{name: g9, position: [2 km, 1 km]}]\n"),
            "");
}

TEST(CampaignFile, AKeyTheScenarioRefusesIsRefusedBeforeAnyRunAtItsPlace) {
  const std::string head = "scenario: " + kQuickstart + "\n";
  // A misspelt axis: every axis is in the first run, which is loaded before any run.
  const std::string typo = error_of(head + "grid:\n  devices[1].intervall: [5 min, 10 min]\n");
  EXPECT_EQ(
      typo.rfind("c.yaml:3:3: grid.devices[1].intervall: the scenario refuses devices[1].intervall=5 min: "
                 "devices[1].intervall: ",
                 0),
      0u)
      << typo;
  EXPECT_NE(typo.find("did you mean 'interval'"), std::string::npos) << typo;
  EXPECT_EQ(error_of(head + "set: {run.durration: 1 h}\n").rfind("c.yaml:2:7: set.run.durration: ", 0), 0u);
  // A later value the scenario refuses fails only its runs (AFailingGridValueIsRecordedAndTheRestComplete).
  EXPECT_EQ(error_of(head + "grid:\n  devices[1].radio.sf: [7, 13]\n"), "");
  // A scenario that does not load: the campaign's scenario key, then the scenario's own errors.
  TempDir dir;
  const std::string broken = dir.write("broken.yaml", "city: {name: x}\n");
  const std::string refused = error_of("scenario: " + broken + "\n");
  EXPECT_EQ(
      refused.rfind("c.yaml:1:11: scenario: '" + broken +
                        "' does not load with the first run's overrides (its errors follow)\n" + broken + ":",
                    0),
      0u)
      << refused;
}

// A town whose river level comes from river.csv next to the scenario: a run of it reads that file.
const std::string kRiverTown = R"(city:
  districts:
    - {name: low, origin: [0 km, 0 km], size: [2 km, 1 km]}
devices:
  - {name: gauges, type: river_level, count: 5, districts: [low], interval: 10 min}
gateways:
  - {name: gw, position: [1 km, 0.5 km]}
drivers:
  river_level: {csv: river.csv, interpolation: linear}
run: {duration: 1 h, seed: 3}
)";

TEST(CampaignFile, TheRunIdCoversTheDataFilesTheScenarioReads) {
  TempDir dir;
  dir.write("town.yaml", kRiverTown);
  dir.write("river.csv", "time,level\n0 h,1.0\n1 h,2.0\n");
  dir.write("river2.csv", "time,level\n0 h,1.0\n1 h,2.0\n");
  const std::string text = "scenario: town.yaml\nout: out\n";
  const auto ids = [&](const std::string& campaign) {
    std::vector<std::string> out;
    for (const auto& r : expand_campaign(load_campaign_text(campaign, "c.yaml", dir.file(""))))
      out.push_back(r.id);
    return out;
  };
  const std::vector<std::string> before = ids(text);
  ASSERT_EQ(before.size(), 1u);
  const Campaign c = load_campaign_text(text, "c.yaml", dir.file(""));
  ASSERT_EQ(c.data_digests.size(), 1u);
  EXPECT_EQ(c.data_digests[0], (std::vector<std::string>{*sha256_file_hex(dir.file("river.csv"))}));
  EXPECT_EQ(before[0], run_id(c.scenario_text, {}, 1, c.data_digests[0]));
  dir.write("river.csv", "time,level\n0 h,1.0\n1 h,2.5\n");
  EXPECT_NE(ids(text), before);
  // Each grid point hashes the files it reads: an axis over the CSV gives ids by content.
  const std::vector<std::string> by_file =
      ids(text + "grid:\n  drivers.river_level.csv: [river.csv, river2.csv]\n");
  ASSERT_EQ(by_file.size(), 2u);
  EXPECT_NE(by_file[0], by_file[1]);
  dir.write("river2.csv", "time,level\n0 h,1.0\n1 h,2.5\n");  // now the bytes of river.csv
  EXPECT_EQ(ids(text + "grid:\n  drivers.river_level.csv: [river.csv, river2.csv]\n")[0], by_file[0]);
}

TEST(CampaignPool, ARunIsMadeAgainWhenItsDataFileChanged) {
  TempDir dir;
  dir.write("town.yaml", kRiverTown);
  dir.write("river.csv", "time,level\n0 h,1.0\n1 h,2.0\n");
  CampaignOptions options;
  options.jobs = 1;
  options.progress = false;
  const std::string text = "scenario: town.yaml\nout: out\n";
  const CampaignResult first = run_campaign(load_campaign_text(text, "c.yaml", dir.file("")), options);
  ASSERT_EQ(first.executed, 1u);
  ASSERT_EQ(first.rows[0].status, "ok") << first.rows[0].error;
  EXPECT_EQ(run_campaign(load_campaign_text(text, "c.yaml", dir.file("")), options).reused, 1u);
  dir.write("river.csv", "time,level\n0 h,1.0\n1 h,5.0\n");
  const CampaignResult again = run_campaign(load_campaign_text(text, "c.yaml", dir.file("")), options);
  EXPECT_EQ(again.reused, 0u);
  EXPECT_EQ(again.executed, 1u);
  EXPECT_EQ(again.rows[0].status, "ok") << again.rows[0].error;
  EXPECT_NE(again.rows[0].run_id, first.rows[0].run_id);
}

TEST(CampaignPool, EachRunRunsTheScenarioTextItsIdCovers) {
  TempDir dir;
  dir.write("town.yaml", kRiverTown);
  dir.write("river.csv", "time,level\n0 h,1.0\n1 h,2.0\n");
  const Campaign c = load_campaign_text("scenario: town.yaml\nout: out\n", "c.yaml", dir.file(""));
  // The file edited after the campaign was loaded (while it runs): the runs still run the text
  // hashed, with river.csv found next to the scenario file.
  dir.write("town.yaml", "not: a scenario\n");
  CampaignOptions options;
  options.jobs = 1;
  options.progress = false;
  const CampaignResult result = run_campaign(c, options);
  ASSERT_EQ(result.rows[0].status, "ok") << result.rows[0].error;
  const auto record = output::read_trace_record(result.runs[0].trace_path);
  ASSERT_TRUE(record && record->complete);
  EXPECT_EQ(record->run_id, result.runs[0].id);
}

TEST(CampaignMpiRow, AnErrorWithTabsNewlinesAndBackslashesArrivesWhole) {
  output::CampaignRow row;
  row.status = "failed";
  row.error = "a\tb\nc\\d\\te\r\n\\\t\x1f end\\";
  row.error_kind = "run";
  row.wall_s = 1.25;
  row.kpis = {{"delivery_ratio", 0.5}};
  const std::string text = encode_row(7, row);
  size_t index = 0;
  output::CampaignRow back;
  decode_row(text, index, back);
  EXPECT_EQ(index, 7u);
  EXPECT_EQ(back.status, "failed");
  EXPECT_EQ(back.error, row.error);
  EXPECT_EQ(back.error_kind, "run");
  EXPECT_EQ(back.wall_s, 1.25);
  EXPECT_EQ(back.kpis, row.kpis);
  for (const std::string& s :
       {std::string("\\"), std::string("\\t"), std::string("\t\n"), std::string("x\\")})
    EXPECT_EQ(unescape_field(escape_field(s)), s);
}

TEST(Overrides, ASliceSetsEachEntryOfTheRange) {
  const auto sc = scenario::load_scenario_file(kQuickstart, {"gateways[0:2].backhaul.fibre_length=3 km"});
  ASSERT_GE(sc.gateways.size(), 3u);
  EXPECT_DOUBLE_EQ(sc.gateways[0].fibre_length_m, 3000.0);
  EXPECT_DOUBLE_EQ(sc.gateways[1].fibre_length_m, 3000.0);
  EXPECT_NE(sc.gateways[2].fibre_length_m, 3000.0);
  const auto all = scenario::load_scenario_file(kQuickstart, {"gateways[:].backhaul.fibre_length=4 km"});
  for (const auto& g : all.gateways) EXPECT_DOUBLE_EQ(g.fibre_length_m, 4000.0);
  try {
    scenario::load_scenario_file(kQuickstart, {"gateways[2:9].backhaul.fibre_length=3 km"});
    FAIL() << "an out-of-range slice was accepted";
  } catch (const scenario::ScenarioError& e) {
    EXPECT_EQ(
        std::string(e.what()),
        "--set gateways[2:9].backhaul.fibre_length=3 km: gateways[2:9]: slice 2:9 selects no entry or is out "
        "of range ('gateways' has 4 entries)");
  }
}

std::string kpi_text(const output::KpiList& kpis) {
  std::string s;
  for (const auto& [k, v] : kpis) s += k + "=" + std::to_string(v) + ";";
  return s;
}

TEST(CampaignPool, TwelveRunsGiveTheKpisOfTheSameRunsMadeOneByOne) {
  TempDir dir;
  const Campaign c = load_text(campaign_text(dir.file("out")));
  CampaignOptions options;
  options.jobs = 2;
  options.progress = false;
  const CampaignResult result = run_campaign(c, options);
  ASSERT_EQ(result.rows.size(), 12u);
  EXPECT_EQ(result.executed, 12u);
  EXPECT_EQ(result.failed, 0u);
  std::set<std::string> distinct;
  for (const auto& run : result.runs) {
    const auto& row = result.rows[run.index];
    ASSERT_EQ(row.status, "ok") << row.error;
    app::RunOptions ro;
    ro.seed = run.seed;
    ro.threads = 1;
    ro.progress = false;
    ro.output_path = dir.file("single-" + std::to_string(run.index) + ".h5");
    const auto single = app::run_isolated(app::ScenarioSource{kQuickstart, false, run.overrides}, ro);
    ASSERT_EQ(single.status, app::IsolatedOutcome::Status::Ok) << single.error;
    EXPECT_EQ(row.kpis, single.summary.kpis) << describe_run(c, run);
    EXPECT_EQ(row.by_district.columns, single.summary.by_district.columns);
    distinct.insert(kpi_text(row.kpis));
    // The trace records its run id.
    const auto record = output::read_trace_record(run.trace_path);
    ASSERT_TRUE(record && record->complete);
    EXPECT_EQ(record->run_id, run.id);
    EXPECT_EQ(record->kpis, row.kpis);
  }
  EXPECT_EQ(distinct.size(), 12u);  // every run differs: the axes and seeds reach the simulation
  EXPECT_TRUE(fs::is_regular_file(dir.file("out/summary.h5")));
  EXPECT_TRUE(fs::is_regular_file(dir.file("out/summary.csv")));
  EXPECT_TRUE(fs::is_regular_file(dir.file("out/by_district.csv")));
}

TEST(CampaignPool, AFailingGridValueIsRecordedAndTheRestComplete) {
  TempDir dir;
  const Campaign c = load_text(campaign_text(dir.file("out"), "[7, 13]"));  // SF 13 does not exist
  CampaignOptions options;
  options.jobs = 2;
  options.progress = false;
  const CampaignResult result = run_campaign(c, options);
  ASSERT_EQ(result.rows.size(), 8u);
  EXPECT_EQ(result.failed, 4u);
  for (const auto& run : result.runs) {
    const auto& row = result.rows[run.index];
    if (run.point[1] == 1) {
      EXPECT_EQ(row.status, "failed");
      EXPECT_EQ(row.error_kind, "scenario");
      EXPECT_NE(row.error.find("devices[1].radio.sf: expected 7..12, got 13"), std::string::npos)
          << row.error;
      EXPECT_TRUE(row.kpis.empty());
    } else {
      EXPECT_EQ(row.status, "ok") << row.error;
      EXPECT_FALSE(row.kpis.empty());
    }
  }
  std::ifstream csv(dir.file("out/summary.csv"));
  std::string header, line;
  std::getline(csv, header);
  EXPECT_EQ(
      header.rfind("run_id,devices[0].interval,devices[1].radio.sf,seed,status,error,error_kind,trace", 0),
      0u);
  int failed_lines = 0;
  while (std::getline(csv, line))
    if (line.find(",failed,") != std::string::npos && line.find("got 13") != std::string::npos)
      ++failed_lines;
  EXPECT_EQ(failed_lines, 4);
}

TEST(CampaignPool, ARestartMakesOnlyTheMissingRuns) {
  TempDir dir;
  const Campaign c = load_text(campaign_text(dir.file("out")));
  CampaignOptions options;
  options.jobs = 2;
  options.progress = false;
  // Stop the first invocation once 5 runs are made (as a Ctrl-C would).
  const std::string summary = dir.file("out/runs");
  const auto runs = expand_campaign(c);
  options.cancel = [&] {
    size_t complete = 0;
    for (const auto& r : runs) {
      const auto record = output::read_trace_record(r.trace_path);
      if (record && record->complete) ++complete;
    }
    return complete >= 5;
  };
  const CampaignResult first = run_campaign(c, options);
  EXPECT_TRUE(first.stopped);
  ASSERT_GE(first.executed, 5u);
  ASSERT_LT(first.executed, 12u);
  std::map<std::string, fs::file_time_type> made;
  for (const auto& r : runs) {
    const auto record = output::read_trace_record(r.trace_path);
    if (record && record->complete) made[r.id] = fs::last_write_time(r.trace_path);
  }
  // A trace of another run under this run's name (an id mismatch) is not reused.
  const auto& victim = runs[11];
  ASSERT_TRUE(made.count(runs[0].id));
  ASSERT_FALSE(made.count(victim.id));
  fs::copy_file(runs[0].trace_path, victim.trace_path, fs::copy_options::overwrite_existing);

  options.cancel = nullptr;
  const CampaignResult second = run_campaign(c, options);
  EXPECT_FALSE(second.stopped);
  EXPECT_EQ(second.reused, made.size());
  EXPECT_EQ(second.executed, 12u - made.size());
  for (const auto& r : runs) {
    EXPECT_EQ(second.rows[r.index].status, "ok");
    EXPECT_EQ(second.rows[r.index].reused, made.count(r.id) > 0);
    if (made.count(r.id)) {
      EXPECT_EQ(fs::last_write_time(r.trace_path), made[r.id]) << "a finished run was made again";
    }
    const auto record = output::read_trace_record(r.trace_path);
    ASSERT_TRUE(record && record->complete);
    EXPECT_EQ(record->run_id, r.id);
  }
}

}  // namespace
}  // namespace citytwin::sim::campaign
