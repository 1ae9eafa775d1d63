// A campaign's set: and grid: key paths: refused where the campaign file writes them when the scenario's
// overrides cannot read them (sim/scenario/override_path.hpp), and a set: key an axis replaces found with
// the axes' indices and slices expanded.
#include <gtest/gtest.h>

#include <string>

#include "sim/campaign/campaign_file.hpp"
#include "sim/scenario/override_path.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::sim::campaign {
namespace {

const std::string kHead = "scenario: " + std::string(CITYTWIN_SOURCE_DIR) + "/scenarios/quickstart.yaml\n";

std::string error_of(const std::string& text) {
  try {
    load_campaign_text(text, "c.yaml", "");
  } catch (const scenario::ScenarioError& e) {
    return e.what();
  }
  return "";
}

// A malformed key path reached the scenario's loader, whose "the scenario refuses run..duration=1 h:
// malformed override: expected key.path=value, e.g. devices.0.interval=2min" said neither what was wrong
// nor that the scenario was not at fault.
TEST(CampaignKeys, AMalformedKeyPathIsRefusedAtItsLineWithThePathMeant) {
  EXPECT_EQ(error_of(kHead + "set: {run..duration: 1 h}\n"),
            "c.yaml:2:7: set.run..duration: key path 'run..duration' has an empty key (did you mean "
            "'run.duration'?)");
  EXPECT_EQ(error_of(kHead + "set: [\"devices[0]interval=2 min\"]\n"),
            "c.yaml:2:7: set[0]: key path 'devices[0]interval' has text after a ']' (did you mean "
            "'devices[0].interval'?)");
  EXPECT_EQ(error_of(kHead + "grid:\n  .run.duration: [1 h, 2 h]\n"),
            "c.yaml:3:3: grid..run.duration: key path '.run.duration' has an empty key (did you mean "
            "'run.duration'?)");
  EXPECT_EQ(error_of(kHead + "grid:\n  run.duration=1 h: [1, 2]\n"),
            "c.yaml:3:3: grid.run.duration=1 h: key path 'run.duration=1 h' has a '=' (an override's key "
            "ends at its first '=': key.path=value)");
}

// set: gateways[1].backup beside an axis over gateways[0:2].backup was run with the axis's value, without a
// word: the keys were compared as written.
TEST(CampaignKeys, ASetKeyWithinAnAxissSliceIsRefusedAtItsLine) {
  const std::string grid = "grid:\n  gateways[0:2].backup: [1 h, 2 h]\n";
  EXPECT_EQ(
      error_of(kHead + "set:\n  gateways[1].backup: 3 h\n" + grid),
      "c.yaml:3:3: set.gateways[1].backup: within the slice of the axis grid.gateways[0:2].backup (line "
      "5), whose values would replace it in every run: narrow the axis's slice, or leave this out of "
      "set:");
  EXPECT_NE(error_of(kHead + "set: [gateways.0.backup=3 h]\n" + grid)
                .find("c.yaml:2:7: set[0]: within the "
                      "slice of the axis"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + "set:\n  gateways[0:2].backup: 3 h\n" + grid).find("also the axis"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + "set:\n  gateways[1:2].backup: 3 h\n" + grid).find("within the slice"),
            std::string::npos);
  EXPECT_NE(error_of(kHead + "set:\n  gateways[1]: {name: g, position: [1 km, 1 km]}\ngrid:\n"
                             "  gateways[:]: [{name: h, position: [1 km, 1 km]}]\n")
                .find("within the slice"),
            std::string::npos);
  // What the axis replaces only in part is still set: for the other entries.
  EXPECT_EQ(error_of(kHead + "set:\n  gateways[1:4].backup: 3 h\n" + grid), "");
  EXPECT_EQ(error_of(kHead + "set:\n  gateways[2].backup: 3 h\n" + grid), "");
  EXPECT_EQ(error_of(kHead + "set:\n  gateways[:].backup: 3 h\n" + grid), "");
}

TEST(OverridePath, ReplacedByExpandsIndicesAndSlices) {
  using scenario::replaced_by;
  EXPECT_TRUE(replaced_by("gateways[1].x", "gateways[0:2].x"));
  EXPECT_TRUE(replaced_by("gateways.1.x", "gateways[0:2]"));
  EXPECT_TRUE(replaced_by("gateways[3:5].x", "gateways[2:]"));
  EXPECT_TRUE(replaced_by("gateways[3].x", "gateways[:]"));
  EXPECT_FALSE(replaced_by("gateways[2].x", "gateways[0:2].x"));
  EXPECT_FALSE(replaced_by("gateways[1:3].x", "gateways[0:2].x"));
  EXPECT_FALSE(replaced_by("gateways[:].x", "gateways[0:2].x"));
  EXPECT_FALSE(replaced_by("gateways[1].x", "gateways[0:2].y"));
  EXPECT_FALSE(replaced_by("gateways[1]", "gateways[0:2].x"));  // the axis refines the set: entry
  EXPECT_FALSE(replaced_by("gateways[1]", "gateways[+]"));
  EXPECT_FALSE(replaced_by("gateways[+].x", "gateways[0:9]"));
}

}  // namespace
}  // namespace citytwin::sim::campaign
