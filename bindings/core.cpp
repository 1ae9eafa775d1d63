// citytwin._core: the compiled half of the Python package. Runs scenarios in a child process
// (sim/isolated_run.hpp) with the GIL released; errors become Python exceptions carrying the same
// text the command line prints. Everything else (reading the trace, tables, plots) is plain Python.
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "models/device/catalogue.hpp"
#include "output/trace_writer.hpp"
#include "sim/app/cli_json.hpp"
#include "sim/app/isolated_run.hpp"
#include "sim/app/run.hpp"
#include "sim/app/version.hpp"
#include "sim/campaign/campaign.hpp"
#include "sim/city/resolve.hpp"
#include "sim/rollout/compare.hpp"
#include "sim/scenario/override_path.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/scenario/units.hpp"

namespace py = pybind11;
namespace app = citytwin::sim::app;
namespace scenario = citytwin::sim::scenario;

namespace {

py::dict summary_dict(const app::RunSummary& s) {
  py::dict kpis;
  for (const auto& [name, value] : s.kpis) kpis[py::str(name)] = value;
  py::dict d;
  d["kpis"] = kpis;
  d["complete"] = s.complete;
  d["seed"] = s.seed;
  d["threads"] = s.threads;
  d["wall_s"] = s.wall_s;
  d["end_s"] = s.end_s;
  d["path"] = s.output_path;
  return d;
}

// One row per catalogue type (models/device/catalogue.hpp), with the units in the keys.
py::list catalogue_rows() {
  namespace dev = citytwin::models::device;
  py::list rows;
  for (const dev::SensorType& t : dev::sensor_types()) {
    py::dict row;
    row["name"] = std::string(t.name);
    row["radio"] = citytwin::models::radio::to_string(t.radio);
    row["interval_s"] = t.interval_s;
    row["sample_interval_s"] = t.sample_interval_s;
    row["payload_bytes"] = t.payload_bytes;
    row["power"] = dev::to_string(t.power);
    row["battery_mah"] = t.battery.capacity_mah;
    row["battery_v"] = t.battery.voltage_v;
    row["mobility"] = dev::to_string(t.mobility);
    row["confirmed_uplinks"] = t.confirmed_uplinks;
    row["event_rule"] = t.event_rule.has_value();
    row["stream_bitrate_bps"] = t.stream_bitrate_bps;
    row["description"] = std::string(t.description);
    rows.append(row);
  }
  return rows;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "citytwin compiled core; use the citytwin package instead";
  m.attr("__version__") = app::kVersion;
  static py::exception<scenario::ScenarioError> scenario_error(m, "ScenarioError", PyExc_ValueError);
  static py::exception<app::RunError> run_error(m, "RunError", PyExc_RuntimeError);

  m.def("default_thread_count", &app::default_thread_count);
  m.attr("schema_version") = citytwin::output::kSchemaVersion;

  m.def("fail_reasons", [] {
    std::vector<std::string> names;
    for (size_t i = 0; i < citytwin::output::kFailReasons; ++i)
      names.emplace_back(citytwin::output::to_string(static_cast<citytwin::output::FailReason>(i)));
    return names;
  });
  m.def("catalogue", &catalogue_rows);
  // The engine's key-path grammar (sim/scenario/override_path.hpp), so that Python refuses and splits
  // a path exactly as the loader and the campaign file do.
  m.def("key_path_problem", [](const std::string& path) { return scenario::key_path_problem(path); });
  m.def("split_key_path", [](const std::string& path) { return scenario::split_override_path(path); });
  m.def("key_replaced_by",
        [](const std::string& key, const std::string& axis) { return scenario::replaced_by(key, axis); });
  // "10 min" -> (600.0, "s"): the value in its dimension's base unit (sim/units.hpp), trying each
  // dimension; ValueError when the text is no quantity.
  m.def("parse_quantity", [](const std::string& text) {
    using D = scenario::Dimension;
    for (const D d : {D::Time, D::Length, D::Frequency, D::Bitrate, D::DataSize, D::Current, D::Charge,
                      D::Voltage, D::PowerLevel, D::Gain, D::Computation, D::Percent}) {
      if (const auto value = scenario::parse_quantity(text, d)) {
        return py::make_tuple(*value, std::string(scenario::base_unit(d)),
                              std::string(scenario::dimension_name(d)));
      }
    }
    throw py::value_error("'" + text +
                          "' is not a quantity with a unit (e.g. '10 min', '868.1 MHz', '3 km')");
  });

  // validate, describe and run take a scenario as a file's path or as text (is_text); a text is loaded
  // under source_name, which its errors name (file:line:col) and whose folder holds its relative data
  // files (app::ScenarioSource).
  m.def(
      "validate",
      [](const std::string& text_or_path, bool is_text, const std::vector<std::string>& overrides,
         const std::string& source_name) {
        try {
          const scenario::Scenario sc =
              is_text ? scenario::load_scenario_text(text_or_path, source_name, overrides)
                      : scenario::load_scenario_file(text_or_path, overrides);
          // What a run checks before simulating, and the warnings (as `citytwin validate`).
          std::vector<std::string> warnings;
          for (const scenario::Diagnostic& w : citytwin::sim::city::resolve(sc, sc.run.seed))
            warnings.push_back(w.to_string());
          return warnings;
        } catch (const scenario::ScenarioError& e) {
          scenario_error(e.what());
          throw py::error_already_set();
        }
      },
      py::arg("text_or_path"), py::arg("is_text"), py::arg("overrides"), py::arg("source_name") = "<text>");

  // `citytwin describe --json` of a scenario, as JSON text: districts with their extents, devices,
  // gateways, the fibre plant.
  m.def(
      "describe",
      [](const std::string& text_or_path, bool is_text, const std::vector<std::string>& overrides,
         const std::string& source_name) {
        try {
          const scenario::Scenario sc =
              is_text ? scenario::load_scenario_text(text_or_path, source_name, overrides)
                      : scenario::load_scenario_file(text_or_path, overrides);
          return app::describe_json(sc, is_text ? source_name : text_or_path).dump();
        } catch (const scenario::ScenarioError& e) {
          scenario_error(e.what());
          throw py::error_already_set();
        }
      },
      py::arg("text_or_path"), py::arg("is_text"), py::arg("overrides"), py::arg("source_name") = "<text>");

  // A rollout's phases x seeds (sim/rollout/compare.hpp), as `citytwin compare`; Ctrl-C stops the children
  // (finished phases are kept in the file).
  m.def(
      "compare",
      [](const std::string& path, const std::vector<std::string>& overrides, int seeds, int jobs,
         const std::string& out, bool progress) {
        namespace rollout = citytwin::sim::rollout;
        rollout::CompareOptions options;
        options.scenario_path = path;
        options.overrides = overrides;
        options.seeds = seeds;
        options.jobs = jobs;
        options.output_path = out;
        options.progress = progress;
        bool interrupted = false;
        rollout::CompareResult result;
        try {
          py::gil_scoped_release release;
          options.stop = [&] {
            py::gil_scoped_acquire acquire;
            if (PyErr_CheckSignals() != 0) {
              PyErr_Clear();
              interrupted = true;
            }
            return interrupted;
          };
          result = rollout::compare(options);
        } catch (const scenario::ScenarioError& e) {
          scenario_error(e.what());
          throw py::error_already_set();
        }
        py::dict d;
        d["table"] = result.table;
        d["out"] = out;
        d["complete"] = result.complete;
        d["errors"] = result.errors;
        d["interrupted"] = interrupted;
        return d;
      },
      py::arg("path"), py::arg("overrides"), py::arg("seeds"), py::arg("jobs"), py::arg("out"),
      py::arg("progress"));

  // A campaign file (sim/campaign/campaign_file.hpp) run on the process pool, as `citytwin sweep`;
  // Ctrl-C stops the children (finished runs are kept) and is reported as "interrupted".
  m.def(
      "sweep_file",
      [](const std::string& path, int jobs, bool progress, const std::function<bool()>& should_stop) {
        namespace campaign = citytwin::sim::campaign;
        const campaign::Campaign c = [&] {
          try {
            return campaign::load_campaign_file(path);
          } catch (const scenario::ScenarioError& e) {
            scenario_error(e.what());
            throw py::error_already_set();
          }
        }();
        campaign::CampaignOptions options;
        options.jobs = jobs;
        options.progress = progress;
        bool interrupted = false;
        std::optional<py::error_already_set> callback_error;
        campaign::CampaignResult result;
        {
          py::gil_scoped_release release;
          options.cancel = [&] {
            py::gil_scoped_acquire acquire;
            if (PyErr_CheckSignals() != 0) {
              PyErr_Clear();
              interrupted = true;
            }
            if (!interrupted && should_stop && !callback_error) {
              try {
                if (should_stop()) interrupted = true;
              } catch (py::error_already_set& e) {
                callback_error = std::move(e);
              }
            }
            return interrupted || callback_error.has_value();
          };
          result = campaign::run_campaign(c, options);
        }
        if (callback_error) throw std::move(*callback_error);
        py::dict d;
        d["out"] = c.out;
        d["runs"] = result.runs.size();
        d["made"] = result.executed;
        d["reused"] = result.reused;
        d["failed"] = result.failed;
        d["stopped"] = result.stopped;
        d["interrupted"] = interrupted;
        return d;
      },
      py::arg("path"), py::arg("jobs") = 0, py::arg("progress") = false, py::arg("should_stop") = nullptr);

  m.def(
      "run",
      [](const std::string& text_or_path, bool is_text, const std::vector<std::string>& overrides,
         const std::string& out, std::optional<uint64_t> seed, std::optional<int> threads, bool progress,
         const std::function<bool()>& should_stop,
         const std::function<void(double, double, uint64_t, const std::string&, double)>& on_progress,
         bool overwrite, const std::string& source_name) {
        app::ScenarioSource source{text_or_path, is_text, overrides, source_name};
        app::RunOptions options;
        options.output_path = out;
        options.seed = seed;
        options.threads = threads;
        options.progress = progress;
        options.overwrite = overwrite;
        bool interrupted = false;
        // A Python callback that raises stops the run; its exception is raised after it.
        std::optional<py::error_already_set> callback_error;
        app::IsolatedOutcome outcome;
        bool stopped = false;  // should_stop said so: the child was asked to stop
        {
          py::gil_scoped_release release;
          const auto cancel = [&] {
            py::gil_scoped_acquire acquire;
            if (PyErr_CheckSignals() != 0) {  // Ctrl-C / the notebook's interrupt button
              PyErr_Clear();
              interrupted = true;
            }
            if (!interrupted && !stopped && should_stop && !callback_error) {
              try {
                stopped = should_stop();
              } catch (py::error_already_set& e) {
                callback_error = std::move(e);
                stopped = true;
              }
            }
            return interrupted || stopped || callback_error.has_value();  // a callback that raised stops it
          };
          const auto report = [&](const app::IsolatedProgress& p) {
            py::gil_scoped_acquire acquire;
            if (callback_error) return;
            try {
              on_progress(p.sim_s, p.duration_s, p.uplinks, p.set_up, p.set_up_fraction);
            } catch (py::error_already_set& e) {
              callback_error = std::move(e);
            }
          };
          if (on_progress) {
            outcome = app::run_isolated(source, options, cancel, report);
          } else {
            outcome = app::run_isolated(source, options, cancel);
          }
        }
        if (callback_error) throw std::move(*callback_error);
        if (interrupted) {  // the child has finished its trace with complete = 0
          PyErr_SetNone(PyExc_KeyboardInterrupt);
          throw py::error_already_set();
        }
        switch (outcome.status) {
          case app::IsolatedOutcome::Status::Ok: {
            py::dict d = summary_dict(outcome.summary);
            d["stop_sent"] = stopped;  // the child was asked to stop (it may have finished first)
            return d;
          }
          case app::IsolatedOutcome::Status::ScenarioError:
            scenario_error(outcome.error.c_str());
            break;
          case app::IsolatedOutcome::Status::RunError:
          case app::IsolatedOutcome::Status::Crashed:
            run_error(outcome.error.c_str());
            break;
        }
        throw py::error_already_set();
      },
      py::arg("text_or_path"), py::arg("is_text"), py::arg("overrides"), py::arg("out"), py::arg("seed"),
      py::arg("threads"), py::arg("progress"), py::arg("should_stop") = nullptr,
      py::arg("on_progress") = nullptr, py::arg("overwrite") = false, py::arg("source_name") = "<text>");
}
