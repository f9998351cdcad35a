#include "pipelines/push/rr_wire.h"

extern "C" {  // libzscanner's headers do not say it themselves
#include <libzscanner/scanner.h>
}

#include <memory>

namespace zp::push {
namespace {

Error bad(std::string detail) { return Error{ErrorKind::kInternal, "", std::move(detail)}; }

struct ScannerDeleter {
  void operator()(zs_scanner_t* s) const {
    zs_deinit(s);
    delete s;
  }
};

}  // namespace

Result<std::vector<WireRr>> parseRrLines(const std::vector<std::string_view>& lines) {
  std::string text;
  for (const auto line : lines) {
    if (line.find_first_of("\n\r$") == 0 || line.find('\n') != std::string_view::npos) {
      return bad("a record line holds a newline or starts with a directive: " + std::string(line));
    }
    text.append(line);
    text.push_back('\n');
  }
  // zs_scanner_t is large (rdata buffers): on the heap, not the stack.
  std::unique_ptr<zs_scanner_t, ScannerDeleter> scanner(new zs_scanner_t{});
  if (zs_init(scanner.get(), ".", 1 /* IN */, 3600) != 0) {
    delete scanner.release();
    return bad("libzscanner could not start");
  }
  zs_scanner_t* s = scanner.get();
  if (zs_set_input_string(s, text.data(), text.size()) != 0) {
    return bad(std::string("libzscanner refused the input: ") + zs_strerror(s->error.code));
  }
  std::vector<WireRr> out;
  out.reserve(lines.size());
  while (true) {
    if (zs_parse_record(s) != 0) {
      return bad(std::string("libzscanner: ") + zs_strerror(s->error.code) + " at line " +
                 std::to_string(s->line_counter));
    }
    if (s->state == ZS_STATE_EOF || s->state == ZS_STATE_STOP) break;
    if (s->state == ZS_STATE_ERROR) {
      const size_t at = s->line_counter > 0 ? static_cast<size_t>(s->line_counter - 1) : 0;
      return bad(std::string("libzscanner: ") + zs_strerror(s->error.code) + " in `" +
                 (at < lines.size() ? std::string(lines[at]) : std::string("?")) + "`");
    }
    if (s->state != ZS_STATE_DATA) return bad("a record line holds a directive");
    if (out.size() == lines.size()) return bad("a record line holds more than one record");
    WireRr rr;
    rr.owner.assign(reinterpret_cast<const char*>(s->r_owner), s->r_owner_length);
    rr.type = s->r_type;
    rr.rclass = s->r_class;
    rr.ttl = s->r_ttl;
    rr.rdata.assign(reinterpret_cast<const char*>(s->r_data), s->r_data_length);
    out.push_back(std::move(rr));
  }
  if (out.size() != lines.size()) {
    return bad("expected " + std::to_string(lines.size()) + " records, parsed " +
               std::to_string(out.size()));
  }
  return out;
}

}  // namespace zp::push
