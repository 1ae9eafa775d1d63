#include "sim/app/isolated_run.hpp"

#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "output/trace_writer.hpp"
#include "sim/app/result_text.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace citytwin::sim::app {
namespace {

// The child's report: a status letter, then either the error text or the summary as
// tab-separated lines (doubles in hexadecimal, exact).
std::string encode(const RunSummary& s) {
  std::ostringstream out;
  out << "complete\t" << (s.complete ? 1 : 0) << "\nseed\t" << s.seed << "\nthreads\t" << s.threads
      << "\nwall\t" << hex_double(s.wall_s) << "\nend\t" << hex_double(s.end_s) << "\npath\t" << s.output_path
      << "\n";
  write_result_lines(out, s.kpis, s.by_district);
  return out.str();
}

RunSummary decode(const std::string& text) {
  RunSummary s;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const std::vector<std::string> f = split_fields(line);
    if (f.size() < 2 || read_result_line(f, s.kpis, s.by_district)) continue;
    if (f[0] == "complete")
      s.complete = f[1] == "1";
    else if (f[0] == "seed")
      s.seed = std::stoull(f[1]);
    else if (f[0] == "threads")
      s.threads = std::stoi(f[1]);
    else if (f[0] == "wall")
      s.wall_s = std::strtod(f[1].c_str(), nullptr);
    else if (f[0] == "end")
      s.end_s = std::strtod(f[1].c_str(), nullptr);
    else if (f[0] == "path")
      s.output_path = f[1];
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

// The child's progress, one "sim_s duration_s uplinks" line (hexadecimal doubles) at most every 100 ms;
// during the set-up, "S fraction what" lines (the fraction a hexadecimal double).
RunOptions with_progress_pipe(RunOptions options, int progress_fd) {
  if (progress_fd < 0) return options;
  options.on_set_up = [progress_fd](const std::string& what, double fraction) {
    char head[64];
    const int n = std::snprintf(head, sizeof head, "S %a ", fraction);
    if (n > 0) write_all(progress_fd, std::string(head, static_cast<size_t>(n)) + what + "\n");
  };
  auto last = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  options.on_progress = [progress_fd, last](double sim_s, double duration_s, uint64_t uplinks) mutable {
    const auto now = std::chrono::steady_clock::now();
    if (now - last < std::chrono::milliseconds(100) && sim_s < duration_s) return;
    last = now;
    char line[128];
    const int n = std::snprintf(line, sizeof line, "%a %a %llu\n", sim_s, duration_s,
                                static_cast<unsigned long long>(uplinks));
    if (n > 0) write_all(progress_fd, std::string(line, static_cast<size_t>(n)));
  };
  return options;
}

void parse_progress(std::string& pending, const std::function<void(const IsolatedProgress&)>& progress) {
  size_t end = 0;
  while ((end = pending.find('\n')) != std::string::npos) {
    IsolatedProgress p;
    unsigned long long uplinks = 0;
    char sim[48] = {}, duration[48] = {};
    const std::string line = pending.substr(0, end);
    int what_at = 0;
    if (line.rfind("S ", 0) == 0) {
      if (std::sscanf(line.c_str(), "S %47s %n", sim, &what_at) == 1 && what_at > 0) {
        p.set_up_fraction = std::strtod(sim, nullptr);
        p.set_up = line.substr(static_cast<size_t>(what_at));
        if (p.set_up.empty()) p.set_up = "setting up";
        progress(p);
      }
    } else if (std::sscanf(line.c_str(), "%47s %47s %llu", sim, duration, &uplinks) == 3) {
      p.sim_s = std::strtod(sim, nullptr);
      p.duration_s = std::strtod(duration, nullptr);
      p.uplinks = uplinks;
      progress(p);
    }
    pending.erase(0, end + 1);
  }
}

[[noreturn]] void child_main(int fd, const ScenarioSource& source, const RunOptions& options, pid_t parent) {
  std::signal(SIGINT, [](int) { request_stop(); });
  std::signal(SIGTERM, [](int) { request_stop(); });
  // A parent that dies (even by SIGKILL: a notebook's kernel killed, a campaign's driver) stops its child
  // as Ctrl-C would: the trace is finished with complete = 0 instead of the run going on unwatched. The
  // report then finds no reader: EPIPE, not SIGPIPE.
  std::signal(SIGPIPE, SIG_IGN);
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) request_stop();  // it died before the line above
  std::string report;
  int code = 0;
  try {
    const scenario::Scenario sc =
        source.is_text
            ? scenario::load_scenario_text(source.text_or_path, source.source_name, source.overrides)
            : scenario::load_scenario_file(source.text_or_path, source.overrides);
    report = "O" + encode(run(sc, options));
  } catch (const scenario::ScenarioError& e) {
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

IsolatedChild start_isolated(const ScenarioSource& source, const RunOptions& options, bool with_progress) {
  int fds[2];
  if (::pipe(fds) != 0) throw RunError(std::string("cannot create a pipe: ") + std::strerror(errno));
  int progress_fds[2] = {-1, -1};
  if (with_progress && ::pipe(progress_fds) != 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw RunError(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {fds[0], fds[1], progress_fds[0], progress_fds[1]})
      if (fd >= 0) ::close(fd);
    throw RunError(std::string("cannot fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    ::close(fds[0]);
    if (progress_fds[0] >= 0) ::close(progress_fds[0]);
    child_main(fds[1], source, with_progress_pipe(options, progress_fds[1]), parent);
  }
  ::close(fds[1]);
  if (progress_fds[1] >= 0) ::close(progress_fds[1]);
  IsolatedChild child;
  child.pid = pid;
  child.report_fd = fds[0];
  child.progress_fd = progress_fds[0];
  return child;
}

bool read_isolated(IsolatedChild& child, const std::function<void(const IsolatedProgress&)>& progress) {
  char buf[65536];
  if (child.progress_fd >= 0) {
    pollfd p{child.progress_fd, POLLIN, 0};
    if (::poll(&p, 1, 0) > 0) {
      const ssize_t n = ::read(child.progress_fd, buf, sizeof buf);
      if (n > 0) {
        child.progress_pending.append(buf, static_cast<size_t>(n));
        if (progress)
          parse_progress(child.progress_pending, progress);
        else
          child.progress_pending.clear();
      } else if (n == 0) {
        ::close(child.progress_fd);
        child.progress_fd = -1;
      }
    }
  }
  if (child.report_fd < 0) return false;
  pollfd p{child.report_fd, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0 || (p.revents & (POLLIN | POLLHUP | POLLERR)) == 0) return true;
  const ssize_t n = ::read(child.report_fd, buf, sizeof buf);
  if (n > 0) {
    child.report.append(buf, static_cast<size_t>(n));
    return true;
  }
  if (n < 0 && errno == EINTR) return true;
  ::close(child.report_fd);  // end of file (the child closed its end) or an error
  child.report_fd = -1;
  return false;
}

void stop_isolated(const IsolatedChild& child) {
  if (child.pid > 0) ::kill(child.pid, SIGINT);
}

IsolatedOutcome finish_isolated(IsolatedChild& child) {
  for (int* fd : {&child.report_fd, &child.progress_fd}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
  int status = 0;
  while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
  }
  child.pid = -1;
  const std::string& report = child.report;

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

IsolatedOutcome run_isolated(const ScenarioSource& source, const RunOptions& options,
                             const std::function<bool()>& cancel,
                             const std::function<void(const IsolatedProgress&)>& progress) {
  IsolatedChild child = start_isolated(source, options, static_cast<bool>(progress));
  bool cancelled = false;
  for (;;) {
    pollfd p[2] = {{child.report_fd, POLLIN, 0}, {child.progress_fd, POLLIN, 0}};
    ::poll(p, child.progress_fd >= 0 ? 2 : 1, 100);
    if (!read_isolated(child, progress)) break;
    if (!cancelled && cancel && cancel()) {
      cancelled = true;
      stop_isolated(child);
    }
  }
  return finish_isolated(child);
}

}  // namespace citytwin::sim::app
