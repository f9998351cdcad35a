#include "common/metrics/capnp_labels.h"

namespace zp::metrics {

std::string snakeCase(std::string_view camel) {
  std::string out;
  out.reserve(camel.size() + 4);
  for (const char c : camel) {
    if (c >= 'A' && c <= 'Z') {
      if (!out.empty()) out += '_';
      out += static_cast<char>(c - 'A' + 'a');
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace zp::metrics
