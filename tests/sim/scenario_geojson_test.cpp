// city.districts_geojson: polygons (concave, with holes, multi-part) from GeoJSON in WGS84 or a projected
// CRS, their areas, gateway placement rules inside them, and the errors that name file and feature.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "sim/scenario/scenario_loader.hpp"
#include "tests/sim/scenario_test_text.hpp"

namespace citytwin::sim::scenario {
namespace {

namespace fs = std::filesystem;

// A concave L (3 km x 3 km less its north-east quarter... of 1.5 km x 1.5 km: 6.75 km2) and a square with
// a square hole (9 km2 - 1 km2), in metres of a projected CRS whose (0, 0) is at (500 km, 5500 km).
const std::string kProjected = R"({"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"name": "ell"}, "geometry": {"type": "Polygon", "coordinates": [[
   [500000, 5500000], [503000, 5500000], [503000, 5501500], [501500, 5501500], [501500, 5503000],
   [500000, 5503000], [500000, 5500000]]]}},
 {"type": "Feature", "properties": {"name": "ring"}, "geometry": {"type": "MultiPolygon", "coordinates": [[
   [[504000, 5500000], [507000, 5500000], [507000, 5503000], [504000, 5503000], [504000, 5500000]],
   [[505000, 5501000], [505000, 5502000], [506000, 5502000], [506000, 5501000], [505000, 5501000]]]]}}
]})";

class GeojsonDistricts : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("citytwin_geojson_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  // A scenario in dir_ whose city is `city` (YAML lines under city:), gateways `gateways`.
  Scenario load(const std::string& city,
                const std::string& gateways = "  - {name: gw, position: [1 km, 1 km]}\n") {
    const std::string text = "city:\n" + city +
                             "devices:\n  - {name: d, count: 10, districts: [ell]}\n"
                             "gateways:\n" +
                             gateways + "run: {duration: 1 h}\n";
    return load_scenario_text(text, (dir_ / "city.yaml").string());
  }
  std::string error(const std::string& city) {
    try {
      load(city);
    } catch (const ScenarioError& e) {
      return e.what();
    }
    return "no error";
  }
  fs::path dir_;
};

const std::string kProjectedCity =
    "  districts_geojson: {file: d.geojson, crs: projected, projected_origin: [500 km, 5500 km]}\n";

TEST_F(GeojsonDistricts, ProjectedPolygonsWithHoles) {
  write("d.geojson", kProjected);
  const Scenario s = load(kProjectedCity);
  ASSERT_EQ(s.city.districts.size(), 2u);
  const District& ell = s.city.districts[0];
  EXPECT_EQ(ell.name, "ell");
  EXPECT_NEAR(ell.area_m2(), 6.75e6, 1e-3);
  EXPECT_DOUBLE_EQ(ell.x_max_m, 3000.0);
  EXPECT_TRUE(ell.contains(500.0, 2500.0));    // the L's upright
  EXPECT_FALSE(ell.contains(2500.0, 2500.0));  // the notch: inside the bounding box, outside the L
  const District& ring = s.city.districts[1];
  EXPECT_NEAR(ring.area_m2(), 8e6, 1e-3);
  EXPECT_TRUE(ring.contains(4500.0, 1500.0));
  EXPECT_FALSE(ring.contains(5500.0, 1500.0));  // in the hole
  EXPECT_EQ(district_of(s.city, 5500.0, 1500.0), -1);
  EXPECT_EQ(district_of(s.city, 2500.0, 500.0), 0);
}

TEST(GeojsonDistrictsKeys, EveryKeyLoads) {
  const Scenario s = load_scenario_text(scenario_test::kGeoScenario);
  ASSERT_EQ(s.city.districts.size(), 1u);
  EXPECT_EQ(s.city.districts[0].name, "hill");  // name_property: district
  EXPECT_NEAR(s.city.districts[0].area_m2(), 1000.0 * 1500.0 - 200.0 * 300.0, 1e-6);  // less its hole
  EXPECT_DOUBLE_EQ(s.city.districts[0].x_min_m, 3000.0);
  EXPECT_TRUE(s.city.origin.given);
  EXPECT_DOUBLE_EQ(s.city.origin.lat_deg, 50.0);
}

TEST_F(GeojsonDistricts, MixesWithRectangles) {
  write("d.geojson", kProjected);
  const Scenario s =
      load(kProjectedCity + "  districts: [{name: rect, origin: [0 m, 4 km], size: [1 km, 1 km]}]\n");
  ASSERT_EQ(s.city.districts.size(), 3u);
  EXPECT_EQ(s.city.districts[0].name, "rect");
  EXPECT_EQ(s.city.districts[0].shape, nullptr);
}

TEST_F(GeojsonDistricts, Wgs84AboutTheOrigin) {
  // A 0.01 x 0.01 degree square north-east of the origin: 1112.29 m (meridian arc) by 716.96 m (parallel).
  write("w.geojson", R"({"type": "FeatureCollection", "features": [{"type": "Feature",
    "properties": {"name": "ell"}, "geometry": {"type": "Polygon", "coordinates": [[
    [8.27, 50.0], [8.28, 50.0], [8.28, 50.01], [8.27, 50.01], [8.27, 50.0]]]}}]})");
  const Scenario s = load("  origin: {lat: 50.0, lon: 8.27}\n  districts_geojson: w.geojson\n",
                          "  - {name: gw, position: [300 m, 500 m]}\n");
  ASSERT_EQ(s.city.districts.size(), 1u);
  const District& d = s.city.districts[0];
  EXPECT_NEAR(d.x_min_m, 0.0, 1e-6);
  EXPECT_NEAR(d.y_max_m, 1112.29, 0.05);
  // Narrower to the north: 716.96 m x cos(50.005 deg) / cos(50 deg) = 716.885 m wide at mid-height.
  EXPECT_NEAR(d.area_m2(), 1112.29 * 716.885, 10.0);
}

TEST_F(GeojsonDistricts, GatewayRulesPlaceInsideThePolygons) {
  write("d.geojson", kProjected);
  const Scenario s = load(kProjectedCity,
                          "  - {name: hex, place: {layout: hex, spacing: 400 m}}\n"
                          "  - {name: rnd, place: {layout: random, count: 50}}\n"
                          "  - {name: cnt, place: {layout: grid, count: 7}}\n"
                          "  - {name: tiny, place: {layout: grid, spacing: 20 km}}\n");
  std::map<std::string, int> per_rule_district;
  for (const Gateway& g : s.gateways) {
    const int d = district_of(s.city, g.x_m, g.y_m);
    ASSERT_GE(d, 0) << g.name << " at " << g.x_m << ", " << g.y_m;
    EXPECT_EQ(g.name.find(s.city.districts[static_cast<std::size_t>(d)].name), g.name.find('-') + 1)
        << g.name;
    ++per_rule_district[g.name.substr(0, g.name.rfind('-'))];
  }
  EXPECT_EQ(per_rule_district["rnd-ell"], 50);
  EXPECT_EQ(per_rule_district["cnt-ell"], 7);
  EXPECT_EQ(per_rule_district["cnt-ring"], 7);
  EXPECT_EQ(per_rule_district["tiny-ell"], 1);  // a district smaller than the spacing still gets one
  // The hex lattice fills the L: about its area over a hexagon's (spacing^2 sqrt(3)/2).
  EXPECT_NEAR(per_rule_district["hex-ell"], 6.75e6 / (400.0 * 400.0 * std::sqrt(3.0) / 2.0), 8.0);
  // The same seed, the same places.
  const Scenario again = load(kProjectedCity, "  - {name: rnd, place: {layout: random, count: 50}}\n");
  for (const Gateway& g : again.gateways) {
    const auto same = std::find_if(s.gateways.begin(), s.gateways.end(),
                                   [&](const Gateway& o) { return o.name == g.name; });
    ASSERT_NE(same, s.gateways.end());
    EXPECT_EQ(same->x_m, g.x_m);
    EXPECT_EQ(same->y_m, g.y_m);
  }
}

// Gateways placed by a rule over the districts: with the districts' file missing, that is the one error (it
// was followed by "gateways: expected at least one gateway", the rule having placed none).
TEST_F(GeojsonDistricts, AMissingFileIsTheOnlyErrorOfGatewaysPlacedInItsDistricts) {
  std::string e = "no error";
  try {
    load(kProjectedCity, "  - {name: gw, place: {layout: hex, spacing: 1 km}}\n");
  } catch (const ScenarioError& x) {
    e = x.what();
  }
  EXPECT_NE(e.find("city.districts_geojson.file: cannot read"), std::string::npos) << e;
  EXPECT_EQ(e.find("gateways"), std::string::npos) << e;
}

TEST_F(GeojsonDistricts, ErrorsNameTheFileAndTheFeature) {
  const std::string file = (dir_ / "d.geojson").string();
  const std::string key = ":2:29: city.districts_geojson.file: " + file + ": ";
  const std::string head = R"({"type": "FeatureCollection", "features": [)";
  const auto feature = [](const std::string& name, const std::string& geometry) {
    return R"({"type": "Feature", "properties": {"name": )" + name + R"(}, "geometry": )" + geometry + "}";
  };
  const std::string square = R"({"type": "Polygon", "coordinates": [[[0,0],[10,0],[10,10],[0,10],[0,0]]]})";

  EXPECT_NE(
      error(kProjectedCity)
          .find(":2:29: city.districts_geojson.file: cannot read '" + file + "' (No such file or directory)"),
      std::string::npos)
      << error(kProjectedCity);

  write("d.geojson", head + "\n {\"type\": \"Feature\",,}]}");
  EXPECT_NE(error(kProjectedCity).find(key + "malformed JSON: parse error at line 2, column 21"),
            std::string::npos)
      << error(kProjectedCity);

  write("d.geojson", head + feature("\"ell\"", square) + "," +
                         feature("\"road\"", R"({"type": "LineString", "coordinates": [[0,0],[1,1]]})") +
                         "]}");
  EXPECT_NE(
      error(kProjectedCity)
          .find(key + "features[1] ('road'): geometry type 'LineString': expected Polygon or MultiPolygon"),
      std::string::npos)
      << error(kProjectedCity);

  write("d.geojson", head + feature("null", square) + "]}");
  EXPECT_NE(error(kProjectedCity)
                .find(key + "features[0]: no district name: expected a string property 'name' "
                            "(districts_geojson.name_property)"),
            std::string::npos)
      << error(kProjectedCity);

  write(
      "d.geojson",
      head +
          feature("\"ell\"", R"({"type": "Polygon", "coordinates": [[[0,0],[10,10],[10,0],[0,10],[0,0]]]})") +
          "]}");
  EXPECT_NE(error(kProjectedCity).find(key + "features[0] ('ell'): invalid polygon: a ring crosses itself"),
            std::string::npos)
      << error(kProjectedCity);  // a bow tie crosses itself

  write("d.geojson", head + feature("\"ell\"", square) + "," + feature("\"ell\"", square) + "]}");
  EXPECT_NE(error(kProjectedCity).find("duplicate district name 'ell'"), std::string::npos)
      << error(kProjectedCity);

  // WGS84: [longitude, latitude], in range and near the origin.
  const std::string wgs = "  origin: {lat: 50.0, lon: 8.27}\n  districts_geojson: {file: d.geojson}\n";
  const std::string wkey = ":3:29: city.districts_geojson.file: " + file + ": ";
  write("d.geojson",
        head +
            feature("\"ell\"",
                    R"({"type": "Polygon", "coordinates": [[[8.27,50],[8.28,95],[8.28,50.01],[8.27,50]]]})") +
            "]}");
  EXPECT_NE(
      error(wgs).find(wkey + "features[0] ('ell'): coordinate [8.28,95] out of range: expected [longitude "
                             "-180..180, latitude -90..90] in degrees"),
      std::string::npos)
      << error(wgs);
  write("d.geojson",
        head +
            feature(
                "\"ell\"",
                R"({"type": "Polygon", "coordinates": [[[50,8.27],[50.01,8.27],[50.01,8.28],[50,8.27]]]})") +
            "]}");
  EXPECT_NE(error(wgs).find("(longitude and latitude swapped?)"), std::string::npos) << error(wgs);
  EXPECT_NE(error("  districts_geojson: d.geojson\n")
                .find("city.origin: districts in WGS84 longitude/latitude need city.origin"),
            std::string::npos);
  write("d.geojson", kProjected);
  EXPECT_NE(error(wgs).find("out of range"), std::string::npos);  // metres read as degrees
}

// Overlapping districts were accepted and counted twice (areas, densities; a power cut of the second missed
// the gateways they share). A polygon overlapping another, or a rectangle, is refused naming both and the
// area; touching (the L's notch, the ring's hole) is fine, and so is a sliver below 0.1 % of the smaller.
TEST_F(GeojsonDistricts, OverlappingDistrictsAreRefusedNamingBothAndTheArea) {
  write("d.geojson", kProjected);
  EXPECT_NO_THROW(load(kProjectedCity +
                       "  districts: [{name: notch, origin: [1.5 km, 1.5 km], size: [1.5 km, "
                       "1.5 km]}, {name: hole, origin: [5 km, 1 km], size: [1 km, 1 km]}]\n"));
  const std::string rect = error(kProjectedCity +
                                 "  districts: [{name: rect, origin: [2 km, 0 km], size: [1.5 km, "
                                 "1 km]}]\n");
  EXPECT_NE(
      rect.find(":2:22: city.districts_geojson: 'ell': district 'ell' overlaps district 'rect' (line 3) by "
                "1 km2 (66.7 % of the smaller)"),
      std::string::npos)
      << rect;
  // Two polygons of the file: the second square covers a quarter of the L's upright.
  write("d.geojson", R"({"type": "FeatureCollection", "features": [
 {"type": "Feature", "properties": {"name": "ell"}, "geometry": {"type": "Polygon", "coordinates": [[
   [500000, 5500000], [503000, 5500000], [503000, 5501500], [501500, 5501500], [501500, 5503000],
   [500000, 5503000], [500000, 5500000]]]}},
 {"type": "Feature", "properties": {"name": "square"}, "geometry": {"type": "Polygon", "coordinates": [[
   [501000, 5502000], [502000, 5502000], [502000, 5503000], [501000, 5503000], [501000, 5502000]]]}}]})");
  const std::string polygons = error(kProjectedCity);
  EXPECT_NE(
      polygons.find("city.districts_geojson: 'square': district 'square' overlaps district 'ell' by 0.5 km2 "
                    "(50 % of the smaller)"),
      std::string::npos)
      << polygons;
  // A 0.5 m sliver along the L's east edge: 500 m2, 0.05 % of the 1 km2 square.
  write("d.geojson", kProjected);
  EXPECT_NO_THROW(load(kProjectedCity + "  districts: [{name: sliver, origin: [2999.5 m, 0 m], size: [1 km, "
                                        "1 km]}]\n"));
}

}  // namespace
}  // namespace citytwin::sim::scenario
