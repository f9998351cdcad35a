#include "pipelines/api/api_request.h"

#include "common/util/ids.h"

namespace zp::api {

std::string lowerAscii(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

std::string upperAscii(std::string text) {
  for (char& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

std::optional<std::string> pathUuid(const ApiRequest& req) {
  if (!looksLikeUuid(req.pathParam)) return std::nullopt;
  return lowerAscii(req.pathParam);
}

}  // namespace zp::api
