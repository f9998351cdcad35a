#pragma once
// The end-to-end harness: a whole zonepipe pipeline (named + store, validator,
// renderer, push, api) running as real processes in a fresh temp directory,
// plus the small clients tests need to talk to it (HTTP, dig, the admin CLI).

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace zp::e2e {

// What a finished child process left behind.
struct CommandResult {
  int exitCode = -1;  // -1 when it was killed (signal or timeout)
  bool timedOut = false;
  std::string out;
  std::string err;
};

// Runs argv (no shell) to completion, capturing stdout and stderr; kills it
// after `timeout`. Throws only when the program cannot be started at all.
CommandResult runCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& lowerName) const;
};

// One DNS lookup's outcome as dig saw it.
struct DigResult {
  std::string status;                // NOERROR, NXDOMAIN, REFUSED, ...; empty when no answer came
  std::vector<std::string> answers;  // rdata of the ANSWER section, as `dig +short` prints it
};

// How to build a Stack.
struct StackOptions {
  // A secondary named (127.0.0.1, its own port) that follows the primary's
  // catalog zone through NOTIFY and TSIG-signed zone transfers.
  bool secondary = true;
  // More `key = value` lines for zonepipe.conf (written after the harness's own).
  std::vector<std::string> extraConfig;
  // Copies of the stages that scale out. Instance 0 of each is the program's
  // plain name ("api"); instance i > 0 is "api-<i>" for start/stop/running.
  // API instance i listens on apiPort(i) (its own config file adds the port);
  // validator i binds validator.endpoints[i]; renderer i is `--instance i` of
  // `renderer.instances = renderers`.
  size_t apis = 1;
  size_t validators = 1;
  size_t renderers = 1;
  // Every ZeroMQ socket on tcp://127.0.0.1:<free port> instead of ipc:// below
  // the temp directory (as programs on several hosts would be wired).
  bool tcp = false;
  // Where the primary named keeps its database of added zones (named-setup
  // --new-zones-dir); empty: its own directory.
  std::string newZonesDir{};
  // Every program serves Prometheus metrics on 127.0.0.1:<free port>
  // (metricsPort()); only with one copy of each program.
  bool metrics = false;
};

// A running pipeline. The constructor starts everything and returns once the
// API answers and an admin token exists; it throws std::runtime_error (with the
// tails of the logs on stderr) if any part does not come up within its
// deadline. One test thread drives it (start, stop, ...);
// only the request and dig methods may be called from several threads at once
// (they share no state). The destructor stops
// every process (SIGTERM, then SIGKILL after a deadline; named via rndc stop)
// and removes the temp directory unless the current test failed, in which case
// it prints where the logs are and the tail of each.
class Stack {
 public:
  // The five programs, in start order.
  static const std::vector<std::string>& programs();
  // Every process of this stack (instances included), in start order.
  std::vector<std::string> processes() const;

  Stack();
  explicit Stack(StackOptions options);
  ~Stack();
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  // Stops one program (SIGTERM, SIGKILL after 10 s); returns its exit code
  // (-1 if it had to be killed or died of a signal).
  int stop(const std::string& program);
  // Starts a stopped program again (its log file is appended to).
  void start(const std::string& program);
  bool running(const std::string& program);

  // A blocking HTTP/1.1 request to the API; `token` (without "Bearer ") is sent
  // when non-empty. Throws on a connection failure or a malformed response.
  HttpResponse http(const std::string& method, const std::string& path,
                    const std::string& body = "", const std::string& token = "");
  // The same with arbitrary extra request headers (e.g. a malformed Authorization).
  HttpResponse request(const std::string& method, const std::string& path, const std::string& body,
                       const std::vector<std::pair<std::string, std::string>>& headers);
  // The same requests to API instance `api` (0 <= api < apis).
  HttpResponse httpAt(size_t api, const std::string& method, const std::string& path,
                      const std::string& body = "", const std::string& token = "");
  HttpResponse requestAt(size_t api, const std::string& method, const std::string& path,
                         const std::string& body,
                         const std::vector<std::pair<std::string, std::string>>& headers);
  // Asks named (no recursion, 1 s timeout, 1 try).
  DigResult digQuery(const std::string& name, const std::string& type);
  std::vector<std::string> dig(const std::string& name, const std::string& type) {
    return digQuery(name, type).answers;
  }
  // Asks the nameserver at `server` ("ADDRESS" on the primary's port, or
  // "ADDRESS:PORT"), e.g. digAt(secondaryServer(), "www.example.com", "A").
  DigResult digAt(const std::string& server, const std::string& name, const std::string& type);
  // "127.0.0.1:PORT" of each named (the secondary's is empty without one).
  // The zone's records by a TSIG-signed AXFR from `server`, one
  // `owner ttl IN TYPE rdata` line each as dig prints them (tabs become
  // spaces), the closing SOA left out. Empty when the transfer fails.
  std::vector<std::string> axfr(const std::string& server, const std::string& zone);
  // What the primary serves for `zone` (by AXFR), written as a zone file
  // under dir(); its path. named's own copy is a dynamic zone (file plus
  // journal), so this is how a test reads "the deployed zone".
  std::string servedZoneFile(const std::string& zone);
  std::string primaryServer() const;
  std::string secondaryServer() const;
  // Stops / starts a named ("primary" or "secondary") with scripts/named-stop
  // and scripts/named-start; its state (zones, NZD) stays in its directory.
  void stopNamed(const std::string& which);
  // kill -9 of a program ("pusher" is "push") or of a named ("primary",
  // "secondary"), reaped; start() / startNamed() bring it back.
  void killNine(const std::string& program);
  void killNineNamed(const std::string& which);
  void startNamed(const std::string& which);
  // The admin CLI with this stack's config, e.g. {"token", "list"}.
  CommandResult cli(const std::vector<std::string>& args);

  // Polls `predicate` (every 50 ms) until it is true or `deadline` passes.
  static bool waitFor(const std::function<bool()>& predicate, std::chrono::milliseconds deadline);

  const std::string& token() const { return token_; }  // admin token, dns:*
  const std::string& dir() const { return dir_; }
  const std::string& configPath() const { return configPath_; }
  uint16_t apiPort() const { return apiPort_; }
  uint16_t apiPort(size_t api) const { return apiPorts_.at(api); }
  size_t apiCount() const { return apiPorts_.size(); }
  uint16_t dnsPort() const { return dnsPort_; }
  uint16_t secondaryDnsPort() const { return secondaryDnsPort_; }  // 0 without a secondary
  // The port `program` serves /metrics on (StackOptions::metrics).
  uint16_t metricsPort(const std::string& program) const { return metricsPorts_.at(program); }

  // Prints where the logs are and the last `lines` lines of each.
  void dumpLogs(size_t lines = 40) const;

 private:
  void boot();
  void shutdown();
  void waitUntilReady(size_t api);
  pid_t spawn(const std::string& process);
  std::string logPath(const std::string& process) const;
  // Throws with the program's log tail if a started program has exited.
  void checkAlive();

  std::string dir_;
  std::string configPath_;
  std::string namedDir_;
  std::string secondaryDir_;  // empty without a secondary
  StackOptions options_;
  uint16_t secondaryDnsPort_ = 0;
  uint16_t secondaryRndcPort_ = 0;
  uint16_t apiPort_ = 0;            // = apiPorts_[0]
  std::vector<uint16_t> apiPorts_;  // one per API instance
  uint16_t dnsPort_ = 0;
  uint16_t rndcPort_ = 0;
  std::map<std::string, uint16_t> metricsPorts_;  // program -> port (StackOptions::metrics)
  std::string token_;
  std::map<std::string, pid_t> pids_;  // running processes only, by name ("api", "api-1")
  bool namedStarted_ = false;
  bool secondaryStarted_ = false;
};

}  // namespace zp::e2e
