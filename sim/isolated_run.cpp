#include "sim/isolated_run.hpp"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "output/trace_writer.hpp"
#include "sim/scenario_loader.hpp"

namespace citytwin::sim {
namespace {

// The child's report: a status letter, then either the error text or the summary as
// tab-separated lines (doubles in hexadecimal, exact).
std::string encode(const RunSummary& s) {
  std::ostringstream out;
  char buf[64];
  auto num = [&](double v) {
    std::snprintf(buf, sizeof buf, "%a", v);
    return std::string(buf);
  };
  out << "complete\t" << (s.complete ? 1 : 0) << "\nseed\t" << s.seed << "\nthreads\t" << s.threads
      << "\nwall\t" << num(s.wall_s) << "\npath\t" << s.output_path << "\n";
  for (const auto& [name, value] : s.kpis) out << "kpi\t" << name << "\t" << num(value) << "\n";
  out << "table\t" << s.by_district.key_name << "\n";
  for (const auto& key : s.by_district.keys) out << "key\t" << key << "\n";
  for (const auto& [name, values] : s.by_district.columns) {
    out << "column\t" << name;
    for (double v : values) out << "\t" << num(v);
    out << "\n";
  }
  return out.str();
}

RunSummary decode(const std::string& text) {
  RunSummary s;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string part; std::getline(fields, part, '\t');) f.push_back(part);
    if (f.size() < 2) continue;
    if (f[0] == "complete")
      s.complete = f[1] == "1";
    else if (f[0] == "seed")
      s.seed = std::stoull(f[1]);
    else if (f[0] == "threads")
      s.threads = std::stoi(f[1]);
    else if (f[0] == "wall")
      s.wall_s = std::strtod(f[1].c_str(), nullptr);
    else if (f[0] == "path")
      s.output_path = f[1];
    else if (f[0] == "kpi" && f.size() == 3)
      s.kpis.emplace_back(f[1], std::strtod(f[2].c_str(), nullptr));
    else if (f[0] == "table")
      s.by_district.key_name = f[1];
    else if (f[0] == "key")
      s.by_district.keys.push_back(f[1]);
    else if (f[0] == "column") {
      std::vector<double> values;
      for (size_t i = 2; i < f.size(); ++i) values.push_back(std::strtod(f[i].c_str(), nullptr));
      s.by_district.columns.emplace_back(f[1], std::move(values));
    }
  }
  return s;
}

void write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

[[noreturn]] void child_main(int fd, const ScenarioSource& source, const RunOptions& options) {
  std::signal(SIGINT, [](int) { request_stop(); });
  std::signal(SIGTERM, [](int) { request_stop(); });
  std::string report;
  int code = 0;
  try {
    const Scenario sc = source.is_text ? load_scenario_text(source.text_or_path, "<text>", source.overrides)
                                       : load_scenario_file(source.text_or_path, source.overrides);
    report = "O" + encode(run(sc, options));
  } catch (const ScenarioError& e) {
    report = std::string("S") + e.what();
    code = 2;
  } catch (const output::OutputPathError& e) {  // refused before running: a RunError for the caller
    report = std::string("R") + e.what();
    code = 2;
  } catch (const std::exception& e) {
    report = std::string("R") + e.what();
    code = 1;
  }
  write_all(fd, report);
  ::close(fd);
  std::fflush(stderr);
  ::_exit(code);  // no atexit handlers or destructors of the parent's state
}

}  // namespace

IsolatedOutcome run_isolated(const ScenarioSource& source, const RunOptions& options,
                             const std::function<bool()>& cancel) {
  int fds[2];
  if (::pipe(fds) != 0) throw RunError(std::string("cannot create a pipe: ") + std::strerror(errno));
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) throw RunError(std::string("cannot fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::close(fds[0]);
    child_main(fds[1], source, options);
  }
  ::close(fds[1]);

  std::string report;
  bool cancelled = false;
  char buf[65536];
  for (;;) {
    pollfd p{fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, 100);
    if (ready > 0) {
      const ssize_t n = ::read(fds[0], buf, sizeof buf);
      if (n > 0) {
        report.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n == 0) break;  // the child closed its end
      if (errno != EINTR) break;
    }
    if (!cancelled && cancel && cancel()) {
      cancelled = true;
      ::kill(pid, SIGINT);
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }

  IsolatedOutcome outcome;
  if (report.empty()) {
    outcome.status = IsolatedOutcome::Status::Crashed;
    outcome.error = WIFSIGNALED(status)
                        ? "the simulation process was killed by signal " + std::to_string(WTERMSIG(status)) +
                              " (" + strsignal(WTERMSIG(status)) + ")"
                        : "the simulation process exited without a report (status " +
                              std::to_string(WEXITSTATUS(status)) + ")";
    return outcome;
  }
  const char kind = report.front();
  const std::string body = report.substr(1);
  if (kind == 'O') {
    outcome.status = IsolatedOutcome::Status::Ok;
    outcome.summary = decode(body);
  } else {
    outcome.status = kind == 'S' ? IsolatedOutcome::Status::ScenarioError : IsolatedOutcome::Status::RunError;
    outcome.error = body;
  }
  return outcome;
}

}  // namespace citytwin::sim
