// The in-process rndc client: the control-channel wire format against bytes
// computed by hand, signatures against known HMACs, rndc.conf parsing, and
// RndcSession against a real named (started with scripts/named-setup and
// scripts/named-start on free ports) side by side with the rndc program.
#include "pipelines/push/rndc_protocol.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "tests/push/temp_dir.h"

namespace zp::push {
namespace {

using namespace std::string_literals;
using std::chrono::milliseconds;

// ---- wire format -------------------------------------------------------------

CcValue listOf(std::vector<CcValue> values) {
  CcValue v;
  v.kind = CcValue::Kind::kList;
  v.list = std::move(values);
  return v;
}

TEST(RndcWire, EncodesAsComputedByHandAndRoundTrips) {
  const CcTable table = {
      {"a", CcValue::text("xy")},
      {"t", CcValue::of({{"k", CcValue::text("")}})},
      {"l", listOf({CcValue::text("1")})},
  };
  const std::string expected =
      "\x01"
      "a\x01\x00\x00\x00\x02xy"  // key "a", binary, 2 bytes
      "\x01t\x02\x00\x00\x00\x07"
      "\x01k\x01\x00\x00\x00\x00"  // key "t", table of 7 bytes: key "k", empty binary
      "\x01l\x03\x00\x00\x00\x06"
      "\x01\x00\x00\x00\x01"
      "1"s;  // key "l", list of 6 bytes: binary "1"
  EXPECT_EQ(encodeTable(table), expected);
  const Result<CcTable> decoded = decodeTable(expected);
  ASSERT_TRUE(decoded.ok()) << decoded.error().detail;
  EXPECT_EQ(*decoded, table);
  EXPECT_EQ(ccText(*decoded, "a"), "xy");
  EXPECT_EQ(ccText(*decoded, "t"), std::nullopt);  // a table, not text
  EXPECT_EQ(ccFind(*decoded, "missing"), nullptr);
}

TEST(RndcWire, DecodeAcceptsGoodAndRejectsBadInput) {
  std::string deep;  // 20 nested tables: deeper than the limit of 16
  for (int i = 0; i < 20; ++i) {
    std::string outer = "\x01t\x02"s;
    const uint32_t n = htonl(static_cast<uint32_t>(deep.size()));
    outer.append(reinterpret_cast<const char*>(&n), 4);
    deep = outer + deep;
  }
  struct Case {
    const char* name;
    std::string bytes;
    bool ok;
  } cases[] = {
      {"empty table", "", true},
      {"empty key", "\x00\x01\x00\x00\x00\x00"s, true},
      {"key longer than the input",
       "\x05"
       "ab"s,
       false},
      {"value header cut", "\x01k\x01\x00\x00"s, false},
      {"value shorter than its length", "\x01k\x01\x00\x00\x00\x09xy"s, false},
      {"unknown type", "\x01k\x09\x00\x00\x00\x00"s, false},
      {"list element cut", "\x01l\x03\x00\x00\x00\x02\x01\x00"s, false},
      {"nested too deep", deep, false},
      {"huge length", "\x01k\x01\xff\xff\xff\xff"s, false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(decodeTable(c.bytes).ok(), c.ok) << c.name;
  }
}

TEST(RndcWire, EncodeRejectsOverlongKeys) {
  EXPECT_THROW(encodeTable({{std::string(256, 'k'), CcValue::text("")}}), std::invalid_argument);
}

TEST(RndcBase64, RfcVectorsBothWaysAndBadText) {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, text] : vectors) {
    EXPECT_EQ(base64Encode(plain), text) << plain;
    EXPECT_EQ(base64Decode(text), plain) << text;
  }
  EXPECT_EQ(base64Decode("Zm9v\n YmFy"), "foobar");  // whitespace is skipped
  for (const char* bad : {"Zm9v!", "Zg=", "Zg==Zg==", "Z===", "Zm9vY"}) {
    EXPECT_EQ(base64Decode(bad), std::nullopt) << bad;
  }
}

// ---- signatures --------------------------------------------------------------

// RFC 4231 test case 2 (and RFC 2202 for MD5), base64 as computed by Python's
// hmac + base64 modules.
TEST(RndcSignature, MatchesKnownHmacs) {
  const std::string data = "what do ya want for nothing?";
  struct Case {
    HmacAlgorithm algorithm;
    std::string base64;
    size_t fieldSize;
  } cases[] = {
      {HmacAlgorithm::kSha256, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=", 88},
      {HmacAlgorithm::kSha512,
       "Fkt6e/z4GeLjlfvnO1bgo4e9ZCIugx/WECcM1+olBVSXWL91wFqZSm0DT2X48Ob9yuqxo01Ka0tjbgcKOLznNw==",
       88},
      {HmacAlgorithm::kMd5, "dQx4PmqwtQPqqG4xCl23OA", 22},  // BIND keeps 22 characters
  };
  for (const Case& c : cases) {
    const std::string signature = ccSignature({"k", c.algorithm, "Jefe"}, data);
    ASSERT_EQ(signature.size(), c.fieldSize);
    EXPECT_EQ(signature.substr(0, c.base64.size()), c.base64);
    EXPECT_EQ(signature.substr(c.base64.size()), std::string(c.fieldSize - c.base64.size(), '\0'));
  }
}

TEST(RndcSignature, MessageLayoutIsBindsAndVerifies) {
  const RndcKey key{"k", HmacAlgorithm::kSha256, "Jefe"};
  const CcTable body = {{"_ctrl", CcValue::of({{"_ser", CcValue::text("1")}})},
                        {"_data", CcValue::of({{"type", CcValue::text("status")}})}};
  const std::string message = encodeMessage(body, key);
  // BIND's auth_hsha template: version 1, "_auth" table of 99 bytes holding
  // "hsha" binary of 89 bytes: the algorithm number (163) + 88 signature bytes.
  const std::string header =
      "\x00\x00\x00\x01"
      "\x05_auth\x02\x00\x00\x00\x63"
      "\x04hsha\x01\x00\x00\x00\x59\xa3"s;
  ASSERT_EQ(message.substr(0, header.size()), header);
  const std::string signedPart = encodeTable(body);
  EXPECT_EQ(message.substr(header.size(), 88), ccSignature(key, signedPart));
  EXPECT_EQ(message.substr(header.size() + 88), signedPart);

  const Result<CcTable> decoded = decodeMessage(message, key);
  ASSERT_TRUE(decoded.ok()) << decoded.error().detail;
  EXPECT_EQ(*decoded, body);

  struct Case {
    const char* name;
    std::string bytes;
    RndcKey key;
    std::optional<ErrorKind> error;
  } cases[] = {
      {"as sent", message, key, std::nullopt},
      {"body changed", message.substr(0, message.size() - 1) + "X", key,
       ErrorKind::kAuthentication},
      {"other secret", message, {"k", HmacAlgorithm::kSha256, "Jeff"}, ErrorKind::kAuthentication},
      {"other algorithm",
       message,
       {"k", HmacAlgorithm::kSha512, "Jefe"},
       ErrorKind::kAuthentication},
      {"unsigned", "\x00\x00\x00\x01"s + signedPart, key, ErrorKind::kAuthentication},
      {"version 2", "\x00\x00\x00\x02"s + message.substr(4), key, ErrorKind::kParse},
      {"truncated", message.substr(0, 40), key, ErrorKind::kParse},
      {"too short", "\x00\x00"s, key, ErrorKind::kParse},
  };
  for (const Case& c : cases) {
    const Result<CcTable> r = decodeMessage(c.bytes, c.key);
    EXPECT_EQ(r.ok(), !c.error) << c.name;
    if (!r.ok() && c.error) {
      EXPECT_EQ(r.error().kind, *c.error) << c.name;
    }
  }

  const RndcKey md5{"k", HmacAlgorithm::kMd5, "Jefe"};
  const std::string md5Message = encodeMessage(body, md5);
  EXPECT_EQ(md5Message.substr(4, 21),
            "\x05_auth\x02\x00\x00\x00\x20"
            "\x04hmd5\x01\x00\x00\x00\x16"s);
  EXPECT_TRUE(decodeMessage(md5Message, md5).ok());
}

// ---- rndc.conf ---------------------------------------------------------------

TEST(RndcConfig, ParsesWhatRndcReads) {
  zp::testing::TempDir dir;
  const std::string keyFile = dir.path() + "/rndc.key";
  std::ofstream(keyFile) << "key \"zonepipe-rndc\" {\n\talgorithm hmac-sha256;\n\tsecret "
                            "\"Zm9vYmFy\";\n};\n";
  const std::string include = "include \"" + keyFile + "\";\n";
  struct Case {
    const char* name;
    std::string text;
    std::optional<RndcTarget> target;  // nullopt: an error
    std::string error;                 // part of the error's detail
  } cases[] = {
      {"named-setup's file",
       "// Written by zonepipe scripts/named-setup\n" + include +
           "options {\n    default-key \"zonepipe-rndc\";\n    default-server 127.0.0.1;\n    "
           "default-port 25954;\n};\n",
       RndcTarget{"127.0.0.1", 25954, {"zonepipe-rndc", HmacAlgorithm::kSha256, "foobar"}}, ""},
      {"comments, default port, key inline",
       "# shell\n/* block\n comment */ key k { algorithm HMAC-SHA512; secret \"Zg==\"; };\n"
       "options { default-server localhost; default-key k; };",
       RndcTarget{"localhost", 953, {"k", HmacAlgorithm::kSha512, "f"}}, ""},
      {"server block overrides key and port",
       include + "key other { algorithm hmac-sha1; secret \"Zm8=\"; };\n"
                 "options { default-server ns1; default-key zonepipe-rndc; default-port 1; };\n"
                 "server NS1 { key other; port 9530; addresses { 127.0.0.1; }; };\n",
       RndcTarget{"ns1", 9530, {"other", HmacAlgorithm::kSha1, "fo"}}, ""},
      {"no server", include + "options { default-key zonepipe-rndc; };", std::nullopt,
       "no server specified"},
      {"no key", "options { default-server 127.0.0.1; };", std::nullopt, "no key for server"},
      {"undefined key", "options { default-server 127.0.0.1; default-key nope; };", std::nullopt,
       "no key definition for name nope"},
      {"key without secret",
       "key k { algorithm hmac-sha256; };\noptions { default-server a; default-key k; };",
       std::nullopt, "must have algorithm and secret"},
      {"unknown algorithm",
       "key k { algorithm hmac-sha3; secret \"Zg==\"; };\noptions { default-server a; default-key "
       "k; };",
       std::nullopt, "unsupported algorithm: hmac-sha3"},
      {"bad secret",
       "key k { algorithm hmac-sha256; secret \"Z!\"; };\noptions { default-server a; default-key "
       "k; };",
       std::nullopt, "bad base64"},
      {"port zero",
       include + "options { default-server a; default-key zonepipe-rndc; default-port 0; };",
       std::nullopt, "out of range"},
      {"port too big",
       include + "options { default-server a; default-key zonepipe-rndc; default-port 70000; };",
       std::nullopt, "out of range"},
      {"missing include", "include \"" + dir.path() + "/nope.key\";", std::nullopt, "nope.key"},
      {"unterminated string", "options { default-server \"a; };", std::nullopt, "unterminated"},
      {"missing semicolon", "options { default-server a }", std::nullopt, "unexpected '}'"},
      {"unclosed block", "options { default-server a;", std::nullopt, "missing '}'"},
      {"stray close", "};", std::nullopt, "unexpected '}'"},
  };
  for (const Case& c : cases) {
    const Result<RndcTarget> r = parseRndcConfig(c.text, "rndc.conf");
    ASSERT_EQ(r.ok(), c.target.has_value()) << c.name << ": " << (r.ok() ? "" : r.error().detail);
    if (r.ok()) {
      EXPECT_EQ(*r, *c.target) << c.name;
    } else {
      EXPECT_NE(r.error().detail.find(c.error), std::string::npos)
          << c.name << ": " << r.error().detail;
    }
  }
  const Result<RndcTarget> missing = loadRndcConfig(dir.path() + "/none.conf");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().detail.find("does not exist"), std::string::npos);
}

// ---- against a scripted control channel --------------------------------------

// A control channel on 127.0.0.1 that answers each request as its script says,
// in order across connections; for the failure paths a real named will not
// produce on demand. One server thread; connections are served one at a time.
class FakeControlChannel {
 public:
  enum class Action { kAnswer, kCloseWithoutAnswer, kStaySilent, kWrongSerial };

  FakeControlChannel(RndcKey key, std::vector<Action> script)
      : key_(std::move(key)), script_(std::move(script)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listener_, 4) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeControlChannel() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }
  uint16_t port() const { return port_; }
  // The `type` and `_nonce` of every request received, "type/nonce".
  std::vector<std::string> requests() {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  bool readable(int fd) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) return true;
    }
    return false;
  }
  bool readExactly(int fd, char* into, size_t size) {
    for (size_t got = 0; got < size;) {
      if (!readable(fd)) return false;
      const ssize_t n = ::recv(fd, into + got, size - got, 0);
      if (n <= 0) return false;
      got += static_cast<size_t>(n);
    }
    return true;
  }
  void serve() {
    while (!stop_) {
      if (!readable(listener_)) return;
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) continue;
      serveConnection(fd);
      ::close(fd);
    }
  }
  void serveConnection(int fd) {
    for (;;) {
      char header[4];
      if (!readExactly(fd, header, 4)) return;
      uint32_t length = 0;
      std::memcpy(&length, header, 4);
      length = ntohl(length);
      std::string message(length, '\0');
      if (!readExactly(fd, message.data(), length)) return;
      const Result<CcTable> request = decodeMessage(message, key_);
      if (!request) return;  // as named: a bad signature closes the connection
      const CcTable& ctrl = ccFind(*request, "_ctrl")->table;
      const std::string type = *ccText(ccFind(*request, "_data")->table, "type");
      Action action = Action::kAnswer;
      {
        std::lock_guard lock(mutex_);
        requests_.push_back(type + "/" + ccText(ctrl, "_nonce").value_or(""));
        if (next_ < script_.size()) action = script_[next_++];
      }
      if (action == Action::kCloseWithoutAnswer) return;
      if (action == Action::kStaySilent) {
        char byte;
        while (readable(fd) && ::recv(fd, &byte, 1, 0) > 0) {
        }
        return;
      }
      const std::string serial = action == Action::kWrongSerial ? "1" : *ccText(ctrl, "_ser");
      const CcTable reply = {{"_ctrl", CcValue::of({{"_ser", CcValue::text(serial)},
                                                    {"_rpl", CcValue::text("1")},
                                                    {"_nonce", CcValue::text("42")}})},
                             {"_data", CcValue::of({{"type", CcValue::text(type)},
                                                    {"result", CcValue::text("0")},
                                                    {"text", CcValue::text("did " + type)}})}};
      const std::string body = encodeMessage(reply, key_);
      const uint32_t size = htonl(static_cast<uint32_t>(body.size()));
      const std::string frame = std::string(reinterpret_cast<const char*>(&size), 4) + body;
      if (::send(fd, frame.data(), frame.size(), MSG_NOSIGNAL) !=
          static_cast<ssize_t>(frame.size())) {
        return;
      }
    }
  }

  const RndcKey key_;
  const std::vector<Action> script_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_ = false;
  std::mutex mutex_;
  size_t next_ = 0;
  std::vector<std::string> requests_;
  std::thread thread_;
};

class RndcSessionScriptedTest : public ::testing::Test {
 protected:
  std::string writeConfig(uint16_t port) {
    const std::string path = dir_.path() + "/rndc.conf";
    std::ofstream(path) << "key k { algorithm hmac-sha256; secret \"" << base64Encode(key_.secret)
                        << "\"; };\noptions { default-server 127.0.0.1; default-key k; "
                           "default-port "
                        << port << "; };\n";
    return path;
  }
  zp::testing::TempDir dir_;
  const RndcKey key_{"k", HmacAlgorithm::kSha256, "a secret of the test"};
};

using Action = FakeControlChannel::Action;

TEST_F(RndcSessionScriptedTest, SendsTheNonceAndRetriesOnceWhenAKeptConnectionWasDropped) {
  FakeControlChannel named(key_, {Action::kAnswer, Action::kAnswer, Action::kCloseWithoutAnswer,
                                  Action::kAnswer, Action::kAnswer});
  RndcSession session(writeConfig(named.port()), std::chrono::seconds(5));
  const ProcessResult first = session.run({"reload", "a.test"});
  EXPECT_TRUE(first.ok()) << first.describe();
  EXPECT_EQ(first.output, "did reload a.test\n");
  const ProcessResult second = session.run({"reload", "b.test"});
  EXPECT_TRUE(second.ok()) << second.describe();
  EXPECT_EQ(session.connectionsOpened(), 2);
  EXPECT_EQ(named.requests(),
            (std::vector<std::string>{"null/", "reload a.test/42", "reload b.test/42", "null/",
                                      "reload b.test/42"}));
}

TEST_F(RndcSessionScriptedTest, SilenceTimesOutAndAnAnswerToAnotherRequestIsRejected) {
  struct Case {
    const char* name;
    Action action;
    bool timedOut;
    std::string says;
  } cases[] = {
      {"silent", Action::kStaySilent, true, "rndc: recv failed: timed out"},
      {"wrong serial", Action::kWrongSerial, false, "expected serial"},
      {"closed on a fresh connection", Action::kCloseWithoutAnswer, false,
       "connection to remote host closed"},
  };
  for (const Case& c : cases) {
    // null is answered; the command meets the action; the next run starts afresh.
    FakeControlChannel named(key_, {Action::kAnswer, c.action, Action::kAnswer, Action::kAnswer});
    RndcSession session(writeConfig(named.port()), milliseconds(300));
    const ProcessResult r = session.run({"status"});
    EXPECT_EQ(r.exitCode, 1) << c.name;
    EXPECT_EQ(r.timedOut, c.timedOut) << c.name;
    EXPECT_NE(r.errors.find(c.says), std::string::npos) << c.name << ": " << r.errors;
    const ProcessResult again = session.run({"status"});
    EXPECT_TRUE(again.ok()) << c.name << ": " << again.describe();
    EXPECT_EQ(session.connectionsOpened(), 2) << c.name;
  }
}

// ---- against a real named ------------------------------------------------------

// A port that was free a moment ago (TCP and UDP).
uint16_t freePort() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(s);
    const int u = ::socket(AF_INET, SOCK_DGRAM, 0);
    const bool udpFree = ::bind(u, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(u);
    if (udpFree) return ntohs(a.sin_port);
  }
  return 0;
}

// From CMake: __FILE__ is relative to the build directory (it was, and every
// test below skipped itself for "scripts not found").
const std::string kScripts = ZP_SCRIPTS_DIR;

std::string zoneText(const std::string& domain, uint32_t serial) {
  return domain + ". 300 IN SOA ns1." + domain + ". hostmaster." + domain + ". " +
         std::to_string(serial) + " 3600 600 1209600 300\n" + domain + ". 300 IN NS ns1." + domain +
         ".\nns1." + domain + ". 300 IN A 192.0.2.53\n";
}

// One named from the project's scripts in a temp dir; stopped at the end.
class RndcSessionNamedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access("/usr/sbin/named", X_OK) != 0) GTEST_SKIP() << "named is not installed";
    ASSERT_TRUE(std::filesystem::exists(kScripts + "/named-setup")) << "no scripts at " << kScripts;
    const uint16_t dnsPort = freePort(), ctlPort = freePort();
    ASSERT_TRUE(dnsPort && ctlPort);
    const ProcessResult setup = runProcess(
        {kScripts + "/named-setup", dir_.path(), std::to_string(dnsPort), std::to_string(ctlPort)},
        milliseconds(20000));
    ASSERT_TRUE(setup.ok()) << setup.describe();
    start();
    conf_ = dir_.path() + "/rndc.conf";
  }
  void TearDown() override {
    if (started_) (void)runProcess({kScripts + "/named-stop", dir_.path()}, milliseconds(20000));
  }
  void start() {
    const ProcessResult r =
        runProcess({kScripts + "/named-start", dir_.path()}, milliseconds(20000));
    ASSERT_TRUE(r.ok()) << r.describe();
    started_ = true;
  }
  void writeZone(const std::string& domain, uint32_t serial) {
    std::ofstream(dir_.path() + "/" + domain + ".db") << zoneText(domain, serial);
  }
  std::string addzoneConfig(const std::string& domain) {
    return "{ type primary; file \"" + dir_.path() + "/" + domain + ".db\"; };";
  }
  // named's serial for the zone via `zonestatus` (polled: reload is asynchronous).
  bool waitForSerial(Rndc& rndc, const std::string& domain, uint32_t serial) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    const std::string want = "serial: " + std::to_string(serial) + "\n";
    while (rndc.run({"zonestatus", domain}).output.find(want) == std::string::npos) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(milliseconds(10));
    }
    return true;
  }

  zp::testing::TempDir dir_;
  std::string conf_;
  bool started_ = false;
};

// scripts/named-start finds the library of contrib/named-clock next to the
// built programs and preloads it (scripts/test builds into build/).
TEST_F(RndcSessionNamedTest, NamedStartPreloadsThePreciseClock) {
  std::string pid;
  std::ifstream(dir_.path() + "/named.pid") >> pid;
  ASSERT_FALSE(pid.empty());
  std::ifstream maps("/proc/" + pid + "/maps");
  bool preloaded = false;
  for (std::string line; std::getline(maps, line);) {
    preloaded = preloaded || line.find("/libzonepipe-named-clock.so") != std::string::npos;
  }
  EXPECT_TRUE(preloaded) << "named (pid " << pid << ") runs without contrib/named-clock";
}

TEST_F(RndcSessionNamedTest, CommandsAnswerLikeTheRndcProgram) {
  RndcSession session(conf_, std::chrono::seconds(10));
  RndcProgram program("rndc", conf_, std::chrono::seconds(10));
  EXPECT_EQ(session.configPath(), conf_);

  const ProcessResult status = session.run({"status"});
  EXPECT_TRUE(status.ok()) << status.describe();
  EXPECT_NE(status.output.find("server is up and running\n"), std::string::npos) << status.output;

  writeZone("example.test", 1);
  writeZone("other.test", 7);
  struct Step {
    const char* name;
    std::vector<std::string> args;
    int exitCode;
    std::string says;  // part of stdout (exit 0) or stderr (exit 1)
  } steps[] = {
      {"addzone", {"addzone", "example.test", addzoneConfig("example.test")}, 0, ""},
      {"addzone again",
       {"addzone", "example.test", addzoneConfig("example.test")},
       1,
       "rndc: 'addzone' failed: already exists\n"},
      {"reload", {"reload", "example.test"}, 0, "zone reload "},  // "queued" or "up-to-date"
      {"reload unknown",
       {"reload", "nosuch.test"},
       1,
       "rndc: 'reload' failed: not found\nno matching zone 'nosuch.test' in any view\n"},
      {"delzone", {"delzone", "example.test"}, 0, ""},
      {"zonestatus after delzone", {"zonestatus", "example.test"}, 1, "failed: not found"},
      {"delzone again", {"delzone", "example.test"}, 1, "rndc: 'delzone' failed: not found\n"},
      {"unknown command", {"frobnicate"}, 1, "rndc: 'frobnicate' failed: unknown command\n"},
  };
  for (const Step& s : steps) {
    const ProcessResult r = session.run(s.args);
    EXPECT_TRUE(r.started && !r.timedOut) << s.name;
    EXPECT_EQ(r.exitCode, s.exitCode) << s.name << ": " << r.describe();
    EXPECT_NE((s.exitCode == 0 ? r.output : r.errors).find(s.says), std::string::npos)
        << s.name << ": stdout [" << r.output << "] stderr [" << r.errors << "]";
  }
  // Same errors, word for word, as the program gives (what the pusher matches).
  for (const std::vector<std::string>& args : {std::vector<std::string>{"reload", "nosuch.test"},
                                               {"delzone", "nosuch.test"},
                                               {"zonestatus", "nosuch.test"},
                                               {"frobnicate"}}) {
    const ProcessResult a = session.run(args), b = program.run(args);
    EXPECT_EQ(a.exitCode, b.exitCode) << args[0];
    EXPECT_EQ(a.errors, b.errors) << args[0];
    EXPECT_EQ(a.output, b.output) << args[0];
  }

  // The zone is served after addzone + reload through the session alone.
  ASSERT_TRUE(session.run({"addzone", "other.test", addzoneConfig("other.test")}).ok());
  ASSERT_TRUE(waitForSerial(session, "other.test", 7));
  writeZone("other.test", 8);
  ASSERT_TRUE(session.run({"reload", "other.test"}).ok());
  EXPECT_TRUE(waitForSerial(session, "other.test", 8));
  // Several threads share the session; their commands are serialised.
  std::vector<std::thread> threads;
  std::atomic<int> succeeded = 0;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) succeeded += session.run({"status"}).ok() ? 1 : 0;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(succeeded, 40);
  EXPECT_EQ(session.connectionsOpened(), 1) << "named should keep the control channel open";
}

TEST_F(RndcSessionNamedTest, WrongKeyAndClosedPortFailLikeTheProgram) {
  // Same key name, another secret.
  const std::string badKey = dir_.path() + "/bad.key";
  std::ofstream(badKey) << "key \"zonepipe-rndc\" { algorithm hmac-sha256; secret "
                           "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"; };\n";
  const Result<RndcTarget> good = loadRndcConfig(conf_);
  ASSERT_TRUE(good.ok());
  const std::string badConf = dir_.path() + "/bad.conf";
  std::ofstream(badConf) << "include \"" << badKey
                         << "\";\noptions { default-key \"zonepipe-rndc\"; default-server "
                            "127.0.0.1; default-port "
                         << good->port << "; };\n";
  const std::string closedConf = dir_.path() + "/closed.conf";
  std::ofstream(closedConf) << "include \"" << dir_.path()
                            << "/rndc.key\";\noptions { default-key \"zonepipe-rndc\"; "
                               "default-server 127.0.0.1; default-port "
                            << freePort() << "; };\n";
  for (const std::string& conf : {badConf, closedConf}) {
    RndcSession session(conf, std::chrono::seconds(5));
    RndcProgram program("rndc", conf, std::chrono::seconds(5));
    const ProcessResult a = session.run({"status"}), b = program.run({"status"});
    EXPECT_TRUE(a.started && !a.timedOut && a.exitCode == 1) << conf << ": " << a.describe();
    EXPECT_EQ(a.errors, b.errors) << conf;
    EXPECT_EQ(a.output, "");
  }
  RndcSession missing(dir_.path() + "/none.conf");
  const ProcessResult r = missing.run({"status"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.errors.find("none.conf does not exist"), std::string::npos) << r.errors;
  EXPECT_EQ(missing.run({}).exitCode, 1);
}

TEST_F(RndcSessionNamedTest, ReconnectsAfterNamedRestarts) {
  RndcSession session(conf_, std::chrono::seconds(10));
  ASSERT_TRUE(session.run({"status"}).ok());
  ASSERT_TRUE(runProcess({kScripts + "/named-stop", dir_.path()}, milliseconds(20000)).ok());
  started_ = false;
  const ProcessResult down = session.run({"status"});
  EXPECT_EQ(down.exitCode, 1);
  EXPECT_NE(down.errors.find("connect failed"), std::string::npos) << down.describe();
  start();
  const ProcessResult up = session.run({"status"});
  EXPECT_TRUE(up.ok()) << up.describe();
  EXPECT_EQ(session.connectionsOpened(), 2);
}

TEST_F(RndcSessionNamedTest, TimingComparedWithTheProgram) {
  writeZone("timing.test", 1);
  RndcSession session(conf_);
  RndcProgram program("rndc", conf_);
  ASSERT_TRUE(session.run({"addzone", "timing.test", addzoneConfig("timing.test")}).ok());
  constexpr int kRounds = 20;
  const auto time = [&](Rndc& rndc) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kRounds; ++i) {
      const ProcessResult r = rndc.run({"reload", "timing.test"});
      EXPECT_TRUE(r.ok()) << r.describe();
    }
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
               .count() /
           kRounds;
  };
  const double programMs = time(program), sessionMs = time(session);
  std::printf("rndc reload: program %.2f ms, in-process session %.2f ms (mean of %d)\n", programMs,
              sessionMs, kRounds);
}

}  // namespace
}  // namespace zp::push
