// ACME DNS-01 end to end (issue 11, item 8): Debian's pebble CA (a fresh
// openssl certificate per run) validates against our primary named and, in a
// second pebble, against our secondary; certbot and dehydrated with
// contrib/acme/zonepipe-acme-hook, lego with that hook (exec provider) and
// with its httpreq provider against /api/v1/acme/httpreq/ each get one
// certificate for a zone's apex and its wildcard (two TXT values at one
// _acme-challenge name), through a token scoped to TXT records at
// _acme-challenge names. Afterwards no _acme-challenge record is left, by the
// API and by dig on both nameservers. A missing client binary skips its test
// with the package to install; every client run is bounded (kClientTimeout).
// Also the hook's and the endpoint's own semantics without a CA: waiting,
// a kept retry, removing only their own value, Basic auth, errors.

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "tests/e2e/api_helpers.h"

namespace zp::e2e::api {
namespace {

constexpr milliseconds kClientTimeout{120000};

const std::string kHook = std::string(ZP_SCRIPTS_DIR) + "/../contrib/acme/zonepipe-acme-hook";

bool haveBinary(const std::string& name) {
  return runCommand({"sh", "-c", "command -v " + name}, milliseconds(5000)).exitCode == 0;
}

uint16_t freePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("cannot find a free port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

// One pebble CA in `dir`, validating DNS-01 against `dnsServer`
// ("127.0.0.1:PORT"), with its own self-signed certificate (ca.pem). Started
// in the background; the destructor stops it.
class Pebble {
 public:
  Pebble(const std::string& dir, const std::string& dnsServer) : dir_(dir) {
    runCommand({"mkdir", "-p", dir}, milliseconds(5000));
    auto cert = runCommand({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                            "/CN=pebble", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                            "-keyout", dir + "/key.pem", "-out", caFile()},
                           milliseconds(30000));
    if (cert.exitCode != 0) throw std::runtime_error("openssl req failed: " + cert.err);
    port_ = freePort();
    writeFile(dir + "/pebble.json",
              "{\"pebble\": {\"listenAddress\": \"127.0.0.1:" + std::to_string(port_) +
                  "\", \"managementListenAddress\": \"127.0.0.1:" + std::to_string(freePort()) +
                  "\", \"certificate\": \"" + caFile() + "\", \"privateKey\": \"" + dir +
                  "/key.pem\", \"httpPort\": " + std::to_string(freePort()) +
                  ", \"tlsPort\": " + std::to_string(freePort()) +
                  ", \"ocspResponderURL\": \"\", \"externalAccountBindingRequired\": false}}\n");
    // No sleeps before validating, no rejected nonces, no reused
    // authorizations: every run validates against DNS. `timeout`: a test
    // killed before its destructor ran leaves no pebble behind for long.
    auto started = runCommand(
        {"sh", "-c",
         "PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 exec timeout 900 "
         "pebble -config '" +
             dir + "/pebble.json' -dnsserver " + dnsServer + " >'" + dir +
             "/pebble.log' 2>&1 </dev/null & echo $!"},
        milliseconds(10000));
    pid_ = std::atoi(started.out.c_str());
    if (pid_ <= 0) throw std::runtime_error("cannot start pebble: " + started.err);
    const bool up = Stack::waitFor(
        [&] {
          return runCommand({"curl", "-sf", "--cacert", caFile(), directory()}, milliseconds(5000))
                     .exitCode == 0;
        },
        milliseconds(20000));
    if (!up) throw std::runtime_error("pebble did not answer at " + directory() + "; " + log());
  }
  ~Pebble() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
  }
  Pebble(const Pebble&) = delete;
  Pebble& operator=(const Pebble&) = delete;

  std::string directory() const { return "https://127.0.0.1:" + std::to_string(port_) + "/dir"; }
  std::string caFile() const { return dir_ + "/ca.pem"; }
  std::string log() const {
    auto tail = runCommand({"tail", "-n", "30", dir_ + "/pebble.log"}, milliseconds(5000));
    return tail.out;
  }

 private:
  std::string dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

class AcmeTest : public ApiTest {
 protected:
  static void SetUpTestSuite() {
    ApiTest::SetUpTestSuite();
    if (!stack_ || !haveBinary("pebble") || !haveBinary("openssl")) return;
    try {
      primaryCa_ =
          std::make_unique<Pebble>(stack_->dir() + "/pebble-primary", stack_->primaryServer());
      secondaryCa_ =
          std::make_unique<Pebble>(stack_->dir() + "/pebble-secondary", stack_->secondaryServer());
    } catch (const std::exception& e) {
      pebbleError_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    primaryCa_.reset();
    secondaryCa_.reset();
    ApiTest::TearDownTestSuite();
  }

  // Why the test cannot run: pebble or the client is missing (the Debian
  // package to install); nullopt when both are there.
  static std::optional<std::string> missing(const std::string& client) {
    for (const std::string& binary : {std::string("pebble"), client}) {
      if (!haveBinary(binary)) {
        return binary + " is not installed: apt-get install " + binary + " (scripts/deps does)";
      }
    }
    return std::nullopt;
  }
  bool pebbleUp() {
    EXPECT_TRUE(primaryCa_ && secondaryCa_) << "pebble did not start: " << pebbleError_;
    return primaryCa_ && secondaryCa_;
  }

  // A user with its zone and a token that can only write TXT records at
  // _acme-challenge names (what an ACME client should get).
  struct Account {
    std::string domain;
    std::string zone;
    std::string token;
  };
  Account account(const std::string& what) {
    Account a;
    a.domain = uniqueName(what) + ".test";
    const std::string user = "acme-" + a.domain;
    const std::string manager = tokenFor(user, "dns:*,tokens:manage");
    a.zone = createZone(a.domain, manager);
    // Something else at the name the cleanup must leave alone.
    createRecord(a.zone, recordJson("TXT", "_acme-challenge", "not-from-acme", R"(, "ttl": 60)"),
                 manager);
    auto created = call("POST", "/api/v1/tokens/",
                        R"({"name": "acme", "permissions": ["dns:list", "dns:read", "dns:create",)"
                        R"( "dns:delete"], "record_types": ["TXT"],)"
                        R"( "names": ["_acme-challenge", "_acme-challenge.*"]})",
                        manager);
    EXPECT_EQ(created.status, 201) << created.body;
    a.token = str(parseJson(created), "token");
    return a;
  }

  std::string apiUrl() { return "http://127.0.0.1:" + std::to_string(stack().apiPort()); }
  std::vector<std::string> hookEnv(const Account& a) {
    return {"env", "ZONEPIPE_API_URL=" + apiUrl(), "ZONEPIPE_TOKEN=" + a.token};
  }

  // The nameserver `ca` validates against (and lego checks propagation on).
  std::string resolverFor(const Pebble& ca) {
    return &ca == primaryCa_.get() ? stack().primaryServer() : stack().secondaryServer();
  }

  // lego's command line for an apex + wildcard certificate with DNS
  // provider `provider` (after its environment), and where it leaves the
  // certificate.
  std::vector<std::string> legoRun(const Pebble& ca, const Account& a, const std::string& dir,
                                   const std::string& provider) {
    return {"lego",
            "--server",
            ca.directory(),
            "--accept-tos",
            "--email",
            "acme@example.net",
            "--path",
            dir,
            "--dns",
            provider,
            "--dns.resolvers",
            resolverFor(ca),
            "--dns.disable-cp",
            "-d",
            a.domain,
            "-d",
            "*." + a.domain,
            "run"};
  }
  static std::string legoCertificate(const std::string& dir, const Account& a) {
    return dir + "/certificates/" + a.domain + ".crt";
  }

  // The certificate at `path` names the apex and the wildcard.
  void expectCertificate(const std::string& path, const Account& a) {
    auto text =
        runCommand({"openssl", "x509", "-in", path, "-noout", "-text"}, milliseconds(10000));
    ASSERT_EQ(text.exitCode, 0) << path << ": " << text.err;
    EXPECT_NE(text.out.find("DNS:" + a.domain), std::string::npos) << text.out;
    EXPECT_NE(text.out.find("DNS:*." + a.domain), std::string::npos) << text.out;
  }

  // Only the record that was there before is left at _acme-challenge: by
  // the API and on both nameservers.
  void expectCleanedUp(const Account& a) {
    auto list = call("GET", kZones + a.zone + "/records/?name=_acme-challenge", "", a.token);
    ASSERT_EQ(list.status, 200) << list.body;
    auto records = parseJson(list);
    ASSERT_TRUE(records.IsArray());
    ASSERT_EQ(records.Size(), 1u) << list.body;
    EXPECT_EQ(str(records[0], "value"), "not-from-acme") << list.body;
    for (const auto& server : {stack().primaryServer(), stack().secondaryServer()}) {
      Strings seen;
      EXPECT_TRUE(Stack::waitFor(
          [&] {
            seen = stack().digAt(server, "_acme-challenge." + a.domain, "TXT").answers;
            return seen == Strings{"\"not-from-acme\""};
          },
          kDnsDeadline))
          << server << " serves " << joined(seen);
    }
  }

  // Runs one client against both CAs (primary, then secondary).
  template <typename Run>
  void againstBothNameservers(const std::string& what, Run run) {
    for (Pebble* ca : {primaryCa_.get(), secondaryCa_.get()}) {
      const Account a = account(what);
      SCOPED_TRACE(a.domain + (ca == primaryCa_.get() ? " via the primary" : " via the secondary"));
      const auto started = std::chrono::steady_clock::now();
      CommandResult r = run(*ca, a, stack().dir() + "/" + a.domain);
      const auto took =
          std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
      std::cerr << what << " " << a.domain << ": " << took.count() << " ms\n";
      if (std::getenv("ZP_ACME_VERBOSE")) std::cerr << r.out << r.err;
      ASSERT_FALSE(r.timedOut) << "the client ran over " << kClientTimeout.count() << " ms\n"
                               << r.out << r.err << ca->log();
      ASSERT_EQ(r.exitCode, 0) << r.out << r.err << ca->log();
      expectCleanedUp(a);
      if (HasFailure()) return;
    }
  }

  inline static std::unique_ptr<Pebble> primaryCa_;
  inline static std::unique_ptr<Pebble> secondaryCa_;
  inline static std::string pebbleError_;
};

TEST_F(AcmeTest, CertbotWithTheHook) {
  if (auto why = missing("certbot")) GTEST_SKIP() << *why;
  if (!pebbleUp()) return;
  againstBothNameservers("certbot", [&](Pebble& ca, const Account& a, const std::string& dir) {
    auto argv = hookEnv(a);
    argv.insert(argv.end(), {"REQUESTS_CA_BUNDLE=" + ca.caFile(),
                             "certbot",
                             "certonly",
                             "--non-interactive",
                             "--agree-tos",
                             "--register-unsafely-without-email",
                             "--server",
                             ca.directory(),
                             "--config-dir",
                             dir + "/etc",
                             "--work-dir",
                             dir + "/work",
                             "--logs-dir",
                             dir + "/logs",
                             "--manual",
                             "--preferred-challenges",
                             "dns",
                             "--manual-auth-hook",
                             kHook + " auth",
                             "--manual-cleanup-hook",
                             kHook + " cleanup",
                             "-d",
                             a.domain,
                             "-d",
                             "*." + a.domain});
    auto r = runCommand(argv, kClientTimeout);
    if (r.exitCode == 0) expectCertificate(dir + "/etc/live/" + a.domain + "/fullchain.pem", a);
    return r;
  });
}

TEST_F(AcmeTest, LegoExecWithTheHook) {
  if (auto why = missing("lego")) GTEST_SKIP() << *why;
  if (!pebbleUp()) return;
  againstBothNameservers("lego-exec", [&](Pebble& ca, const Account& a, const std::string& dir) {
    auto argv = hookEnv(a);
    argv.insert(argv.end(), {"LEGO_CA_CERTIFICATES=" + ca.caFile(), "EXEC_PATH=" + kHook,
                             "EXEC_PROPAGATION_TIMEOUT=60", "EXEC_POLLING_INTERVAL=1",
                             "EXEC_SEQUENCE_INTERVAL=1"});
    const auto run = legoRun(ca, a, dir, "exec");
    argv.insert(argv.end(), run.begin(), run.end());
    auto r = runCommand(argv, kClientTimeout);
    if (r.exitCode == 0) expectCertificate(legoCertificate(dir, a), a);
    return r;
  });
}

TEST_F(AcmeTest, LegoHttpreqAgainstTheApi) {
  if (auto why = missing("lego")) GTEST_SKIP() << *why;
  if (!pebbleUp()) return;
  againstBothNameservers("lego-httpreq", [&](Pebble& ca, const Account& a, const std::string& dir) {
    // No script: lego posts to the API itself, with HTTP Basic auth.
    std::vector<std::string> argv = {"env",
                                     "LEGO_CA_CERTIFICATES=" + ca.caFile(),
                                     "HTTPREQ_ENDPOINT=" + apiUrl() + "/api/v1/acme/httpreq",
                                     "HTTPREQ_USERNAME=acme",
                                     "HTTPREQ_PASSWORD=" + a.token,
                                     "HTTPREQ_PROPAGATION_TIMEOUT=60",
                                     "HTTPREQ_POLLING_INTERVAL=1"};
    const auto run = legoRun(ca, a, dir, "httpreq");
    argv.insert(argv.end(), run.begin(), run.end());
    auto r = runCommand(argv, kClientTimeout);
    if (r.exitCode == 0) expectCertificate(legoCertificate(dir, a), a);
    return r;
  });
}

TEST_F(AcmeTest, DehydratedWithTheHook) {
  if (auto why = missing("dehydrated")) GTEST_SKIP() << *why;
  if (!pebbleUp()) return;
  againstBothNameservers("dehydrated", [&](Pebble& ca, const Account& a, const std::string& dir) {
    runCommand({"mkdir", "-p", dir}, milliseconds(5000));
    writeFile(dir + "/config", "CA=\"" + ca.directory() + "\"\nCHALLENGETYPE=\"dns-01\"\nHOOK=\"" +
                                   kHook + "\"\nBASEDIR=\"" + dir + "\"\n");
    auto env = hookEnv(a);
    env.push_back("CURL_CA_BUNDLE=" + ca.caFile());
    auto with = [&](std::vector<std::string> args) {
      std::vector<std::string> argv = env;
      argv.push_back("dehydrated");
      argv.insert(argv.end(), {"--config", dir + "/config"});
      argv.insert(argv.end(), args.begin(), args.end());
      return argv;
    };
    auto registered = runCommand(with({"--register", "--accept-terms"}), kClientTimeout);
    if (registered.exitCode != 0) return registered;
    auto r =
        runCommand(with({"--cron", "--force", "--domain", a.domain, "--domain", "*." + a.domain}),
                   kClientTimeout);
    if (r.exitCode == 0) expectCertificate(dir + "/certs/" + a.domain + "/cert.pem", a);
    return r;
  });
}

// The hook without a CA: present waits until both nameservers serve the
// value, a retried present keeps it, two values live at one name, cleanup
// removes only its own, and the errors say what to do.
TEST_F(AcmeTest, HookPresentsWaitsAndRemovesOnlyItsOwnValue) {
  const Account a = account("hook");
  const std::string fqdn = "_acme-challenge." + a.domain + ".";
  auto hook = [&](std::vector<std::string> args, std::vector<std::string> env = {}) {
    auto argv = hookEnv(a);
    argv.insert(argv.end(), env.begin(), env.end());
    argv.push_back(kHook);
    argv.insert(argv.end(), args.begin(), args.end());
    return runCommand(argv, milliseconds(60000));
  };
  auto servedEverywhere = [&](Strings want) {
    std::sort(want.begin(), want.end());
    for (const auto& server : {stack().primaryServer(), stack().secondaryServer()}) {
      // Asked once, right after the hook returned: no polling.
      auto seen = stack().digAt(server, fqdn, "TXT").answers;
      std::sort(seen.begin(), seen.end());
      EXPECT_EQ(seen, want) << server;
    }
  };
  auto r = hook({"present", fqdn, "apex-value"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  servedEverywhere({"\"not-from-acme\"", "\"apex-value\""});
  // dehydrated's form, the wildcard's value at the same name.
  r = hook({"deploy_challenge", a.domain, "token-file", "wildcard-value"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  servedEverywhere({"\"not-from-acme\"", "\"apex-value\"", "\"wildcard-value\""});
  r = hook({"present", fqdn, "apex-value"});  // retried
  ASSERT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.err.find("already holds"), std::string::npos) << r.err;
  // certbot's form (cleanup recognised by CERTBOT_AUTH_OUTPUT).
  r = hook({}, {"CERTBOT_DOMAIN=*." + a.domain, "CERTBOT_VALIDATION=apex-value",
                "CERTBOT_AUTH_OUTPUT="});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  servedEverywhere({"\"not-from-acme\"", "\"wildcard-value\""});
  r = hook({"cleanup", fqdn, "apex-value"});  // again: nothing to do
  ASSERT_EQ(r.exitCode, 0) << r.err;
  r = hook({"clean_challenge", a.domain, "token-file", "wildcard-value"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  expectCleanedUp(a);
  // Not served in time (ZONEPIPE_ACME_WAIT_MS=0: the API answers 202) is a
  // failure that says so; the record stays, and a retry keeps it.
  r = hook({"present", fqdn, "late-value"}, {"ZONEPIPE_ACME_WAIT_MS=0"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("did not serve it within 0 ms"), std::string::npos) << r.err;
  r = hook({"present", fqdn, "late-value"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_NE(r.err.find("already holds"), std::string::npos) << r.err;
  r = hook({"cleanup", fqdn, "late-value"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  expectCleanedUp(a);
  // Other dehydrated hooks are ignored.
  EXPECT_EQ(hook({"deploy_cert", a.domain, "k", "c", "f", "ch", "1"}).exitCode, 0);

  // Errors: no zone, a type outside the token's scope, no configuration.
  r = hook({"present", "_acme-challenge.nowhere-" + a.domain + "x.", "v"});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("none of your zones holds"), std::string::npos) << r.err;
  const std::string listOnly = tokenFor("acme-" + a.domain, "dns:list");
  r = hook({"present", fqdn, "v"}, {"ZONEPIPE_TOKEN=" + listOnly});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("403 permission_denied"), std::string::npos) << r.err;
  r = runCommand({"env", "-u", "ZONEPIPE_API_URL", kHook, "present", fqdn, "v"},
                 milliseconds(20000));
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("ZONEPIPE_API_URL is not set"), std::string::npos) << r.err;
  r = runCommand({"env", "ZONEPIPE_API_URL=http://127.0.0.1:1", "ZONEPIPE_TOKEN=vps_x", kHook,
                  "present", fqdn, "v"},
                 milliseconds(20000));
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.err.find("cannot reach the zonepipe API"), std::string::npos) << r.err;
}

// The httpreq endpoint's own rules, over HTTP: Bearer or Basic, waiting,
// two values at one name, removing only its own, the documented errors.
TEST_F(AcmeTest, HttpreqEndpointRules) {
  const Account a = account("httpreq");
  const std::string present = "/api/v1/acme/httpreq/present";
  const std::string cleanup = "/api/v1/acme/httpreq/cleanup";
  const std::string fqdn = "_acme-challenge." + a.domain + ".";
  auto body = [&](const std::string& value) {
    return R"({"fqdn": )" + jsonString(fqdn) + R"(, "value": )" + jsonString(value) + "}";
  };
  auto basic = [&](const std::string& path, const std::string& json) {
    auto encoded = runCommand({"sh", "-c", "printf '%s' 'lego:" + a.token + "' | base64 -w0"},
                              milliseconds(5000));
    return stack().request(
        "POST", path, json,
        {{"Authorization", "Basic " + encoded.out}, {"Content-Type", "application/json"}});
  };
  auto servedEverywhere = [&](Strings want) {
    std::sort(want.begin(), want.end());
    for (const auto& server : {stack().primaryServer(), stack().secondaryServer()}) {
      auto seen = stack().digAt(server, fqdn, "TXT").answers;
      std::sort(seen.begin(), seen.end());
      EXPECT_EQ(seen, want) << server;
    }
  };

  auto r = basic(present, body("one"));
  ASSERT_EQ(r.status, 201) << r.body;
  auto answer = parseJson(r);
  EXPECT_EQ(str(answer, "status"), "INSYNC");
  EXPECT_EQ(str(answer, "zone"), a.zone);
  EXPECT_EQ(str(answer, "name"), "_acme-challenge");
  EXPECT_GT(num(answer, "change_id"), 0);
  servedEverywhere({"\"not-from-acme\"", "\"one\""});
  r = call("POST", present, body("two"), a.token);  // Bearer works too
  ASSERT_EQ(r.status, 201) << r.body;
  servedEverywhere({"\"not-from-acme\"", "\"one\"", "\"two\""});
  r = basic(present, body("one"));  // retried: kept, nothing changes
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(num(parseJson(r), "change_id"), -1) << r.body;

  r = basic(cleanup, body("one"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parseJson(r)["records"].Size(), 1u) << r.body;
  servedEverywhere({"\"not-from-acme\"", "\"two\""});
  r = basic(cleanup, body("one"));  // again: nothing there
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(parseJson(r)["records"].Size(), 0u) << r.body;
  r = basic(cleanup, body("two"));
  ASSERT_EQ(r.status, 200) << r.body;
  expectCleanedUp(a);

  struct Bad {
    std::string body;
    int status;
    std::string code;
    std::string field;
  };
  const Bad bad[] = {
      {R"({"fqdn": "_acme-challenge.nowhere.invalid.", "value": "v"})", 404, "not_found", "fqdn"},
      {R"({"domain": "x", "token": "t", "keyAuth": "k"})", 400, "validation_error", "domain"},
      {R"({"fqdn": "x.)" + a.domain + R"("})", 400, "validation_error", "value"},
      {"not json", 400, "parse_error", ""},
      // The token's names scope: only _acme-challenge names.
      {R"({"fqdn": "www.)" + a.domain + R"(", "value": "v"})", 403, "permission_denied", "*"},
  };
  for (const Bad& b : bad) {
    r = basic(present, b.body);
    EXPECT_EQ(r.status, b.status) << b.body << " -> " << r.body;
    auto error = apiError(r);
    EXPECT_EQ(error.errorCode, b.code) << r.body;
    if (b.field != "*") {
      EXPECT_EQ(error.field, b.field) << r.body;
    }
  }
  // Basic with a password that is not a token, and a token without dns:delete.
  r = stack().request("POST", cleanup, body("v"), {{"Authorization", "Basic YWNtZTpzZWNyZXQ="}});
  EXPECT_EQ(r.status, 401) << r.body;
  const std::string readOnly = tokenFor("acme-" + a.domain, "dns:list,dns:create");
  r = call("POST", cleanup, body("v"), readOnly);
  EXPECT_EQ(r.status, 403) << r.body;
}

// A nameserver that does not serve the change within the endpoint's wait
// makes present a 503 naming it, never a 2xx lego would go on with.
TEST_F(AcmeTest, HttpreqIsA503WhenANameserverLags) {
  const Account a = account("lagging");
  stack().stopNamed("secondary");
  // httpTo: a 30 s client (the harness's own gives up after 15 s).
  auto r = httpTo(stack().apiPort(), "POST", "/api/v1/acme/httpreq/present",
                  R"({"fqdn": "_acme-challenge.)" + a.domain + R"(.", "value": "late"})", a.token);
  stack().startNamed("secondary");
  EXPECT_EQ(r.status, 503) << r.body;
  auto error = apiError(r);
  EXPECT_EQ(error.errorCode, "unavailable");
  EXPECT_NE(error.detail.find("is committed"), std::string::npos) << error.detail;
  EXPECT_NE(error.detail.find("did not serve it within 25000 ms"), std::string::npos)
      << error.detail;
}

}  // namespace
}  // namespace zp::e2e::api
