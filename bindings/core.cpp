// citytwin._core: the compiled half of the Python package. Runs scenarios in a child process
// (sim/isolated_run.hpp) with the GIL released; errors become Python exceptions carrying the same
// text the command line prints. Everything else (reading the trace, tables, plots) is plain Python.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "sim/app/isolated_run.hpp"
#include "sim/app/run.hpp"
#include "sim/app/version.hpp"
#include "sim/scenario/scenario_loader.hpp"

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
  d["path"] = s.output_path;
  return d;
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "citytwin compiled core; use the citytwin package instead";
  m.attr("__version__") = app::kVersion;
  static py::exception<scenario::ScenarioError> scenario_error(m, "ScenarioError", PyExc_ValueError);
  static py::exception<app::RunError> run_error(m, "RunError", PyExc_RuntimeError);

  m.def("default_thread_count", &app::default_thread_count);

  m.def(
      "validate",
      [](const std::string& text_or_path, bool is_text, const std::vector<std::string>& overrides) {
        try {
          const scenario::Scenario sc = is_text
                                            ? scenario::load_scenario_text(text_or_path, "<text>", overrides)
                                            : scenario::load_scenario_file(text_or_path, overrides);
          return sc.source_name;
        } catch (const scenario::ScenarioError& e) {
          scenario_error(e.what());
          throw py::error_already_set();
        }
      },
      py::arg("text_or_path"), py::arg("is_text"), py::arg("overrides"));

  m.def(
      "run",
      [](const std::string& text_or_path, bool is_text, const std::vector<std::string>& overrides,
         const std::string& out, std::optional<uint64_t> seed, std::optional<int> threads, bool progress) {
        app::ScenarioSource source{text_or_path, is_text, overrides};
        app::RunOptions options;
        options.output_path = out;
        options.seed = seed;
        options.threads = threads;
        options.progress = progress;
        bool interrupted = false;
        app::IsolatedOutcome outcome;
        {
          py::gil_scoped_release release;
          outcome = app::run_isolated(source, options, [&interrupted] {
            py::gil_scoped_acquire acquire;
            if (PyErr_CheckSignals() != 0) {  // Ctrl-C / the notebook's interrupt button
              PyErr_Clear();
              interrupted = true;
            }
            return interrupted;
          });
        }
        if (interrupted) {  // the child has finished its trace with complete = 0
          PyErr_SetNone(PyExc_KeyboardInterrupt);
          throw py::error_already_set();
        }
        switch (outcome.status) {
          case app::IsolatedOutcome::Status::Ok:
            return summary_dict(outcome.summary);
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
      py::arg("threads"), py::arg("progress"));
}
