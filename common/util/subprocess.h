#pragma once
// Running a helper program (named-checkzone, rndc) without a shell: argv is
// passed as is, stdin is /dev/null, stdout and stderr are captured, and the
// child is killed when it runs past its deadline.

#include <chrono>
#include <string>
#include <vector>

namespace zp {

struct ProcessResult {
  bool started = false;   // false: the program could not be executed (see `error`)
  bool timedOut = false;  // killed at the deadline
  int exitCode = -1;      // valid when started && !timedOut && signal == 0
  int signal = 0;         // the signal that ended the child, 0 if it exited
  std::string output;     // stdout
  std::string errors;     // stderr
  std::string error;      // why it could not be started (errno text)

  bool ok() const { return started && !timedOut && signal == 0 && exitCode == 0; }
  // stderr, else stdout, else a description of how it ended; trimmed, one line
  // per line of output, for logs and acks.
  std::string describe() const;
};

// Runs argv[0] (looked up in PATH when it has no '/') with argv. Thread-safe:
// several threads may run programs at once. Never throws for a failing child;
// throws std::system_error only when pipes cannot be created (fd exhaustion).
// Each of stdout/stderr is capped at 1 MiB (the rest is read and dropped).
ProcessResult runProcess(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

}  // namespace zp
