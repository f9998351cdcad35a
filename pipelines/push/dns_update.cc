#include "pipelines/push/dns_update.h"

#include <arpa/inet.h>
extern "C" {  // libknot's headers do not say it themselves
#include <libknot/libknot.h>
}
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string_view>

#include "common/dns/wire.h"
#include "pipelines/push/rr_wire.h"

namespace zp::push {

struct DnsUpdater::Key {
  knot_tsig_key_t tsig{};
  std::string name;
  ~Key() { knot_tsig_key_deinit(&tsig); }
};

namespace {

using dns::wire::kClassIn;
using dns::wire::kTypeSoa;
constexpr uint16_t kTypeAxfr = 252;
constexpr uint16_t kClassNone = 254;
constexpr uint16_t kOpcodeUpdate = 5;

void put16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}
void put32(std::string& out, uint32_t v) {
  put16(out, static_cast<uint16_t>(v >> 16));
  put16(out, static_cast<uint16_t>(v & 0xffff));
}

std::string rcodeName(unsigned rcode) {
  static const char* const names[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                      "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                      "NXRRSET", "NOTAUTH", "NOTZONE"};
  return rcode < std::size(names) ? names[rcode] : "rcode " + std::to_string(rcode);
}

}  // namespace

DnsUpdater::DnsUpdater(std::string address, uint16_t port, RndcKey key,
                       std::chrono::milliseconds timeout, size_t connections)
    : address_(std::move(address)),
      port_(port),
      key_(std::make_unique<Key>()),
      timeout_(timeout),
      conns_(std::max<size_t>(connections, 1)) {
  const std::string secret = base64Encode(key.secret);
  if (knot_tsig_key_init(&key_->tsig, hmacAlgorithmName(key.algorithm).data(), key.name.c_str(),
                         secret.c_str()) != KNOT_EOK) {
    throw std::invalid_argument("the TSIG key `" + key.name +
                                "` cannot sign DNS UPDATEs (libknot refused it); check its "
                                "algorithm and secret in the rndc key file");
  }
  key_->name = key.name;
  std::random_device rd;
  nextId_ = static_cast<uint16_t>(rd());
}

DnsUpdater::~DnsUpdater() {
  for (auto& c : conns_) disconnect(c);
}

void DnsUpdater::disconnect(Conn& c) {
  if (c.fd >= 0) ::close(c.fd);
  c.fd = -1;
  c.received.clear();
}

bool DnsUpdater::connect(Conn& c, std::string& why) {
  disconnect(c);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port_);
  if (::inet_pton(AF_INET, address_.c_str(), &sa.sin_addr) != 1) {
    why = "`" + address_ + "` is not an IPv4 address";
    return false;
  }
  c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (c.fd < 0) {
    why = std::string("socket: ") + std::strerror(errno);
    return false;
  }
  const int one = 1;
  ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 &&
      errno != EINPROGRESS) {
    why = std::string("connect: ") + std::strerror(errno);
    disconnect(c);
    return false;
  }
  pollfd p{c.fd, POLLOUT, 0};
  int err = 0;
  socklen_t len = sizeof err;
  if (::poll(&p, 1, static_cast<int>(timeout_.count())) != 1 ||
      ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
    why = std::string("connect: ") + (err ? std::strerror(err) : "timed out");
    disconnect(c);
    return false;
  }
  return true;
}

namespace {

// Waits until `fd` is ready for `events` or the deadline passes.
bool waitUntil(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
  if (left <= 0) return false;
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, static_cast<int>(left)) == 1;
}

// Asks the kernel to acknowledge what arrives on `fd` at once. named 9.18
// leaves Nagle's algorithm on for DNS over TCP (lib/isc/netmgr sets
// TCP_NODELAY only for DoH), so with pipelined UPDATEs it holds each answer
// until our kernel has acknowledged the one before, and Linux delays that
// ACK by up to 40 ms when we have nothing to send. Measured (strace of the
// pusher, 4 s under 1,000 writes/s to 20 zones, two runs each): 28 and 35
// waits of 38-48 ms for an answer without this, none with it. Linux leaves
// quick-ACK mode by itself, so this is set before every read (tcp(7),
// TCP_QUICKACK).
void quickAck(int fd) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

}  // namespace

bool DnsUpdater::sendAll(Conn& c, const std::string& out, std::string& why) {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  size_t sent = 0;
  while (sent < out.size()) {
    const ssize_t n = ::send(c.fd, out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      if (!waitUntil(c.fd, POLLOUT, deadline)) return why = "sending timed out", false;
    } else {
      return why = std::string("send: ") + std::strerror(errno), false;
    }
  }
  return true;
}

bool DnsUpdater::readOne(Conn& c, std::string& answer, std::string& why) {
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  std::string& in = c.received;
  auto wanted = [&] {
    return in.size() < 2 ? size_t{2}
                         : 2 + ((static_cast<size_t>(static_cast<uint8_t>(in[0])) << 8) |
                                static_cast<uint8_t>(in[1]));
  };
  char buf[65536 + 2];
  while (in.size() < wanted()) {
    quickAck(c.fd);
    const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n > 0) {
      in.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      return why = "named closed the connection", false;
    } else if (errno == EAGAIN || errno == EINTR) {
      if (!waitUntil(c.fd, POLLIN, deadline)) return why = "no answer within the timeout", false;
    } else {
      return why = std::string("recv: ") + std::strerror(errno), false;
    }
  }
  const size_t want = wanted();
  answer.assign(in, 2, want - 2);
  in.erase(0, want);  // what follows belongs to the next answer
  return true;
}

bool DnsUpdater::exchange(Conn& c, const std::string& message, std::string& answer,
                          std::string& why) {
  if (!message.empty()) {
    std::string out;
    put16(out, static_cast<uint16_t>(message.size()));
    out += message;
    if (!sendAll(c, out, why)) return false;
  }
  return readOne(c, answer, why);
}

bool DnsUpdater::sign(std::string& message, std::string& mac) {
  const size_t unsignedSize = message.size();
  message.resize(unsignedSize + knot_tsig_wire_maxsize(&key_->tsig));
  size_t len = unsignedSize;
  uint8_t digest[64];  // the largest HMAC (SHA-512)
  size_t digestLen = sizeof digest;
  if (knot_tsig_sign(reinterpret_cast<uint8_t*>(message.data()), &len, message.size(), nullptr, 0,
                     digest, &digestLen, &key_->tsig, 0, 0) != KNOT_EOK) {
    return false;
  }
  message.resize(len);
  mac.assign(reinterpret_cast<const char*>(digest), digestLen);
  return true;
}

Result<std::vector<WireRr>> DnsUpdater::transfer(const std::string& zone) {
  Conn& c = conns_.front();
  auto fail = [&](const std::string& why) {
    disconnect(c);  // the stream may be mid-transfer: start afresh next time
    return Error{ErrorKind::kUnavailable, "",
                 "AXFR of " + zone + " from " + address_ + " port " + std::to_string(port_) +
                     " failed: " + why};
  };
  const uint16_t id = nextId_++;
  auto built = dns::wire::buildQuery(id, zone, kTypeAxfr);
  if (!built) return fail(built.error().detail);
  std::string query = std::move(built).value();
  std::string mac;
  if (!sign(query, mac)) return fail("cannot sign the request with TSIG");
  std::string answer, why, connectWhy;
  bool ok = c.fd >= 0 && exchange(c, query, answer, why);
  if (!ok) {
    if (!connect(c, connectWhy)) return fail(connectWhy);
    ok = exchange(c, query, answer, why);
  }
  std::vector<WireRr> out;
  int soas = 0;
  size_t messages = 0;
  while (ok) {
    knot_pkt_t* reply = knot_pkt_new(answer.data(), static_cast<uint16_t>(answer.size()), nullptr);
    if (reply == nullptr) return fail("out of memory");
    struct Free {
      knot_pkt_t* p;
      ~Free() { knot_pkt_free(p); }
    } freeReply{reply};
    if (const int rc = knot_pkt_parse(reply, 0); rc != KNOT_EOK) {
      return fail("a malformed answer (message " + std::to_string(messages + 1) + ", " +
                  std::to_string(answer.size()) + " bytes: " + knot_strerror(rc) + ")");
    }
    if (knot_wire_get_id(reply->wire) != id) return fail("an answer to another query");
    ++messages;
    if (const unsigned rcode = knot_pkt_ext_rcode(reply); rcode != KNOT_RCODE_NOERROR) {
      return fail("named answered " + rcodeName(rcode) +
                  " (does named.conf allow transfers with the pusher's key?)");
    }
    const knot_pktsection_t* section = knot_pkt_section(reply, KNOT_ANSWER);
    for (uint16_t i = 0; i < section->count; ++i) {
      const knot_rrset_t* rr = knot_pkt_rr(section, i);
      if (rr->type == kTypeSoa && ++soas == 2) return out;  // the closing SOA
      std::string owner(reinterpret_cast<const char*>(rr->owner), knot_dname_size(rr->owner));
      for (char& ch : owner) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      for (uint16_t j = 0; j < rr->rrs.count; ++j) {
        const knot_rdata_t* rd = knot_rdataset_at(&rr->rrs, j);
        out.push_back({owner, rr->type, rr->rclass, rr->ttl,
                       std::string(reinterpret_cast<const char*>(rd->data), rd->len)});
      }
    }
    if (soas == 0) return fail("the transfer does not start with the SOA");
    ok = exchange(c, {}, answer, why);
  }
  return fail(why);
}

UpdateOutcome DnsUpdater::apply(const std::string& zone, const std::vector<UpdateOp>& ops,
                                const std::string& soa) {
  return applyEach({ZoneChange{zone, &ops, soa}}).front();
}

UpdateOutcome DnsUpdater::applyRecords(const std::string& zone, const std::vector<WireOp>& ops) {
  auto built = build(zone, ops);
  if (auto* outcome = std::get_if<UpdateOutcome>(&built)) return std::move(*outcome);
  return exchangeAll({std::get<Sent>(std::move(built))}).front();
}

std::vector<UpdateOutcome> DnsUpdater::applyEach(const std::vector<ZoneChange>& changes) {
  std::vector<UpdateOutcome> out(changes.size());
  std::vector<Sent> sent;
  std::vector<size_t> where;  // index in `changes` of each message in `sent`
  for (size_t i = 0; i < changes.size(); ++i) {
    const ZoneChange& change = changes[i];
    std::vector<std::string_view> lines;
    lines.reserve(change.ops->size() + 1);
    for (const auto& op : *change.ops) lines.emplace_back(op.rr);
    if (!change.soa.empty()) lines.emplace_back(change.soa);
    auto parsed = parseRrLines(lines);
    if (!parsed) {
      out[i] = {UpdateOutcome::Kind::kFailed, "cannot encode the change: " + parsed.error().detail};
      continue;
    }
    std::vector<WireOp> wireOps;
    wireOps.reserve(parsed->size());
    for (size_t j = 0; j < parsed->size(); ++j) {
      wireOps.push_back({j >= change.ops->size() || (*change.ops)[j].add, std::move((*parsed)[j])});
    }
    auto built = build(change.zone, wireOps);
    if (auto* outcome = std::get_if<UpdateOutcome>(&built)) {
      out[i] = std::move(*outcome);
      continue;
    }
    sent.push_back(std::get<Sent>(std::move(built)));
    where.push_back(i);
  }
  if (sent.empty()) return out;
  auto outcomes = exchangeAll(sent);
  for (size_t k = 0; k < sent.size(); ++k) out[where[k]] = std::move(outcomes[k]);
  return out;
}

std::variant<DnsUpdater::Sent, UpdateOutcome> DnsUpdater::build(const std::string& zone,
                                                                const std::vector<WireOp>& ops) {
  using Kind = UpdateOutcome::Kind;
  // RFC 2136 section 2: a query's header and question are an UPDATE's header
  // and zone section (zone, SOA, IN), with the opcode set and the update
  // count where a query has NSCOUNT; ADCOUNT grows when the TSIG is added.
  const uint16_t id = nextId_++;
  auto built = dns::wire::buildQuery(id, zone, kTypeSoa);
  if (!built) {
    return UpdateOutcome{Kind::kFailed,
                         "`" + zone + "` is not a domain name: " + built.error().detail};
  }
  std::string msg = std::move(built).value();
  msg[2] = static_cast<char>(kOpcodeUpdate << 3);
  msg[8] = static_cast<char>(ops.size() >> 8);
  msg[9] = static_cast<char>(ops.size() & 0xff);
  for (const auto& op : ops) {
    const WireRr& rr = op.rr;
    const bool del = !op.add;
    msg += rr.owner;
    put16(msg, rr.type);
    put16(msg, del ? kClassNone : kClassIn);
    put32(msg, del ? 0 : rr.ttl);
    put16(msg, static_cast<uint16_t>(rr.rdata.size()));
    msg += rr.rdata;
  }
  if (msg.size() > kMaxMessage) {
    return UpdateOutcome{Kind::kFailed,
                         "the change is " + std::to_string(msg.size()) +
                             " bytes, more than one UPDATE may carry (a renderer bug)"};
  }
  Sent sent{zone, id, {}, {}};
  if (!sign(msg, sent.mac)) {
    return UpdateOutcome{Kind::kFailed, "cannot sign the UPDATE with TSIG (libknot)"};
  }
  put16(sent.wire, static_cast<uint16_t>(msg.size()));
  sent.wire += msg;
  return sent;
}

std::vector<UpdateOutcome> DnsUpdater::exchangeAll(const std::vector<Sent>& sent) {
  using Kind = UpdateOutcome::Kind;
  // named answers the UPDATEs of one connection one after another (it reads
  // the next only once it answered the last), so they are spread over the
  // connections: message k goes on connection k mod n.
  const size_t lanes = std::min(conns_.size(), sent.size());
  std::vector<std::string> bytes(lanes);
  for (size_t k = 0; k < sent.size(); ++k) bytes[k % lanes] += sent[k].wire;
  std::vector<UpdateOutcome> out(sent.size());
  std::vector<bool> answered(sent.size(), false);
  std::vector<std::string> why(lanes);
  std::vector<bool> ok(lanes);
  for (size_t l = 0; l < lanes; ++l) {
    ok[l] = conns_[l].fd >= 0 && sendAll(conns_[l], bytes[l], why[l]);
  }
  for (size_t l = 0; l < lanes; ++l) {
    Conn& c = conns_[l];
    std::string answer;
    // A connection named closed while idle, or none yet: one fresh try,
    // only before any answer on it. Sending an UPDATE named may already have
    // applied again is harmless: its adds and deletes are absolute (RFC 2136
    // section 3.4.2) and its SOA replaces named's only when greater.
    if (!(ok[l] && readOne(c, answer, why[l]))) {
      std::string connectWhy;
      if (!connect(c, connectWhy)) {
        for (size_t k = l; k < sent.size(); k += lanes) {
          out[k] = {Kind::kFailed, "cannot reach the primary named at " + address_ + " port " +
                                       std::to_string(port_) + " over TCP (" + connectWhy +
                                       "); is it running, and do dns.primary_address/dns.port "
                                       "point at it?"};
        }
        continue;
      }
      ok[l] = sendAll(c, bytes[l], why[l]) && readOne(c, answer, why[l]);
    }
    size_t left = (sent.size() - l + lanes - 1) / lanes;
    while (ok[l]) {
      const uint16_t id = answer.size() >= 2
                              ? static_cast<uint16_t>((static_cast<uint8_t>(answer[0]) << 8) |
                                                      static_cast<uint8_t>(answer[1]))
                              : 0;
      size_t k = l;
      while (k < sent.size() && (answered[k] || sent[k].id != id)) k += lanes;
      if (k >= sent.size()) {
        why[l] = "an answer to no UPDATE in flight (id " + std::to_string(id) + ")";
        ok[l] = false;
        break;
      }
      answered[k] = true;
      out[k] = outcomeOf(sent[k], answer);
      if (--left == 0) break;
      ok[l] = readOne(c, answer, why[l]);
    }
    if (ok[l]) continue;
    disconnect(c);  // out of step with named: start afresh next time
    for (size_t k = l; k < sent.size(); k += lanes) {
      if (!answered[k]) {
        out[k] = {Kind::kFailed, "UPDATE of " + sent[k].zone + " to " + address_ + " port " +
                                     std::to_string(port_) + " failed: " + why[l]};
      }
    }
  }
  return out;
}

UpdateOutcome DnsUpdater::outcomeOf(const Sent& sent, std::string& answer) {
  using Kind = UpdateOutcome::Kind;
  const std::string& zone = sent.zone;
  knot_pkt_t* reply = knot_pkt_new(answer.data(), static_cast<uint16_t>(answer.size()), nullptr);
  if (reply == nullptr) return {Kind::kFailed, "out of memory parsing named's answer"};
  struct Free {
    knot_pkt_t* p;
    ~Free() { knot_pkt_free(p); }
  } freeReply{reply};
  if (knot_pkt_parse(reply, 0) != KNOT_EOK) {
    return {Kind::kFailed, "named's answer to the UPDATE of " + zone + " is malformed"};
  }
  const unsigned rcode = knot_pkt_ext_rcode(reply);
  if (reply->tsig_rr == nullptr ||
      knot_tsig_client_check(reply->tsig_rr, reply->wire, reply->size,
                             reinterpret_cast<const uint8_t*>(sent.mac.data()), sent.mac.size(),
                             &key_->tsig, 0) != KNOT_EOK) {
    if (rcode == KNOT_RCODE_NOTAUTH) {
      return {Kind::kFailed, "named refused the TSIG key `" + key_->name +
                                 "` (NOTAUTH): is it the key in named.conf, and are the clocks "
                                 "in step?"};
    }
    return {Kind::kFailed, "named's answer to the UPDATE of " + zone +
                               " is not signed with our TSIG key (" + rcodeName(rcode) + ")"};
  }
  switch (rcode) {
    case KNOT_RCODE_NOERROR:
      return {Kind::kApplied, {}};
    case KNOT_RCODE_NOTAUTH:
    case KNOT_RCODE_REFUSED:
    case KNOT_RCODE_NOTZONE:
      return {Kind::kNotDynamic, "named answered the UPDATE of " + zone + " with " +
                                     rcodeName(rcode) +
                                     ": it does not serve the zone as a dynamic zone"};
    default:
      return {Kind::kFailed, "named answered the UPDATE of " + zone + " with " + rcodeName(rcode) +
                                 "; its log says why"};
  }
}

}  // namespace zp::push
