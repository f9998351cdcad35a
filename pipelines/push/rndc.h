#pragma once
// Talking to named through rndc. `Rndc` is the seam: the pusher's tests use a
// fake, production runs the real program (RndcProgram).

#include <chrono>
#include <string>
#include <vector>

#include "common/util/subprocess.h"

namespace zp::push {

// Runs one rndc command (`args` after the program and its -c option).
// Implementations must not throw for a failing command: that is a result.
class Rndc {
 public:
  virtual ~Rndc() = default;
  virtual ProcessResult run(const std::vector<std::string>& args) = 0;
  // For log lines and acks: the rndc.conf in use.
  virtual const std::string& configPath() const = 0;
};

// Executes `<program> -c <config> args...` with an argv array (no shell),
// capturing stdout and stderr, killing it after `timeout`. Thread-safe.
class RndcProgram : public Rndc {
 public:
  RndcProgram(std::string program, std::string config,
              std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ProcessResult run(const std::vector<std::string>& args) override;
  const std::string& configPath() const override { return config_; }

 private:
  std::string program_;
  std::string config_;
  std::chrono::milliseconds timeout_;
};

}  // namespace zp::push
