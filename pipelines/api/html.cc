#include "pipelines/api/html.h"

#include "pipelines/api/json.h"

namespace zp::api {

std::string escapeHtml(std::string_view raw) {
  const std::string text = sanitizeUtf8(raw);
  std::string out;
  out.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string renderPage(const PageFrame& f) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      escapeHtml(f.title) +
      " · zonepipe</title>"
      "<link rel=\"stylesheet\" href=\"/account/static/app.css\">"
      "<script src=\"/account/static/app.js\" defer></script></head><body>"
      "<a class=\"skip\" href=\"#main\">Skip to content</a>"
      "<header><nav aria-label=\"Account\"><span class=\"brand\">zonepipe</span>";
  if (!f.userId.empty()) {
    out +=
        "<a href=\"/account/\">Zones</a><a href=\"/account/developers/\">Developers</a>"
        "<span class=\"who\">" +
        escapeHtml(f.userId) +
        "</span><form method=\"post\" action=\"/account/logout/\" class=\"inline\">"
        "<input type=\"hidden\" name=\"csrf\" value=\"" +
        escapeHtml(f.csrf) + "\"><button type=\"submit\">Log out</button></form>";
  }
  out += "</nav></header><main id=\"main\" tabindex=\"-1\"><h1>" + escapeHtml(f.title) + "</h1>" +
         f.bodyHtml + "</main></body></html>\n";
  return out;
}

}  // namespace zp::api
