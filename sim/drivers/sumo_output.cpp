#include "sim/drivers/sumo_output.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <pugixml.hpp>
#include <sstream>

#include "sim/scenario/csv_table.hpp"

namespace citytwin::sim::drivers {
namespace {

// A parsed file and its text, for line numbers in errors.
struct XmlFile {
  std::string path;
  std::string text;
  pugi::xml_document doc;

  int line_of(ptrdiff_t offset) const {
    if (offset < 0) return 0;
    const auto end = text.begin() + std::min<ptrdiff_t>(offset, static_cast<ptrdiff_t>(text.size()));
    return 1 + static_cast<int>(std::count(text.begin(), end, '\n'));
  }
  [[noreturn]] void fail(const pugi::xml_node& node, const std::string& message) const {
    throw SumoError(path + ":" + std::to_string(line_of(node.offset_debug())) + ": " + message);
  }
};

void load(XmlFile& file, const std::string& path, const char* root) {
  file.path = path;
  if (const std::string problem = scenario::data_file_problem(path); !problem.empty())
    throw SumoError(path + ": " + problem);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SumoError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  file.text = buffer.str();
  const pugi::xml_parse_result result = file.doc.load_buffer(file.text.data(), file.text.size());
  if (!result)
    throw SumoError(path + ":" + std::to_string(file.line_of(result.offset)) +
                    ": not well-formed XML: " + result.description());
  if (!file.doc.child(root))
    throw SumoError(path + ":1: expected a <" + std::string(root) + "> document (a SUMO " +
                    (std::string(root) == "net" ? "network" : "output") + " file)");
}

// A number attribute; missing -> fallback if given, else an error naming the file and line.
double number(const XmlFile& file, const pugi::xml_node& node, const char* name,
              const double* fallback = nullptr) {
  const pugi::xml_attribute attribute = node.attribute(name);
  if (!attribute) {
    if (fallback) return *fallback;
    file.fail(node, "<" + std::string(node.name()) + ">: missing attribute '" + name + "'");
  }
  const char* text = attribute.value();
  double value = 0.0;
  const char* end = text + std::strlen(text);
  const auto [ptr, ec] = std::from_chars(text, end, value);
  if (ec != std::errc() || ptr != end || !std::isfinite(value))
    file.fail(node,
              "<" + std::string(node.name()) + ">: attribute '" + name + "' is not a number: '" + text + "'");
  return value;
}

std::string text(const XmlFile& file, const pugi::xml_node& node, const char* name) {
  const pugi::xml_attribute attribute = node.attribute(name);
  if (!attribute || !*attribute.value())
    file.fail(node, "<" + std::string(node.name()) + ">: missing attribute '" + name + "'");
  return attribute.value();
}

std::vector<Point> parse_shape(const XmlFile& file, const pugi::xml_node& node) {
  std::vector<Point> shape;
  std::istringstream in(text(file, node, "shape"));
  std::string pair;
  while (in >> pair) {
    const size_t comma = pair.find(',');
    Point p;
    bool ok = comma != std::string::npos;
    if (ok) {
      const char* s = pair.c_str();
      ok = std::from_chars(s, s + comma, p.x_m).ec == std::errc() &&
           std::from_chars(s + comma + 1, s + pair.size(), p.y_m).ec == std::errc();
    }
    if (!ok) file.fail(node, "<lane>: bad shape point '" + pair + "' (expected x,y)");
    shape.push_back(p);
  }
  if (shape.size() < 2) file.fail(node, "<lane>: a shape needs at least two points");
  return shape;
}

double shape_length(const std::vector<Point>& shape) {
  double length = 0.0;
  for (size_t i = 1; i < shape.size(); ++i)
    length += std::hypot(shape[i].x_m - shape[i - 1].x_m, shape[i].y_m - shape[i - 1].y_m);
  return length;
}

Point along(const std::vector<Point>& shape, double distance_m) {
  for (size_t i = 1; i < shape.size(); ++i) {
    const double step = std::hypot(shape[i].x_m - shape[i - 1].x_m, shape[i].y_m - shape[i - 1].y_m);
    if (distance_m <= step || i + 1 == shape.size()) {
      const double w = step > 0.0 ? std::clamp(distance_m / step, 0.0, 1.0) : 0.0;
      return {shape[i - 1].x_m + w * (shape[i].x_m - shape[i - 1].x_m),
              shape[i - 1].y_m + w * (shape[i].y_m - shape[i - 1].y_m)};
    }
    distance_m -= step;
  }
  return shape.front();
}

// Per district and interval (begin, end): sums for the mean flow and the weighted mean speed.
struct Accumulator {
  struct Cell {
    double flow_sum = 0.0;
    int sections = 0;
    double speed_weighted = 0.0;
    double weight = 0.0;
  };
  std::vector<std::map<std::pair<double, double>, Cell>> per_district;

  std::vector<MeasuredTraffic> series() const {
    std::vector<MeasuredTraffic> out(per_district.size());
    for (size_t d = 0; d < per_district.size(); ++d) {
      for (const auto& [interval, cell] : per_district[d]) {
        if (cell.sections == 0) continue;
        const double mid = 0.5 * (interval.first + interval.second);
        out[d].volume_vph.points.emplace_back(mid, cell.flow_sum / cell.sections);
        // No vehicle, no speed: the speed series skips the interval (interpolates across it).
        if (cell.weight > 0.0)
          out[d].speed_kmh.points.emplace_back(mid, 3.6 * cell.speed_weighted / cell.weight);
      }
    }
    return out;
  }
};

}  // namespace

Point SumoNetwork::edge_position(const std::string& edge) const {
  const auto lane = edge_first_lane.find(edge);
  if (lane == edge_first_lane.end()) throw SumoError("SUMO network: no edge '" + edge + "'");
  const std::vector<Point>& shape = lane_shapes.at(lane->second);
  return along(shape, 0.5 * shape_length(shape));
}

Point SumoNetwork::lane_point(const std::string& lane, double pos_m) const {
  const auto shape = lane_shapes.find(lane);
  if (shape == lane_shapes.end()) throw SumoError("SUMO network: no lane '" + lane + "'");
  const double geometric = shape_length(shape->second);
  const double length = lane_lengths_m.at(lane);
  if (pos_m < 0.0) pos_m += length;
  // SUMO measures pos on the lane's length, which may differ from its drawn shape: scale.
  const double scale = length > 0.0 ? geometric / length : 1.0;
  return along(shape->second, std::clamp(pos_m, 0.0, length) * scale);
}

SumoNetwork read_sumo_network(const std::string& path) {
  XmlFile file;
  load(file, path, "net");
  SumoNetwork network;
  for (const pugi::xml_node edge : file.doc.child("net").children("edge")) {
    if (std::string(edge.attribute("function").value()) == "internal") continue;  // inside junctions
    const std::string id = text(file, edge, "id");
    for (const pugi::xml_node lane : edge.children("lane")) {
      const std::string lane_id = text(file, lane, "id");
      network.lane_shapes[lane_id] = parse_shape(file, lane);
      network.lane_lengths_m[lane_id] = number(file, lane, "length");
      if (!network.edge_first_lane.count(id)) network.edge_first_lane[id] = lane_id;
    }
    if (!network.edge_first_lane.count(id)) file.fail(edge, "<edge id=\"" + id + "\">: no <lane>");
  }
  if (network.edge_first_lane.empty()) throw SumoError(path + ":1: the network has no (non-internal) edge");
  return network;
}

std::vector<EdgeMeasure> read_edge_data(const std::string& path) {
  XmlFile file;
  load(file, path, "meandata");
  std::vector<EdgeMeasure> out;
  for (const pugi::xml_node interval : file.doc.child("meandata").children("interval")) {
    const double begin = number(file, interval, "begin");
    const double end = number(file, interval, "end");
    if (!(end > begin)) file.fail(interval, "<interval>: end must be after begin");
    for (const pugi::xml_node edge : interval.children("edge")) {
      EdgeMeasure m;
      m.edge = text(file, edge, "id");
      m.begin_s = begin;
      m.end_s = end;
      constexpr double kZero = 0.0;
      m.sampled_s = number(file, edge, "sampledSeconds", &kZero);
      if (m.sampled_s <= 0.0 || !edge.attribute("speed")) continue;  // no vehicle on it
      m.density_veh_per_km = number(file, edge, "density");
      m.speed_m_s = number(file, edge, "speed");
      out.push_back(std::move(m));
    }
  }
  return out;
}

std::vector<LoopMeasure> read_loop_output(const std::string& path) {
  XmlFile file;
  load(file, path, "detector");
  std::vector<LoopMeasure> out;
  for (const pugi::xml_node interval : file.doc.child("detector").children("interval")) {
    LoopMeasure m;
    m.loop = text(file, interval, "id");
    m.begin_s = number(file, interval, "begin");
    m.end_s = number(file, interval, "end");
    if (!(m.end_s > m.begin_s)) file.fail(interval, "<interval>: end must be after begin");
    m.flow_vph = number(file, interval, "flow");
    m.speed_m_s = number(file, interval, "speed");
    out.push_back(std::move(m));
  }
  return out;
}

std::map<std::string, Point> read_loop_positions(const std::string& additional_path,
                                                 const SumoNetwork& network) {
  XmlFile file;
  load(file, additional_path, "additional");
  std::map<std::string, Point> out;
  for (const pugi::xml_node loop : file.doc.child("additional").children()) {
    const std::string kind = loop.name();
    if (kind != "inductionLoop" && kind != "e1Detector") continue;
    const std::string lane = text(file, loop, "lane");
    if (!network.lane_shapes.count(lane))
      file.fail(loop, "<" + kind + ">: lane '" + lane + "' is not in the network");
    out[text(file, loop, "id")] = network.lane_point(lane, number(file, loop, "pos"));
  }
  return out;
}

std::vector<MeasuredTraffic> district_traffic(const scenario::City& city, const SumoNetwork& network,
                                              const std::vector<EdgeMeasure>& edges, Point offset,
                                              size_t* outside) {
  Accumulator acc;
  acc.per_district.resize(city.districts.size());
  std::map<std::string, int> district_of_edge;
  size_t skipped = 0;
  for (const EdgeMeasure& m : edges) {
    auto [it, fresh] = district_of_edge.try_emplace(m.edge, -1);
    if (fresh) {
      const Point p = network.edge_position(m.edge);
      it->second = scenario::district_of(city, p.x_m + offset.x_m, p.y_m + offset.y_m);
      if (it->second < 0) ++skipped;
    }
    if (it->second < 0) continue;
    Accumulator::Cell& cell = acc.per_district[static_cast<size_t>(it->second)][{m.begin_s, m.end_s}];
    cell.flow_sum += m.flow_vph();
    cell.sections += 1;
    cell.speed_weighted += m.speed_m_s * m.sampled_s;
    cell.weight += m.sampled_s;
  }
  if (outside) *outside = skipped;
  return acc.series();
}

std::vector<MeasuredTraffic> district_traffic(const scenario::City& city,
                                              const std::map<std::string, Point>& loop_positions,
                                              const std::vector<LoopMeasure>& loops, Point offset,
                                              size_t* outside) {
  Accumulator acc;
  acc.per_district.resize(city.districts.size());
  std::map<std::string, int> district_of_loop;
  size_t skipped = 0;
  for (const LoopMeasure& m : loops) {
    auto [it, fresh] = district_of_loop.try_emplace(m.loop, -1);
    if (fresh) {
      const auto position = loop_positions.find(m.loop);
      if (position == loop_positions.end())
        throw SumoError("loop output: detector '" + m.loop + "' is not declared in the additional file");
      it->second =
          scenario::district_of(city, position->second.x_m + offset.x_m, position->second.y_m + offset.y_m);
      if (it->second < 0) ++skipped;
    }
    if (it->second < 0) continue;
    Accumulator::Cell& cell = acc.per_district[static_cast<size_t>(it->second)][{m.begin_s, m.end_s}];
    cell.flow_sum += m.flow_vph;
    cell.sections += 1;
    if (m.speed_m_s >= 0.0 && m.flow_vph > 0.0) {
      cell.speed_weighted += m.speed_m_s * m.flow_vph;
      cell.weight += m.flow_vph;
    }
  }
  if (outside) *outside = skipped;
  return acc.series();
}

}  // namespace citytwin::sim::drivers
