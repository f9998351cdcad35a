#include "pipelines/api/routes.h"

#include <algorithm>
#include <stdexcept>

namespace zp::api {

std::string_view methodName(Method method) {
  switch (method) {
    case Method::kGet:
      return "GET";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kPatch:
      return "PATCH";
    case Method::kDelete:
      return "DELETE";
    case Method::kHead:
      return "HEAD";
    case Method::kOptions:
      return "OPTIONS";
    case Method::kTrace:
      return "TRACE";
    case Method::kConnect:
      return "CONNECT";
  }
  return "GET";
}

std::vector<std::string_view> routePaths() {
  std::vector<std::string_view> out;
  for (const auto& route : kRoutes) {
    if (std::find(out.begin(), out.end(), route.path) == out.end()) out.push_back(route.path);
  }
  return out;
}

const RouteSpec* servedRoute(std::string_view path, Method method) {
  for (const auto& route : kRoutes) {
    if (route.path == path && route.method == method) return &route;
  }
  return method == Method::kHead ? servedRoute(path, Method::kGet) : nullptr;
}

std::vector<Method> methodsOn(std::string_view path) {
  std::vector<Method> out;
  for (const Method method : kAllMethods) {
    if (servedRoute(path, method) != nullptr) out.push_back(method);
  }
  return out;
}

std::string allowHeader(std::string_view path) {
  std::string out;
  for (const Method method : methodsOn(path)) {
    if (!out.empty()) out += ", ";
    out += methodName(method);
  }
  return out;
}

std::vector<std::string_view> queryParameters(QueryKind kind) {
  std::vector<std::string_view> names;
  switch (kind) {
    case QueryKind::kPagedByDomain:
      names = {"domain", "contains"};
      break;
    case QueryKind::kPagedByZoneAndType:
      names = {"zone", "record_type", "name", "value", "name_contains", "name_startswith"};
      break;
    case QueryKind::kPagedRecordFilters:
      names = {"record_type", "name", "value", "name_contains", "name_startswith"};
      break;
    case QueryKind::kSerial:
      return {"serial"};
    case QueryKind::kDryRun:
      return {"dry_run", "wait", "timeout_ms"};
    case QueryKind::kImport:
      return {"mode", "dry_run", "wait", "timeout_ms"};
    case QueryKind::kWait:
      return {"wait", "timeout_ms"};
    case QueryKind::kNone:
      return {};
    case QueryKind::kPaged:
      break;
  }
  names.push_back("page");
  names.push_back("page_size");
  return names;
}

std::optional<std::string> unknownQueryParameter(QueryKind kind,
                                                 const std::vector<std::string>& given) {
  const auto known = queryParameters(kind);
  for (const auto& name : given) {
    if (std::find(known.begin(), known.end(), name) == known.end()) return name;
  }
  return std::nullopt;
}

std::string pistachePattern(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '{') {
      const size_t close = path.find('}', i);
      if (close == std::string_view::npos) {
        throw std::logic_error("route path " + std::string(path) + " has an unclosed {");
      }
      out += ':';
      out += path.substr(i + 1, close - i - 1);
      i = close;
    } else {
      out += path[i];
    }
  }
  return out;
}

std::string zoneUrl(std::string_view uuid) {
  return std::string(kZonesPath) + std::string(uuid) + "/";
}

std::string recordUrl(std::string_view uuid) {
  return std::string(kRecordsPath) + std::string(uuid) + "/";
}

}  // namespace zp::api
