#pragma once
// HTML for the account pages: escaping and the page frame. Every string that
// came from a user (names, values, token names, errors) goes through
// escapeHtml before it reaches a page, so `<script>` shows as text. The frame
// loads only /account/static/ files (the Content-Security-Policy allows
// nothing else) and has a skip link and labelled landmarks for keyboards and
// screen readers. Stateless functions, thread-safe.

#include <string>
#include <string_view>

namespace zp::api {

// &, <, >, ", ' as entities; ill-formed UTF-8 replaced by U+FFFD.
std::string escapeHtml(std::string_view text);

struct PageFrame {
  std::string title;     // plain text (escaped here)
  std::string userId;    // the logged-in user; empty on the login page
  std::string csrf;      // the session's CSRF token (for the logout form)
  std::string bodyHtml;  // already-escaped HTML
};
std::string renderPage(const PageFrame& frame);

// The headers every page carries: a strict CSP, no sniffing, no framing, no
// caching, no referrer.
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

}  // namespace zp::api
