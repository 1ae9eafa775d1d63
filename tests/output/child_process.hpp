// Runs a test's case in a forked child process, so that the child's exit (HDF5's own clean-up at exit
// included), a file size limit or a private file system stays in the child. Test-only helpers.
#pragma once

#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace citytwin::output::child {

// The exit code of a child that cannot set up what it tests (no private tmpfs, no setrlimit).
inline constexpr int kSkip = 77;

// Runs `child` in a forked process and returns its wait status. The child ends with std::exit (atexit
// handlers run) unless it ends itself otherwise; an exception ends it with code 30. A child still
// running after `watchdog_s` is killed by SIGALRM, so that a hang fails the test instead of stalling it.
template <class F>
int run_in_child(F&& child, unsigned watchdog_s = 120) {
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    ::alarm(watchdog_s);
    int code = 30;
    try {
      code = child();
    } catch (...) {
    }
    std::exit(code);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return status;
}

inline bool write_text(const char* path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  return static_cast<bool>(out.flush());
}

// Mounts a small tmpfs on `dir`, visible to this process only (its own mount namespace; as a regular
// user, inside a user namespace where it is root). False when the system does not allow it.
inline bool mount_private_tmpfs(const std::string& dir, const char* options) {
  if (::unshare(CLONE_NEWNS) != 0) {
    const std::string uid = std::to_string(::getuid());
    const std::string gid = std::to_string(::getgid());
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) return false;
    if (!write_text("/proc/self/setgroups", "deny") || !write_text("/proc/self/uid_map", "0 " + uid + " 1") ||
        !write_text("/proc/self/gid_map", "0 " + gid + " 1")) {
      return false;
    }
  }
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return false;
  return ::mount("tmpfs", dir.c_str(), "tmpfs", 0, options) == 0;
}

}  // namespace citytwin::output::child
