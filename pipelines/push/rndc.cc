#include "pipelines/push/rndc.h"

namespace zp::push {

RndcProgram::RndcProgram(std::string program, std::string config, std::chrono::milliseconds timeout)
    : program_(std::move(program)), config_(std::move(config)), timeout_(timeout) {}

ProcessResult RndcProgram::run(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {program_, "-c", config_};
  argv.insert(argv.end(), args.begin(), args.end());
  return runProcess(argv, timeout_);
}

}  // namespace zp::push
