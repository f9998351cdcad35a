#include "pipelines/api/form.h"

#include "pipelines/api/query_string.h"

namespace zp::api {

Result<Form> parseForm(std::string_view body) {
  Form out;
  size_t start = 0;
  while (start < body.size()) {
    size_t amp = body.find('&', start);
    if (amp == std::string_view::npos) amp = body.size();
    const std::string_view pair = body.substr(start, amp - start);
    start = amp + 1;
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    auto name = percentDecode(pair.substr(0, eq), "form");
    if (!name) return name.error();
    auto value = percentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), *name);
    if (!value) return value.error();
    out.emplace(std::move(name).value(), std::move(value).value());
  }
  return out;
}

std::string formValue(const Form& form, const std::string& name) {
  auto it = form.find(name);
  return it == form.end() ? std::string() : it->second;
}

std::vector<std::string> formValues(const Form& form, const std::string& name) {
  std::vector<std::string> out;
  auto [from, to] = form.equal_range(name);
  for (auto it = from; it != to; ++it) {
    if (!it->second.empty()) out.push_back(it->second);
  }
  return out;
}

}  // namespace zp::api
