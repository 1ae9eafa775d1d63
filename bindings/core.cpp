// citytwin._core: the compiled half of the Python package. Runs scenarios in a child process
// (sim/isolated_run.hpp) with the GIL released; errors become Python exceptions carrying the same
// text the command line prints. Everything else (reading the trace, tables, plots) is plain Python.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "sim/isolated_run.hpp"
#include "sim/run.hpp"
#include "sim/scenario_loader.hpp"
#include "sim/version.hpp"

namespace py = pybind11;
namespace ct = citytwin::sim;

namespace {

py::dict summary_dict(const ct::RunSummary& s) {
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
  m.attr("__version__") = ct::kVersion;
  static py::exception<ct::ScenarioError> scenario_error(m, "ScenarioError", PyExc_ValueError);
  static py::exception<ct::RunError> run_error(m, "RunError", PyExc_RuntimeError);

  m.def("default_thread_count", &ct::default_thread_count);

  m.def(
      "validate",
      [](const std::string& text_or_path, bool is_text, const std::vector<std::string>& overrides) {
        try {
          const ct::Scenario sc = is_text ? ct::load_scenario_text(text_or_path, "<text>", overrides)
                                          : ct::load_scenario_file(text_or_path, overrides);
          return sc.source_name;
        } catch (const ct::ScenarioError& e) {
          scenario_error(e.what());
          throw py::error_already_set();
        }
      },
      py::arg("text_or_path"), py::arg("is_text"), py::arg("overrides"));

  m.def(
      "run",
      [](const std::string& text_or_path, bool is_text, const std::vector<std::string>& overrides,
         const std::string& out, std::optional<uint64_t> seed, std::optional<int> threads, bool progress,
         bool overwrite) {
        ct::ScenarioSource source{text_or_path, is_text, overrides};
        ct::RunOptions options;
        options.output_path = out;
        options.seed = seed;
        options.threads = threads;
        options.progress = progress;
        options.overwrite = overwrite;
        bool interrupted = false;
        ct::IsolatedOutcome outcome;
        {
          py::gil_scoped_release release;
          outcome = ct::run_isolated(source, options, [&interrupted] {
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
          case ct::IsolatedOutcome::Status::Ok:
            return summary_dict(outcome.summary);
          case ct::IsolatedOutcome::Status::ScenarioError:
            scenario_error(outcome.error.c_str());
            break;
          case ct::IsolatedOutcome::Status::RunError:
          case ct::IsolatedOutcome::Status::Crashed:
            run_error(outcome.error.c_str());
            break;
        }
        throw py::error_already_set();
      },
      py::arg("text_or_path"), py::arg("is_text"), py::arg("overrides"), py::arg("out"), py::arg("seed"),
      py::arg("threads"), py::arg("progress"), py::arg("overwrite") = false);
}
