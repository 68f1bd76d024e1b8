#ifndef TELEDERM_TESTS_HARNESS_CHILD_PROCESS_H_
#define TELEDERM_TESTS_HARNESS_CHILD_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace telederm::testing {

// A child process started by a test (a redis-server, a service binary).
//
// Ownership: the ChildProcess object owns the process. Destroying it sends
// SIGTERM, waits up to 5 s, then SIGKILLs and reaps it. The child is also
// killed (PR_SET_PDEATHSIG) if the thread that spawned it dies, so a crashed
// test leaves no orphans; spawn from the test's main thread.
//
// Thread-compatible: use one ChildProcess from one thread at a time.
class ChildProcess {
 public:
  // Starts argv[0] (searched in PATH if it has no '/') with the test's
  // environment plus `extra_env` (which overrides). stdin is /dev/null;
  // stdout and stderr are appended to `log_path`. NOT_FOUND if the program
  // cannot be executed.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Spawn(
      std::vector<std::string> argv,
      std::vector<std::pair<std::string, std::string>> extra_env,
      std::string log_path);

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  // kill(pid, sig). FAILED_PRECONDITION if the process has already exited.
  absl::Status Signal(int sig);
  // SIGKILL and wait until it has exited (simulates a crash).
  absl::Status Kill9();
  // Waits for exit and returns the exit code (128 + signal number if it was
  // killed by a signal). DEADLINE_EXCEEDED if still running after `timeout`.
  absl::StatusOr<int> Wait(absl::Duration timeout);
  // True until the process has exited (reaps it if it has).
  bool Running();

  pid_t pid() const { return pid_; }
  const std::string& log_path() const { return log_path_; }

 private:
  ChildProcess(pid_t pid, std::string log_path)
      : pid_(pid), log_path_(std::move(log_path)) {}
  // Non-blocking reap; records the exit code when the child has exited.
  void Poll();

  pid_t pid_;
  std::string log_path_;
  std::optional<int> exit_code_;
};

// The last `max_bytes` of a file, or "" if it cannot be read; for error
// messages that show a child's log.
std::string FileTail(const std::string& path, size_t max_bytes = 2000);

}  // namespace telederm::testing

#endif  // TELEDERM_TESTS_HARNESS_CHILD_PROCESS_H_
