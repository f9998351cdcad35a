#include "common/log/context.h"

namespace zp::log {
namespace {

std::vector<Field>& fields() {
  static thread_local std::vector<Field> current;
  return current;
}

}  // namespace

LogContext::LogContext(std::initializer_list<Field> list) : pushed_(list.size()) {
  auto& f = fields();
  f.insert(f.end(), list.begin(), list.end());
}

LogContext::~LogContext() {
  auto& f = fields();
  f.resize(f.size() - pushed_);
}

const std::vector<Field>& currentFields() { return fields(); }

}  // namespace zp::log
