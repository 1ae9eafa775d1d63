#include "sim/campaign/campaign_file.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <span>
#include <sstream>

#include "output/campaign_tables.hpp"
#include "sim/campaign/run_id.hpp"
#include "sim/scenario/override_path.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/scenario/scenario_yaml.hpp"

namespace citytwin::sim::campaign {
namespace {

namespace fs = std::filesystem;
using scenario::Diagnostic;

constexpr std::size_t kMaxRuns = 1000000;

class Errors {
 public:
  explicit Errors(std::string file) : file_(std::move(file)) {}
  void add(const YAML::Mark& mark, const std::string& key, const std::string& message) {
    const bool known = !mark.is_null();
    diagnostics_.push_back(Diagnostic{
        scenario::SourceMark{file_, known ? mark.line + 1 : 0, known ? mark.column + 1 : 0},
        scenario::bounded_message(key), scenario::bounded_message(message), Diagnostic::Severity::Error});
  }
  void add(const std::string& key, const std::string& message) { add(YAML::Mark::null_mark(), key, message); }
  // A diagnostic of another file (the scenario's), as it is.
  void add(Diagnostic diagnostic) { diagnostics_.push_back(std::move(diagnostic)); }
  void throw_if_any() const {
    if (!diagnostics_.empty()) throw scenario::ScenarioError(diagnostics_);
  }

 private:
  std::string file_;
  std::vector<Diagnostic> diagnostics_;
};

// A YAML value as one line of flow-style YAML, as an override's value is written.
std::string flow_text(const YAML::Node& node) {
  if (node.IsScalar()) return node.Scalar();
  YAML::Emitter out;
  out.SetMapFormat(YAML::Flow);
  out.SetSeqFormat(YAML::Flow);
  out << node;
  return out.c_str();
}

bool read_uint(const YAML::Node& node, uint64_t& value) {
  if (!node.IsScalar()) return false;
  const std::string& text = node.Scalar();
  const auto r = std::from_chars(text.data(), text.data() + text.size(), value);
  return !text.empty() && r.ec == std::errc() && r.ptr == text.data() + text.size();
}

std::string read_text(const std::string& path, Errors& errors, const std::string& key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors.add(key, "cannot read '" + path + "'");
    return {};
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string resolve(const std::string& base_dir, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute() || base_dir.empty()) return path;
  return (fs::path(base_dir) / path).lexically_normal().string();
}

// An override's key path as the scenario's overrides split it ("devices[1].interval" and
// "devices.1.interval" are the same key), so that one key written two ways is found twice.
std::string canonical_key(const std::string& key) {
  std::string dotted;
  for (char ch : key)
    if (ch == '[')
      dotted += '.';
    else if (ch != ']')
      dotted += ch;
  return dotted;
}

// Where in the campaign file an override was written: a set: entry or a grid axis.
struct OverrideOrigin {
  YAML::Mark mark;
  std::string key;       // "set.run.duration", "set[2]", "grid.devices[0].interval"
  std::string key_path;  // the key it overrides, as written: "run.duration", "devices[0].interval"
};

// The grid's values would silently win over set:'s for the same key, one inside an axis's key, or entries
// within an axis's slice (scenario::replaced_by compares the paths with their indices and slices): refused
// at the set: entry, naming the axis.
void refuse_set_under_axis(Errors& errors, std::span<const OverrideOrigin> set_origins,
                           std::span<const OverrideOrigin> axis_origins) {
  for (const OverrideOrigin& s : set_origins) {
    for (const OverrideOrigin& a : axis_origins) {
      if (!scenario::replaced_by(s.key_path, a.key_path)) continue;
      const std::string axis = canonical_key(a.key_path), key = canonical_key(s.key_path);
      const bool same = axis == key;
      const bool inside = (key + '.').compare(0, axis.size() + 1, axis + '.') == 0;
      const std::string where = a.key + " (line " + std::to_string(a.mark.line + 1) + ")";
      errors.add(s.mark, s.key,
                 same ? "also the axis " + where + ", whose values would replace it in every run: give " +
                            s.key_path + " in one place (set: for one value, grid: for several)"
                 : inside
                     ? "inside the axis " + where +
                           ", whose values would replace it in every run: write it into the axis's values "
                           "instead"
                     : "within the slice of the axis " + where +
                           ", whose values would replace it in every run: narrow the axis's slice, or "
                           "leave this out of set:");
      break;
    }
  }
}

// A key path the scenario's overrides cannot read (scenario::key_path_problem), refused where the campaign
// file writes it rather than as a refusal of the scenario's.
bool refuse_malformed_key(Errors& errors, const YAML::Mark& mark, const std::string& where,
                          const std::string& key) {
  const std::string problem = scenario::key_path_problem(key);
  if (!problem.empty()) errors.add(mark, where, problem);
  return !problem.empty();
}

// run.seed is the campaign's: each run gets one of seeds:. An override of it (run.seed, or a whole
// run: map with a seed) would be replaced by the campaign's seed without a word, so it is refused.
void refuse_seed_override(Errors& errors, const YAML::Mark& mark, const std::string& where,
                          const std::string& key, const YAML::Node* value) {
  const std::string k = canonical_key(key);
  const bool whole_run = k == "run" && value != nullptr && value->IsMap() && (*value)["seed"];
  if (k == "run.seed" || whole_run)
    errors.add(mark, where,
               "the campaign sets each run's seed: give the seeds as seeds: (a count, or a list such as "
               "[7, 11]), not as an override of run.seed");
}

// The overrides of grid point p (the first axis slowest), after the set: ones.
std::vector<std::string> point_overrides(const Campaign& c, std::size_t p, std::vector<std::size_t>* point) {
  std::vector<std::size_t> at(c.axes.size(), 0);
  for (std::size_t a = c.axes.size(); a-- > 0;) {
    at[a] = p % c.axes[a].values.size();
    p /= c.axes[a].values.size();
  }
  std::vector<std::string> overrides = c.fixed;
  for (std::size_t a = 0; a < c.axes.size(); ++a)
    overrides.push_back(c.axes[a].key + "=" + c.axes[a].values[at[a]]);
  if (point != nullptr) *point = std::move(at);
  return overrides;
}

std::size_t grid_points(const Campaign& c) {
  std::size_t points = 1;
  for (const Axis& a : c.axes) points *= a.values.size();
  return points;
}

// Loads the scenario text with each grid point's overrides, before any run: the data files each point
// reads are hashed into c.data_digests (each file once), and the first run's refusal (a base that does
// not load, a misspelt key of set: or of any axis: every axis is in the first run) refuses the campaign,
// at the place in the campaign file of the override concerned. A later grid value the scenario refuses
// fails only its own runs (docs/CAMPAIGNS.md).
void load_grid_points(Campaign& c, Errors& errors, const YAML::Mark& scenario_mark,
                      const std::vector<OverrideOrigin>& origins) {
  std::map<std::string, std::string> digest_of;  // data file -> SHA-256 of its bytes
  const std::size_t points = grid_points(c);
  c.data_digests.assign(points, {});
  for (std::size_t p = 0; p < points; ++p) {
    const std::vector<std::string> overrides = point_overrides(c, p, nullptr);
    try {
      const scenario::Scenario sc = scenario::load_scenario_text(c.scenario_text, c.scenario_path, overrides);
      for (const std::string& file : sc.data_files) {
        auto it = digest_of.find(file);
        if (it == digest_of.end()) {
          // A file that cannot be read now (removed since the load) still gives a digest; the run
          // itself will say what is wrong with it.
          it = digest_of.emplace(file, sha256_file_hex(file).value_or("unreadable")).first;
        }
        c.data_digests[p].push_back(it->second);
      }
    } catch (const scenario::ScenarioError& e) {
      if (p > 0) continue;
      bool in_scenario = false;
      for (const Diagnostic& d : e.diagnostics()) {
        std::size_t i = 0;
        while (i < overrides.size() && d.mark.file != "--set " + overrides[i]) ++i;
        if (i == overrides.size()) {
          in_scenario = true;
          continue;
        }
        errors.add(origins[i].mark, origins[i].key,
                   "the scenario refuses " + overrides[i] + ": " +
                       (d.key_path.empty() ? "" : d.key_path + ": ") + d.message);
      }
      if (in_scenario) {
        errors.add(
            scenario_mark, "scenario",
            "'" + c.scenario_path + "' does not load with the first run's overrides (its errors follow)");
        for (const Diagnostic& d : e.diagnostics())
          if (d.mark.file.rfind("--set ", 0) != 0) errors.add(d);
      }
    }
  }
}

}  // namespace

Campaign load_campaign_text(const std::string& text, const std::string& source_name,
                            const std::string& base_dir) {
  Campaign c;
  c.file = source_name;
  c.text = text;
  Errors errors(source_name);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    errors.add(e.mark, "<yaml>", e.msg);
    errors.throw_if_any();
  }
  if (!root.IsMap()) {
    errors.add(root.Mark(), "",
               "a campaign is a map with keys scenario, seeds, grid, set, out, jobs, threads");
    errors.throw_if_any();
  }
  static const std::set<std::string> kKeys{"scenario", "seeds", "grid", "set", "out", "jobs", "threads"};
  std::set<std::string> seen;
  for (const auto& entry : root) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "?";
    if (!kKeys.count(key))
      errors.add(entry.first.Mark(), key,
                 "unknown key (expected scenario, seeds, grid, set, out, jobs, threads)");
    else if (!seen.insert(key).second)
      errors.add(entry.first.Mark(), key, "given twice");
  }

  const YAML::Node sc = root["scenario"];
  if (!sc || !sc.IsScalar() || sc.Scalar().empty()) {
    errors.add(sc ? sc.Mark() : root.Mark(), "scenario", "expected the scenario file's path");
  } else {
    c.scenario_path = resolve(base_dir, sc.Scalar());
    c.scenario_text = read_text(c.scenario_path, errors, "scenario");
  }

  const YAML::Node seeds = root["seeds"];
  uint64_t count = 0;
  if (!seeds) {
    c.seeds = {1};
  } else if (seeds.IsSequence() && seeds.size() > 0) {
    std::set<uint64_t> unique;
    for (std::size_t i = 0; i < seeds.size(); ++i) {
      uint64_t s = 0;
      if (!read_uint(seeds[i], s))
        errors.add(seeds[i].Mark(), "seeds[" + std::to_string(i) + "]",
                   "expected an unsigned 64-bit integer");
      else if (!unique.insert(s).second)
        errors.add(seeds[i].Mark(), "seeds[" + std::to_string(i) + "]",
                   "seed " + std::to_string(s) + " given twice");
      else
        c.seeds.push_back(s);
    }
  } else if (read_uint(seeds, count) && count >= 1 && count <= kMaxRuns) {
    for (uint64_t s = 1; s <= count; ++s) c.seeds.push_back(s);
  } else {
    errors.add(seeds.Mark(), "seeds",
               "expected a count (1.." + std::to_string(kMaxRuns) + ") or a list of seeds");
  }

  std::vector<OverrideOrigin> origins;  // per override of a run (set:, then the axes), where it was written
  const YAML::Node set = root["set"];
  if (set && !set.IsNull()) {
    if (set.IsMap()) {
      // yaml-cpp keeps a key written twice; the second would silently win.
      std::map<std::string, int> first_line;
      for (const auto& entry : set) {
        const std::string key = entry.first.Scalar();
        const auto [it, fresh] = first_line.emplace(canonical_key(key), entry.first.Mark().line + 1);
        if (!fresh) {
          errors.add(entry.first.Mark(), "set." + key,
                     "given twice (first at line " + std::to_string(it->second) +
                         "); to give a key twice on purpose (gateways[+]), write set: as a list of "
                         "key.path=value");
          continue;
        }
        if (refuse_malformed_key(errors, entry.first.Mark(), "set." + key, key)) continue;
        refuse_seed_override(errors, entry.first.Mark(), "set." + key, key, &entry.second);
        c.fixed.push_back(key + "=" + flow_text(entry.second));
        origins.push_back({entry.first.Mark(), "set." + key, key});
      }
    } else if (set.IsSequence()) {  // key.path=value texts, for a key given twice (gateways[+] ...)
      for (std::size_t i = 0; i < set.size(); ++i) {
        const std::string where = "set[" + std::to_string(i) + "]";
        if (!set[i].IsScalar() || set[i].Scalar().find('=') == std::string::npos) {
          errors.add(set[i].Mark(), where, "expected key.path=value");
          continue;
        }
        const std::string& assignment = set[i].Scalar();
        const std::size_t equals = assignment.find('=');
        if (refuse_malformed_key(errors, set[i].Mark(), where, assignment.substr(0, equals))) continue;
        const YAML::Node value = [&] {
          try {
            return YAML::Load(assignment.substr(equals + 1));
          } catch (const YAML::Exception&) {
            return YAML::Node();
          }
        }();
        refuse_seed_override(errors, set[i].Mark(), where, assignment.substr(0, equals), &value);
        c.fixed.push_back(assignment);
        origins.push_back({set[i].Mark(), where, assignment.substr(0, equals)});
      }
    } else {
      errors.add(set.Mark(), "set", "expected a map of key.path: value, or a list of key.path=value");
    }
  }

  const YAML::Node grid = root["grid"];
  std::size_t runs = c.seeds.size();
  if (grid && !grid.IsNull()) {
    if (!grid.IsMap()) {
      errors.add(grid.Mark(), "grid", "expected a map of key.path: [values]");
    } else {
      std::map<std::string, int> first_line;
      for (const auto& entry : grid) {
        const std::string key = entry.first.Scalar();
        const std::string path = "grid." + key;
        if (refuse_malformed_key(errors, entry.first.Mark(), path, key)) continue;
        // yaml-cpp keeps a key written twice: two axes of one key would make every run, then fail to
        // write the summary (two columns of one name).
        if (const auto [it, fresh] = first_line.emplace(canonical_key(key), entry.first.Mark().line + 1);
            !fresh) {
          errors.add(entry.first.Mark(), path,
                     "given twice (first at line " + std::to_string(it->second) + ")");
          continue;
        }
        refuse_seed_override(errors, entry.first.Mark(), path, key, nullptr);
        if (std::find_if(std::begin(output::kCampaignRunColumns), std::end(output::kCampaignRunColumns),
                         [&](const char* column) { return key == column; }) !=
            std::end(output::kCampaignRunColumns)) {
          errors.add(entry.first.Mark(), path,
                     "'" + key + "' names a column of the summary, not a scenario key");
          continue;
        }
        if (!entry.second.IsSequence() || entry.second.size() == 0) {
          errors.add(entry.second.Mark(), path, "expected a non-empty list of values, e.g. [5 min, 10 min]");
          continue;
        }
        Axis axis{key, {}};
        std::set<std::string> unique;
        for (std::size_t i = 0; i < entry.second.size(); ++i) {
          std::string value = flow_text(entry.second[i]);
          if (!unique.insert(value).second)
            errors.add(entry.second[i].Mark(), path + "[" + std::to_string(i) + "]",
                       "value '" + value + "' given twice");
          axis.values.push_back(std::move(value));
        }
        runs *= axis.values.size();
        if (runs > kMaxRuns) {
          errors.add(entry.second.Mark(), path,
                     "the campaign would have more than " + std::to_string(kMaxRuns) + " runs");
          break;
        }
        c.axes.push_back(std::move(axis));
        origins.push_back({entry.first.Mark(), path, key});
      }
    }
  }

  // origins: the set: entries (one per fixed override), then the axes.
  refuse_set_under_axis(errors, std::span(origins).first(c.fixed.size()),
                        std::span(origins).subspan(c.fixed.size()));

  const YAML::Node out = root["out"];
  if (out && (!out.IsScalar() || out.Scalar().empty())) errors.add(out.Mark(), "out", "expected a folder");
  const std::string default_out =
      source_name == "<text>" ? std::string("campaign") : fs::path(source_name).stem().string();
  c.out = resolve(base_dir, out && out.IsScalar() ? out.Scalar() : default_out);

  for (const auto& [key, field, lo, hi] :
       {std::tuple{"jobs", &c.jobs, 1, 4096}, std::tuple{"threads", &c.threads, 1, 1024}}) {
    const YAML::Node node = root[key];
    if (!node) continue;
    uint64_t v = 0;
    if (!read_uint(node, v) || v < static_cast<uint64_t>(lo) || v > static_cast<uint64_t>(hi))
      errors.add(node.Mark(), key, "expected " + std::to_string(lo) + ".." + std::to_string(hi));
    else
      *field = static_cast<int>(v);
  }
  errors.throw_if_any();
  load_grid_points(c, errors, sc.Mark(), origins);
  errors.throw_if_any();
  return c;
}

Campaign load_campaign_file(const std::string& path) {
  Errors errors(path);
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    errors.add("", "no such campaign file");
    errors.throw_if_any();
  }
  const std::string text = read_text(path, errors, "");
  errors.throw_if_any();
  return load_campaign_text(text, path, fs::path(path).parent_path().string());
}

std::vector<CampaignRun> expand_campaign(const Campaign& c) {
  const std::size_t points = grid_points(c);
  std::vector<CampaignRun> runs;
  runs.reserve(points * c.seeds.size());
  static const std::vector<std::string> kNoDigests;
  for (std::size_t p = 0; p < points; ++p) {
    std::vector<size_t> point;
    const std::vector<std::string> overrides = point_overrides(c, p, &point);
    const std::vector<std::string>& digests = p < c.data_digests.size() ? c.data_digests[p] : kNoDigests;
    for (uint64_t seed : c.seeds) {
      CampaignRun r;
      r.index = runs.size();
      r.point = point;
      r.seed = seed;
      r.overrides = overrides;
      r.id = run_id(c.scenario_text, overrides, seed, digests);
      r.trace_path = (fs::path(c.out) / "runs" / (r.id + ".h5")).string();
      runs.push_back(std::move(r));
    }
  }
  return runs;
}

std::string describe_run(const Campaign& c, const CampaignRun& run) {
  std::string text;
  for (std::size_t a = 0; a < c.axes.size(); ++a)
    text += c.axes[a].key + "=" + c.axes[a].values[run.point[a]] + ", ";
  return text + "seed " + std::to_string(run.seed);
}

}  // namespace citytwin::sim::campaign
