// SUMO's outputs read and mapped to districts. The committed files in tests/data/sumo come from a 4 x 4
// grid of 200 m blocks run for 30 min (tests/data/sumo/regenerate.sh); the last test regenerates them
// with the installed sumo and checks the reader on the fresh run too.
#include "sim/drivers/sumo_output.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <utility>

namespace citytwin::sim::drivers {
namespace {

const std::string kData = std::string(CITYTWIN_SOURCE_DIR) + "/tests/data/sumo/";

// West: x -10..250 m, east: 250..610 m. The grid's junctions span 0..600 m; lanes are drawn 1.6 m to
// the right of their edge's centre line, so the outer ones lie just outside 0..600.
scenario::City two_districts() {
  scenario::City city;
  city.districts = {{"west", -10, -10, 250, 610}, {"east", 250, -10, 610, 610}};
  return city;
}

TEST(SumoOutput, ReadsTheNetworkAndPlacesEdgesAndLoops) {
  const SumoNetwork net = read_sumo_network(kData + "grid.net.xml");
  // 4 x 4 junctions: 24 neighbouring pairs, an edge each way, internal edges left out.
  EXPECT_EQ(net.edge_first_lane.size(), 48u);
  // A1B1 runs from (0, 200) to (200, 200), its lane drawn from x 7.2 to 192.8 at y 198.4.
  const Point mid = net.edge_position("A1B1");
  EXPECT_NEAR(mid.x_m, 100.0, 1e-9);
  EXPECT_NEAR(mid.y_m, 198.4, 1e-9);
  const auto loops = read_loop_positions(kData + "loops.add.xml", net);
  ASSERT_EQ(loops.size(), 2u);
  EXPECT_NEAR(loops.at("loop_A1B1").x_m, 107.2, 1e-9);  // 100 m along the lane
  EXPECT_NEAR(loops.at("loop_A1B1").y_m, 198.4, 1e-9);
  EXPECT_NEAR(net.lane_point("A1B1_0", -5.6).x_m, 187.2, 1e-9);  // negative: from the lane's end
}

// Edge flow from the fundamental relation q = k v must match what an induction loop on the same edge
// counts in the same interval (SUMO measures both independently): within 10 % per 5-min interval.
TEST(SumoOutput, EdgeFlowFromDensityAndSpeedMatchesTheLoopCount) {
  const auto edges = read_edge_data(kData + "edgedata.xml");
  const auto loops = read_loop_output(kData + "loops.xml");
  ASSERT_EQ(loops.size(), 12u);  // two loops x six 300 s intervals
  std::map<std::pair<std::string, double>, double> edge_flow;
  for (const EdgeMeasure& e : edges) edge_flow[{e.edge, e.begin_s}] = e.flow_vph();
  int compared = 0;
  for (const LoopMeasure& l : loops) {
    const std::string edge = l.loop == "loop_A1B1" ? "A1B1" : "C2C1";
    ASSERT_TRUE(edge_flow.count(std::make_pair(edge, l.begin_s))) << edge << " " << l.begin_s;
    const double q = edge_flow[std::make_pair(edge, l.begin_s)];
    EXPECT_NEAR(q, l.flow_vph, 0.1 * l.flow_vph) << edge << " at " << l.begin_s;
    ++compared;
  }
  EXPECT_EQ(compared, 12);
  // One value read by hand: A0A1 in [0, 300): density 4.44 veh/km, speed 11.04 m/s.
  const double a0a1 = edge_flow[std::make_pair(std::string("A0A1"), 0.0)];
  EXPECT_NEAR(a0a1, 4.44 * 11.04 * 3.6, 1e-9);
}

TEST(SumoOutput, DistrictSeriesAreMeansOverTheirEdges) {
  const scenario::City city = two_districts();
  const SumoNetwork net = read_sumo_network(kData + "grid.net.xml");
  const auto edges = read_edge_data(kData + "edgedata.xml");
  size_t outside = 0;
  const auto series = district_traffic(city, net, edges, {0.0, 0.0}, &outside);
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(outside, 0u);
  // Recompute the west district's first interval by hand: mean flow, sampledSeconds-weighted speed.
  double flow = 0, n = 0, speed_w = 0, w = 0;
  for (const EdgeMeasure& e : edges) {
    if (e.begin_s != 0.0) continue;
    const Point p = net.edge_position(e.edge);
    if (p.x_m > 250.0) continue;
    flow += e.flow_vph();
    n += 1;
    speed_w += e.speed_m_s * e.sampled_s;
    w += e.sampled_s;
  }
  ASSERT_GT(n, 0);
  ASSERT_EQ(series[0].volume_vph.points.size(), 6u);
  EXPECT_DOUBLE_EQ(series[0].volume_vph.points[0].first, 150.0);  // interval midpoint
  EXPECT_NEAR(series[0].volume_vph.points[0].second, flow / n, 1e-9);
  EXPECT_NEAR(series[0].speed_kmh.points[0].second, 3.6 * speed_w / w, 1e-9);
  // Speeds stay under the 50 km/h limit (13.89 m/s) and flows under one lane's capacity.
  for (const auto& d : series) {
    for (const auto& [t, v] : d.speed_kmh.points) EXPECT_LE(v, 50.01) << t;
    for (const auto& [t, q] : d.volume_vph.points) EXPECT_LT(q, 1800.0) << t;
  }
  // Shifted by 1 km east (the offset maps SUMO to city coordinates), the network lies outside the city.
  district_traffic(city, net, edges, {1000.0, 0.0}, &outside);
  EXPECT_EQ(outside, 48u);
  // Loops: one per district.
  const auto loops = district_traffic(city, read_loop_positions(kData + "loops.add.xml", net),
                                      read_loop_output(kData + "loops.xml"), {0.0, 0.0});
  ASSERT_EQ(loops[0].volume_vph.points.size(), 6u);
  EXPECT_DOUBLE_EQ(loops[0].volume_vph.points[0].second, 204.0);  // loop_A1B1 in [0, 300)
  EXPECT_DOUBLE_EQ(loops[1].volume_vph.points[0].second, 264.0);  // loop_C2C1
}

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path) << text;
  return path;
}

TEST(SumoOutput, ErrorsNameTheFileAndLine) {
  const std::string broken =
      write_temp("ct_sumo_broken.xml", "<meandata>\n<interval begin=\"0\" end=\"300\">\n<edge\n");
  try {
    read_edge_data(broken);
    FAIL() << "accepted broken XML";
  } catch (const SumoError& e) {
    EXPECT_NE(std::string(e.what()).find(broken + ":"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not well-formed"), std::string::npos) << e.what();
  }
  const std::string bad = write_temp("ct_sumo_bad.xml",
                                     "<meandata>\n  <interval begin=\"0\" end=\"300\">\n    <edge id=\"x\" "
                                     "sampledSeconds=\"5\" speed=\"fast\" "
                                     "density=\"1\"/>\n  </interval>\n</meandata>\n");
  try {
    read_edge_data(bad);
    FAIL() << "accepted a non-numeric speed";
  } catch (const SumoError& e) {
    EXPECT_NE(std::string(e.what()).find(bad + ":3: <edge>: attribute 'speed' is not a number: 'fast'"),
              std::string::npos)
        << e.what();
  }
  const std::string wrong = write_temp("ct_sumo_wrong.xml", "<routes/>\n");
  EXPECT_THROW(read_loop_output(wrong), SumoError);
  EXPECT_THROW(read_sumo_network(kData + "no-such-file.xml"), SumoError);
}

// With sumo installed: regenerate the outputs (netgenerate, randomTrips, sumo) and read them. The same
// SUMO version with the same seeds gives the committed files' measures exactly.
TEST(SumoOutput, RegeneratedBySumoAndReadBack) {
  if (std::system("command -v sumo >/dev/null 2>&1 && command -v netgenerate >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "sumo is not installed (setup.sh installs it); the committed outputs were tested above";
  const auto dir = std::filesystem::temp_directory_path() / ("ct_sumo_" + std::to_string(::getpid()));
  const std::string command = kData + "regenerate.sh " + dir.string();
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const auto fresh = read_edge_data((dir / "edgedata.xml").string());
  const auto fresh_loops = read_loop_output((dir / "loops.xml").string());
  EXPECT_FALSE(fresh.empty());
  EXPECT_EQ(fresh_loops.size(), 12u);
  const auto committed = read_edge_data(kData + "edgedata.xml");
  FILE* version = popen("sumo --version 2>/dev/null | head -1", "r");
  char line[256] = {};
  if (version) {
    if (!fgets(line, sizeof line, version)) line[0] = 0;
    pclose(version);
  }
  if (std::string(line).find("1.15.0") != std::string::npos) {  // the version the files came from
    ASSERT_EQ(fresh.size(), committed.size());
    for (size_t i = 0; i < fresh.size(); ++i) {
      EXPECT_EQ(fresh[i].edge, committed[i].edge);
      EXPECT_DOUBLE_EQ(fresh[i].flow_vph(), committed[i].flow_vph()) << fresh[i].edge;
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace citytwin::sim::drivers
