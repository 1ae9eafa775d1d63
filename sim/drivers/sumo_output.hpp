// Traffic measured by SUMO (Eclipse SUMO, the microscopic traffic simulator; Debian package `sumo`),
// read from its XML outputs and mapped to the city's districts by coordinates:
// - the network (`*.net.xml`): each lane's shape, so an edge has a position (the middle of its first
//   lane's shape) and an induction loop on a lane at `pos` a point;
// - edge-based traffic measures (`<edgeData>` output, "meandata"): per interval and edge, the mean
//   density (veh/km) and speed (m/s); the edge's flow is q = k v (the fundamental relation of traffic
//   flow: flow = density x space-mean speed), in vehicles/h;
// - induction-loop (E1) detector output: per interval and loop, flow (veh/h) and speed (m/s, -1 when
//   no vehicle passed), with the loops' lanes and positions from the additional file declaring them.
// Per district and interval: traffic_volume is the mean flow of the district's edges (or loops), the
// flow of a typical road section as a counter on it sees it; traffic_speed the space-mean speed,
// edges weighted by their vehicle-seconds (sampledSeconds; loops by their flow). Intervals without a
// vehicle in a district give no point. Points sit at interval midpoints (scenario::Series interpolates
// linearly between them). SUMO coordinates plus `offset` are city coordinates.
// XML is read with pugixml (libpugixml-dev): maintained, fast on the hundreds of megabytes an edgeData
// file of a city-wide run reaches, and it gives each node's offset in the file, so every error names
// file:line.
#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/drivers/traffic_model.hpp"
#include "sim/scenario/scenario.hpp"

namespace citytwin::sim::drivers {

// A malformed or unreadable SUMO file: the message starts with file:line.
class SumoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Point {
  double x_m = 0.0;
  double y_m = 0.0;
};

// The lanes of a SUMO network: shapes (SUMO coordinates) by lane id, and each edge's first lane.
struct SumoNetwork {
  std::map<std::string, std::vector<Point>> lane_shapes;
  std::map<std::string, double> lane_lengths_m;  // the lane's length attribute (pos is measured on it)
  std::map<std::string, std::string> edge_first_lane;
  // The middle of the edge's first lane, by length along the shape.
  Point edge_position(const std::string& edge) const;
  // The point at pos metres along a lane (negative: from its end), as SUMO places detectors.
  Point lane_point(const std::string& lane, double pos_m) const;
};
SumoNetwork read_sumo_network(const std::string& path);

// One edge over one interval of an edgeData output (edges without vehicles have no speed: skipped).
struct EdgeMeasure {
  std::string edge;
  double begin_s = 0.0, end_s = 0.0;
  double density_veh_per_km = 0.0;
  double speed_m_s = 0.0;
  double sampled_s = 0.0;  // vehicle-seconds on the edge
  double flow_vph() const { return density_veh_per_km * speed_m_s * 3.6; }
};
std::vector<EdgeMeasure> read_edge_data(const std::string& path);

// One induction loop over one interval.
struct LoopMeasure {
  std::string loop;
  double begin_s = 0.0, end_s = 0.0;
  double flow_vph = 0.0;
  double speed_m_s = -1.0;  // -1: no vehicle
};
std::vector<LoopMeasure> read_loop_output(const std::string& path);
// The loops declared in an additional file (<inductionLoop id lane pos/>, also <e1Detector>), placed
// on the network.
std::map<std::string, Point> read_loop_positions(const std::string& additional_path,
                                                 const SumoNetwork& network);

// Per district: the measured series (empty where no edge or loop lies in it). Edges or loops outside
// every district are ignored; `outside` (if given) receives how many.
std::vector<MeasuredTraffic> district_traffic(const scenario::City& city, const SumoNetwork& network,
                                              const std::vector<EdgeMeasure>& edges, Point offset,
                                              size_t* outside = nullptr);
std::vector<MeasuredTraffic> district_traffic(const scenario::City& city,
                                              const std::map<std::string, Point>& loop_positions,
                                              const std::vector<LoopMeasure>& loops, Point offset,
                                              size_t* outside = nullptr);

}  // namespace citytwin::sim::drivers
