#include "common/dns/zone_import.h"

extern "C" {  // the libknot/libzscanner headers do not say it themselves
#include <libknot/libknot.h>
#include <libzscanner/scanner.h>
}

#include <algorithm>
#include <cctype>
#include <memory>

#include "common/dns/record_type.h"

namespace zp::dns {
namespace {

Error refused(uint64_t line, std::string why) {
  return Error::validation("body", "line " + std::to_string(line) + ": " + std::move(why));
}

struct ScannerDeleter {
  void operator()(zs_scanner_t* s) const {
    zs_deinit(s);
    delete s;
  }
};

std::string ownerText(const uint8_t* wire) {
  char buffer[KNOT_DNAME_TXT_MAXLEN + 1];
  if (knot_dname_to_str(buffer, wire, sizeof buffer) == nullptr) return ".";
  return buffer;
}

// The rdata in presentation form, as libknot writes it.
Result<std::string> rdataText(const zs_scanner_t* s) {
  knot_rrset_t* rrset = knot_rrset_new(s->r_owner, s->r_type, s->r_class, s->r_ttl, nullptr);
  if (rrset == nullptr) return Error{ErrorKind::kInternal, "", "out of memory"};
  std::unique_ptr<knot_rrset_t, void (*)(knot_rrset_t*)> guard(
      rrset, [](knot_rrset_t* r) { knot_rrset_free(r, nullptr); });
  if (knot_rrset_add_rdata(rrset, s->r_data, static_cast<uint16_t>(s->r_data_length), nullptr) !=
      KNOT_EOK) {
    return Error{ErrorKind::kInternal, "", "out of memory"};
  }
  std::string out(4 * 65536, '\0');
  const int n =
      knot_rrset_txt_dump_data(rrset, 0, out.data(), out.size(), &KNOT_DUMP_STYLE_DEFAULT);
  if (n < 0) return refused(s->line_counter, "libknot cannot write this record's data");
  out.resize(static_cast<size_t>(n));
  while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
  return out;
}

// TXT: the character-strings joined (the API's value is the text itself).
std::string txtValue(const zs_scanner_t* s) {
  std::string out;
  for (uint32_t i = 0; i < s->r_data_length;) {
    const uint8_t length = s->r_data[i++];
    out.append(reinterpret_cast<const char*>(s->r_data + i),
               std::min<size_t>(length, s->r_data_length - i));
    i += length;
  }
  return out;
}

}  // namespace

Result<ParsedZoneFile> parseZoneFile(std::string_view text, const std::string& domain) {
  std::unique_ptr<zs_scanner_t, ScannerDeleter> scanner(new zs_scanner_t{});
  const std::string origin = domain + ".";
  if (zs_init(scanner.get(), origin.c_str(), KNOT_CLASS_IN, 3600) != 0) {
    delete scanner.release();
    return Error{ErrorKind::kInternal, "", "libzscanner could not start"};
  }
  zs_scanner_t* s = scanner.get();
  if (zs_set_input_string(s, text.data(), text.size()) != 0) {
    return Error::validation(
        "body", std::string("the zone file cannot be read: ") + zs_strerror(s->error.code));
  }
  ParsedZoneFile out;
  while (true) {
    const int rc = zs_parse_record(s);
    if (s->state == ZS_STATE_INCLUDE) {
      return refused(s->line_counter,
                     "$INCLUDE is refused (it would read files on the server); paste the "
                     "included records into the file");
    }
    if (rc != 0 || s->state == ZS_STATE_ERROR) {
      return refused(s->line_counter, std::string(zs_strerror(s->error.code)));
    }
    if (s->state == ZS_STATE_EOF || s->state == ZS_STATE_STOP) break;
    if (s->state != ZS_STATE_DATA) continue;

    const uint64_t line = s->line_counter;
    const std::string owner = ownerText(s->r_owner);
    char typeName[64];
    if (knot_rrtype_to_string(s->r_type, typeName, sizeof typeName) < 0) {
      return refused(line, "a record of an unknown type");
    }
    auto rdata = rdataText(s);
    if (!rdata) return rdata.error();
    const std::string rr =
        owner + " " + std::to_string(s->r_ttl) + " IN " + typeName + " " + rdata.value();
    if (s->r_class != KNOT_CLASS_IN) return refused(line, "only class IN is served: " + rr);
    // Owner names compare without regard to ASCII case (RFC 4343): `EXAMPLE.com.` is the apex too.
    const bool apex = std::equal(
        owner.begin(), owner.end(), origin.begin(), origin.end(),
        [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); });
    if (s->r_type == KNOT_RRTYPE_SOA) {
      out.skipped.push_back({line, rr, "the SOA is the service's (its serial rises by itself)"});
      continue;
    }
    if (s->r_type == KNOT_RRTYPE_NS && apex) {
      out.skipped.push_back(
          {line, rr, "the apex NS set is the service's (its nameservers, from its configuration)"});
      continue;
    }
    auto type = dns::recordTypeFromString(typeName);
    if (!type) {
      return refused(line, std::string("record type ") + typeName +
                               " is not offered (see the RecordType list in openapi.json): " + rr);
    }
    dns::RecordInput input;
    input.type = typeName;
    input.name = owner;
    input.ttl = s->r_ttl;
    std::string value = std::move(rdata).value();
    if (*type == dns::RecordType::kTxt) {
      value = txtValue(s);
    } else if (*type == dns::RecordType::kMx || *type == dns::RecordType::kSrv) {
      const size_t space = value.find(' ');
      if (space == std::string::npos) return refused(line, "a record without its data: " + rr);
      input.priority = std::stoll(value.substr(0, space));
      value.erase(0, space + 1);
    }
    input.value = std::move(value);
    out.records.push_back(std::move(input));
    out.lines.push_back(line);
  }
  return out;
}

}  // namespace zp::dns
