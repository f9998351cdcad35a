#include "tests/e2e/harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef ZP_BIN_DIR
#error "ZP_BIN_DIR must be defined (the build's bin directory)"
#endif
#ifndef ZP_SCRIPTS_DIR
#error "ZP_SCRIPTS_DIR must be defined (the repository's scripts directory)"
#endif

namespace zp::e2e {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr milliseconds kStartDeadline{20000};
constexpr milliseconds kStopDeadline{10000};
constexpr milliseconds kHttpDeadline{15000};

std::runtime_error fail(const std::string& what) { return std::runtime_error("e2e: " + what); }

std::string errnoText(const std::string& what) { return what + ": " + std::strerror(errno); }

// A file descriptor closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

std::string describeStatus(int st) {
  if (WIFEXITED(st)) return "exit status " + std::to_string(WEXITSTATUS(st));
  if (WIFSIGNALED(st)) return std::string("killed by signal ") + ::strsignal(WTERMSIG(st));
  return "status " + std::to_string(st);
}

int exitCodeOf(int st) { return WIFEXITED(st) ? WEXITSTATUS(st) : -1; }

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t b = 0;
  while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  return s.substr(b);
}

std::string tailOf(const std::string& path, size_t lines) {
  std::ifstream f(path);
  if (!f) return "(no log at " + path + ")\n";
  std::deque<std::string> last;
  std::string line;
  while (std::getline(f, line)) {
    last.push_back(line);
    if (last.size() > lines) last.pop_front();
  }
  std::string out;
  for (const auto& l : last) out += "    " + l + "\n";
  return out.empty() ? "    (empty)\n" : out;
}

// A TCP port on 127.0.0.1 that is free right now (the kernel picks it), and,
// when `udpToo`, free for UDP as well. `keep` holds the sockets open until all
// ports are chosen so that two picks never collide.
uint16_t pickPort(bool udpToo, std::vector<std::unique_ptr<Fd>>& keep) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    auto tcp = std::make_unique<Fd>(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (tcp->get() < 0) throw fail(errnoText("socket"));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (::bind(tcp->get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      throw fail(errnoText("bind 127.0.0.1:0"));
    }
    socklen_t len = sizeof a;
    if (::getsockname(tcp->get(), reinterpret_cast<sockaddr*>(&a), &len) != 0) {
      throw fail(errnoText("getsockname"));
    }
    if (udpToo) {
      auto udp = std::make_unique<Fd>(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
      if (::bind(udp->get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) continue;
      keep.push_back(std::move(udp));
    }
    keep.push_back(std::move(tcp));
    return ntohs(a.sin_port);
  }
  throw fail("could not find a port free for both TCP and UDP on 127.0.0.1");
}

void writeFile(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::trunc);
  f << text;
  if (!f.flush()) throw fail("cannot write " + path);
}

// "api-1" -> {"api", 1}; "api" -> {"api", 0}.
std::pair<std::string, size_t> splitProcess(const std::string& process) {
  const auto dash = process.rfind('-');
  if (dash == std::string::npos || dash + 1 == process.size() ||
      process.find_first_not_of("0123456789", dash + 1) != std::string::npos) {
    return {process, 0};
  }
  return {process.substr(0, dash), std::stoul(process.substr(dash + 1))};
}

std::string processName(const std::string& program, size_t instance) {
  return instance == 0 ? program : program + "-" + std::to_string(instance);
}

std::string readFile(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw fail("cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// One `name ttl class type rdata...` line of dig's ANSWER section -> rdata.
std::string rdataOf(const std::string& line) {
  size_t pos = 0;
  for (int field = 0; field < 4; ++field) {
    while (pos < line.size() && std::isspace(static_cast<unsigned char>(line[pos]))) ++pos;
    while (pos < line.size() && !std::isspace(static_cast<unsigned char>(line[pos]))) ++pos;
  }
  return trim(line.substr(pos));
}

}  // namespace

CommandResult runCommand(const std::vector<std::string>& argv, milliseconds timeout) {
  if (argv.empty()) throw std::logic_error("runCommand: empty argv");
  int outPipe[2], errPipe[2];
  if (::pipe2(outPipe, O_CLOEXEC) != 0 || ::pipe2(errPipe, O_CLOEXEC) != 0) {
    throw fail(errnoText("pipe2"));
  }
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) throw fail(errnoText("fork"));
  if (pid == 0) {
    ::setpgid(0, 0);  // a timeout kills the whole group, helpers included
    const int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::dup2(outPipe[1], 1);
    ::dup2(errPipe[1], 2);
    ::execvp(cargv[0], cargv.data());
    const std::string msg = std::string("cannot run ") + cargv[0] + ": " + std::strerror(errno);
    [[maybe_unused]] auto n = ::write(2, msg.data(), msg.size());
    ::_exit(127);
  }
  ::close(outPipe[1]);
  ::close(errPipe[1]);
  Fd out(outPipe[0]), err(errPipe[0]);

  CommandResult r;
  const auto deadline = Clock::now() + timeout;
  bool outOpen = true, errOpen = true;
  while (outOpen || errOpen) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      r.timedOut = true;
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd fds[2] = {{outOpen ? out.get() : -1, POLLIN, 0}, {errOpen ? err.get() : -1, POLLIN, 0}};
    const int n = ::poll(fds, 2, static_cast<int>(std::min<long>(left, 1000)));
    if (n < 0 && errno != EINTR) throw fail(errnoText("poll"));
    char buf[4096];
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        (i == 0 ? outOpen : errOpen) = false;
      }
    }
  }
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  r.exitCode = r.timedOut ? -1 : exitCodeOf(st);
  return r;
}

std::string HttpResponse::header(const std::string& lowerName) const {
  auto it = headers.find(lowerName);
  return it == headers.end() ? std::string() : it->second;
}

const std::vector<std::string>& Stack::programs() {
  static const std::vector<std::string> p = {"store", "validator", "renderer", "push", "api"};
  return p;
}

std::vector<std::string> Stack::processes() const {
  std::vector<std::string> out;
  for (const auto& p : programs()) {
    const size_t copies = p == "api"         ? options_.apis
                          : p == "validator" ? options_.validators
                          : p == "renderer"  ? options_.renderers
                                             : 1;
    for (size_t i = 0; i < copies; ++i) out.push_back(processName(p, i));
  }
  return out;
}

Stack::Stack() : Stack(StackOptions{}) {}

Stack::Stack(StackOptions options) : options_(std::move(options)) {
  std::signal(SIGPIPE, SIG_IGN);
  try {
    boot();
  } catch (...) {
    shutdown();
    dumpLogs();
    throw;
  }
}

Stack::~Stack() {
  shutdown();
  const char* keep = std::getenv("ZP_E2E_KEEP");
  if (::testing::Test::HasFailure()) {
    dumpLogs();
  } else if (!(keep && *keep) && !dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  } else {
    std::cerr << "e2e: kept " << dir_ << " (ZP_E2E_KEEP is set)\n";
  }
}

void Stack::boot() {
  for (const auto& p : programs()) {
    if (::access((std::string(ZP_BIN_DIR) + "/zonepipe-" + p).c_str(), X_OK) != 0) {
      throw fail(std::string(ZP_BIN_DIR) + "/zonepipe-" + p + " is missing; build it first");
    }
  }
  char tmpl[] = "/tmp/zpe2e-XXXXXX";  // short: ipc:// paths below it must stay <= 107 chars
  if (::mkdtemp(tmpl) == nullptr) throw fail(errnoText("mkdtemp"));
  dir_ = tmpl;
  namedDir_ = dir_ + "/named";
  configPath_ = dir_ + "/zonepipe.conf";
  std::filesystem::create_directories(dir_ + "/run");
  if (options_.apis == 0 || options_.validators == 0 || options_.renderers == 0) {
    throw std::logic_error("e2e: a stack needs at least one API, validator and renderer");
  }

  // The ZeroMQ endpoints (key -> value), written into zonepipe.conf.
  std::vector<std::pair<std::string, std::string>> endpoints;
  {
    std::vector<std::unique_ptr<Fd>> keep;
    for (size_t i = 0; i < options_.apis; ++i) apiPorts_.push_back(pickPort(false, keep));
    apiPort_ = apiPorts_[0];
    std::string validatorList;
    for (size_t i = 0; i < options_.validators; ++i) {
      validatorList +=
          (i == 0 ? "" : ",") +
          (options_.tcp ? "tcp://127.0.0.1:" + std::to_string(pickPort(false, keep))
                        : "ipc://" + dir_ + "/run/validator-" + std::to_string(i) + ".sock");
    }
    endpoints.emplace_back("validator.endpoints", validatorList);
    if (options_.tcp) {
      for (const char* key :
           {"store.commands", "store.query", "store.events", "push.endpoint", "push.status"}) {
        endpoints.emplace_back(key, "tcp://127.0.0.1:" + std::to_string(pickPort(false, keep)));
      }
    }
    if (options_.metrics) {
      if (options_.apis > 1 || options_.validators > 1 || options_.renderers > 1) {
        throw std::logic_error("e2e: metrics are served by stacks of one copy per program only");
      }
      for (const auto& program : programs()) {
        metricsPorts_[program] = pickPort(false, keep);
        endpoints.emplace_back("metrics." + program,
                               "127.0.0.1:" + std::to_string(metricsPorts_[program]));
      }
    }
    dnsPort_ = pickPort(true, keep);
    rndcPort_ = pickPort(false, keep);
    if (options_.secondary) {
      secondaryDnsPort_ = pickPort(true, keep);
      secondaryRndcPort_ = pickPort(false, keep);
    }
  }

  const std::string scripts = ZP_SCRIPTS_DIR;
  std::vector<std::string> primarySetup = {scripts + "/named-setup"};
  if (options_.secondary) {
    secondaryDir_ = dir_ + "/named-secondary";
    primarySetup.insert(primarySetup.end(), {"--secondaries", secondaryServer(), "--transfer-key",
                                             dir_ + "/transfer.key"});
  }
  if (!options_.newZonesDir.empty()) {
    primarySetup.insert(primarySetup.end(), {"--new-zones-dir", options_.newZonesDir});
  }
  primarySetup.insert(primarySetup.end(),
                      {namedDir_, std::to_string(dnsPort_), std::to_string(rndcPort_)});
  auto setup = runCommand(primarySetup, milliseconds(30000));
  if (setup.exitCode != 0) throw fail("scripts/named-setup failed: " + setup.err + setup.out);
  if (options_.secondary) {
    auto second =
        runCommand({scripts + "/named-setup", "--primary", primaryServer(), "--transfer-key",
                    dir_ + "/transfer.key", secondaryDir_, std::to_string(secondaryDnsPort_),
                    std::to_string(secondaryRndcPort_)},
                   milliseconds(30000));
    if (second.exitCode != 0) {
      throw fail("scripts/named-setup of the secondary failed: " + second.err + second.out);
    }
  }
  startNamed("primary");
  if (options_.secondary) startNamed("secondary");

  writeFile(
      configPath_,
      "# written by the e2e harness\n"
      "home = " +
          dir_ +
          "\n"
          "api.port = " +
          std::to_string(apiPort_) +
          "\n"
          "push.rndc_config = " +
          namedDir_ + "/rndc.conf\n" + [&] {
            std::string more =
                "dns.port = " + std::to_string(dnsPort_) +
                "\ndns.primary_address = 127.0.0.1\ndns.secondaries = " + secondaryServer() + "\n";
            for (const auto& [key, value] : endpoints) more += key + " = " + value + "\n";
            if (options_.renderers > 1) {
              more += "renderer.instances = " + std::to_string(options_.renderers) + "\n";
            }
            for (const auto& line : options_.extraConfig) more += line + "\n";
            return more;
          }());
  // API instance i > 0: the same config with its own port (a later line wins).
  for (size_t i = 1; i < options_.apis; ++i) {
    writeFile(dir_ + "/api-" + std::to_string(i) + ".conf",
              readFile(configPath_) + "api.port = " + std::to_string(apiPorts_[i]) + "\n");
  }

  for (const auto& p : processes()) start(p);

  for (size_t i = 0; i < options_.apis; ++i) {
    const bool apiUp = waitFor(
        [&] {
          checkAlive();
          try {
            return httpAt(i, "GET", "/api/v1/dns-zones/").status == 401;
          } catch (const std::runtime_error&) {
            return false;  // not listening yet
          }
        },
        kStartDeadline);
    if (!apiUp) {
      throw fail("API instance " + std::to_string(i) + " (port " + std::to_string(apiPorts_[i]) +
                 ") did not answer 401 on GET /api/v1/dns-zones/ within 20 s");
    }
  }

  CommandResult last;
  const bool tokenMade = waitFor(
      [&] {
        checkAlive();
        last = cli({"token", "create", "--user", "e2e-admin", "--permissions", "dns:*"});
        const std::string t = trim(last.out);
        if (last.exitCode != 0 || t.rfind("vps_", 0) != 0) return false;
        token_ = t;
        return true;
      },
      kStartDeadline);
  if (!tokenMade) {
    throw fail("`zonepipe token create` did not succeed within 20 s; last exit " +
               std::to_string(last.exitCode) + ", stdout: " + last.out + " stderr: " + last.err);
  }

  for (size_t i = 0; i < options_.apis; ++i) waitUntilReady(i);
}

void Stack::waitUntilReady(size_t api) {
  // The programs start concurrently and the API fails fast (503) until its
  // connections are up, so wait until both of its paths answer: a read (API ->
  // store) and an invalid write (API -> validator) that changes nothing, once
  // per validator in a row (the API's DEALER spreads writes over all of them).
  HttpResponse read, write;
  const bool ready = waitFor(
      [&] {
        checkAlive();
        // A 429 answers after authentication (a store query): under a tight
        // api.rate_limit the probes themselves spend the token's budget, and
        // a slow start would otherwise never count as ready.
        read = httpAt(api, "GET", "/api/v1/dns-zones/", "", token_);
        if (read.status == 429) return true;
        if (read.status != 200) return false;
        for (size_t v = 0; v < options_.validators; ++v) {
          write =
              httpAt(api, "POST", "/api/v1/dns-zones/", R"({"domain": "-not-a-domain-"})", token_);
          if (write.status == 429) return true;
          if (write.status != 400) return false;
        }
        return true;
      },
      kStartDeadline);
  if (!ready) {
    throw fail("API instance " + std::to_string(api) +
               " did not become ready within 20 s: GET /api/v1/dns-zones/ -> " +
               std::to_string(read.status) + " " + read.body + "; POST of an invalid zone -> " +
               std::to_string(write.status) + " " + write.body);
  }
}

std::string Stack::logPath(const std::string& process) const {
  return dir_ + "/" + process + ".log";
}

pid_t Stack::spawn(const std::string& process) {
  const auto [program, instance] = splitProcess(process);
  const std::string exe = std::string(ZP_BIN_DIR) + "/zonepipe-" + program;
  // --home as well: the endpoint and directory defaults derive from it, not
  // from the `home` key of the config file.
  const std::string config = program == "api" && instance > 0
                                 ? dir_ + "/api-" + std::to_string(instance) + ".conf"
                                 : configPath_;
  std::vector<std::string> args = {exe, "--home", dir_, "--config", config};
  if (program == "validator" || (program == "renderer" && options_.renderers > 1)) {
    args.insert(args.end(), {"--instance", std::to_string(instance)});
  }
  std::vector<char*> cargv;
  for (const auto& a : args) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);

  Fd log(::open(logPath(process).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
  if (log.get() < 0) throw fail(errnoText("open " + logPath(process)));
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw fail(errnoText("fork"));
  if (pid == 0) {
    // If the test process dies (crash, ctest timeout), take the program with it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    const int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::dup2(log.get(), 1);
    ::dup2(log.get(), 2);
    ::execv(cargv[0], cargv.data());
    const std::string msg = "e2e: cannot exec " + exe + ": " + std::strerror(errno) + "\n";
    [[maybe_unused]] auto n = ::write(2, msg.data(), msg.size());
    ::_exit(127);
  }
  return pid;
}

void Stack::start(const std::string& program) {
  const auto all = processes();
  if (std::find(all.begin(), all.end(), program) == all.end()) {
    throw std::logic_error("e2e: this stack has no process called " + program);
  }
  if (pids_.count(program) != 0) throw std::logic_error("e2e: " + program + " is already running");
  pids_[program] = spawn(program);
}

bool Stack::running(const std::string& program) {
  auto it = pids_.find(program);
  if (it == pids_.end()) return false;
  int st = 0;
  if (::waitpid(it->second, &st, WNOHANG) == it->second) {
    std::cerr << "e2e: zonepipe-" << program << " exited (" << describeStatus(st) << ")\n";
    pids_.erase(it);
    return false;
  }
  return true;
}

int Stack::stop(const std::string& program) {
  auto it = pids_.find(program);
  if (it == pids_.end()) return -1;
  const pid_t pid = it->second;
  pids_.erase(it);
  ::kill(pid, SIGTERM);
  int st = 0;
  const auto deadline = Clock::now() + kStopDeadline;
  while (true) {
    const pid_t r = ::waitpid(pid, &st, WNOHANG);
    if (r == pid) return exitCodeOf(st);
    if (r < 0 && errno != EINTR) return -1;
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(milliseconds(20));
  }
  std::cerr << "e2e: zonepipe-" << program << " (pid " << pid
            << ") ignored SIGTERM for 10 s; killing it\n";
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  return -1;
}

void Stack::checkAlive() {
  for (auto it = pids_.begin(); it != pids_.end(); ++it) {
    int st = 0;
    if (::waitpid(it->second, &st, WNOHANG) == it->second) {
      const std::string program = it->first;
      pids_.erase(it);
      throw fail("zonepipe-" + program + " exited (" + describeStatus(st) + "); the end of " +
                 logPath(program) + ":\n" + tailOf(logPath(program), 20));
    }
  }
}

void Stack::shutdown() {
  // Reverse start order: the API stops taking requests first.
  const auto all = processes();
  for (auto p = all.rbegin(); p != all.rend(); ++p) {
    if (pids_.count(*p) != 0) ::kill(pids_[*p], SIGTERM);
  }
  for (auto p = all.rbegin(); p != all.rend(); ++p) stop(*p);
  if (namedStarted_) stopNamed("primary");
  if (secondaryStarted_) stopNamed("secondary");
}

std::string Stack::primaryServer() const { return "127.0.0.1:" + std::to_string(dnsPort_); }

std::string Stack::secondaryServer() const {
  return secondaryDnsPort_ == 0 ? std::string() : "127.0.0.1:" + std::to_string(secondaryDnsPort_);
}

void Stack::stopNamed(const std::string& which) {
  const bool secondary = which == "secondary";
  if (!secondary && which != "primary") throw std::logic_error("e2e: no named called " + which);
  (secondary ? secondaryStarted_ : namedStarted_) = false;
  auto r = runCommand(
      {std::string(ZP_SCRIPTS_DIR) + "/named-stop", secondary ? secondaryDir_ : namedDir_},
      milliseconds(20000));
  if (r.exitCode != 0) std::cerr << "e2e: named-stop " << which << " failed: " << r.err << r.out;
}

void Stack::killNine(const std::string& program) {
  auto it = pids_.find(program);
  if (it == pids_.end()) throw std::logic_error("e2e: " + program + " is not running");
  const pid_t pid = it->second;
  pids_.erase(it);
  ::kill(pid, SIGKILL);
  int st = 0;
  while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
}

void Stack::killNineNamed(const std::string& which) {
  const bool secondary = which == "secondary";
  if (!secondary && which != "primary") throw std::logic_error("e2e: no named called " + which);
  std::ifstream in((secondary ? secondaryDir_ : namedDir_) + "/named.pid");
  pid_t pid = 0;
  in >> pid;
  if (pid <= 0) throw fail("e2e: no pid file for the " + which + " named");
  ::kill(pid, SIGKILL);
  // named-start ran it in the background of a shell that has exited: it is
  // not our child; wait until /proc no longer lists it (or a zombie).
  waitFor(
      [&] {
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::stringstream buffer;
        buffer << stat.rdbuf();
        const std::string text = buffer.str();
        const size_t paren = text.rfind(')');
        return text.empty() || (paren != std::string::npos && text.substr(paren + 2, 1) == "Z");
      },
      milliseconds(10000));
  (secondary ? secondaryStarted_ : namedStarted_) = false;
}

void Stack::startNamed(const std::string& which) {
  const bool secondary = which == "secondary";
  if (!secondary && which != "primary") throw std::logic_error("e2e: no named called " + which);
  if (secondary && secondaryDir_.empty())
    throw std::logic_error("e2e: this stack has no secondary");
  (secondary ? secondaryStarted_ : namedStarted_) = true;  // from here on, shutdown() stops it
  auto started = runCommand(
      {std::string(ZP_SCRIPTS_DIR) + "/named-start", secondary ? secondaryDir_ : namedDir_},
      milliseconds(30000));
  if (started.exitCode != 0) {
    throw fail("scripts/named-start " + which + " failed: " + started.err + started.out);
  }
}

void Stack::dumpLogs(size_t lines) const {
  if (dir_.empty()) return;
  std::cerr << "e2e: logs and state are kept in " << dir_ << "\n";
  for (const auto& p : processes()) {
    std::cerr << "--- last " << lines << " lines of " << logPath(p) << "\n"
              << tailOf(logPath(p), lines);
  }
  std::cerr << "--- last " << lines << " lines of " << namedDir_ << "/named.log\n"
            << tailOf(namedDir_ + "/named.log", lines);
  if (!secondaryDir_.empty()) {
    std::cerr << "--- last " << lines << " lines of " << secondaryDir_ << "/named.log\n"
              << tailOf(secondaryDir_ + "/named.log", lines);
  }
}

bool Stack::waitFor(const std::function<bool()>& predicate, milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  while (true) {
    if (predicate()) return true;
    if (Clock::now() >= until) return false;
    std::this_thread::sleep_for(milliseconds(50));
  }
}

CommandResult Stack::cli(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {std::string(ZP_BIN_DIR) + "/zonepipe", "--home", dir_,
                                   "--config", configPath_};
  argv.insert(argv.end(), args.begin(), args.end());
  return runCommand(argv, milliseconds(30000));
}

DigResult Stack::digQuery(const std::string& name, const std::string& type) {
  return digAt("127.0.0.1", name, type);
}

std::vector<std::string> Stack::axfr(const std::string& server, const std::string& zone) {
  std::string address = server, port = std::to_string(dnsPort_);
  if (const auto colon = server.find(':'); colon != std::string::npos) {
    address = server.substr(0, colon);
    port = server.substr(colon + 1);
  }
  // The primary lets the pusher's (control channel) key transfer, with or
  // without secondaries; a secondary takes the transfer key.
  const std::string key =
      server == primaryServer() ? namedDir_ + "/rndc.key" : dir_ + "/transfer.key";
  auto r = runCommand({"dig", "-k", key, "@" + address, "-p", port, "+time=5", "+tries=1", "+noall",
                       "+answer", "+onesoa", zone, "AXFR"},
                      milliseconds(60000));
  std::vector<std::string> out;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == ';') continue;
    std::string flat;
    bool space = false;
    for (const char c : line) {
      if (c == '\t' || c == ' ') {
        space = true;
        continue;
      }
      if (space && !flat.empty()) flat.push_back(' ');
      space = false;
      flat.push_back(c);
    }
    out.push_back(flat);
  }
  return out;
}

std::string Stack::servedZoneFile(const std::string& zone) {
  const std::string path = dir_ + "/served-" + zone + ".zone";
  std::ofstream out(path, std::ios::trunc);
  for (const auto& line : axfr(primaryServer(), zone)) out << line << "\n";
  return path;
}

DigResult Stack::digAt(const std::string& server, const std::string& name,
                       const std::string& type) {
  std::string address = server, port = std::to_string(dnsPort_);
  if (const auto colon = server.find(':'); colon != std::string::npos) {
    address = server.substr(0, colon);
    port = server.substr(colon + 1);
  }
  auto r =
      runCommand({"dig", "@" + address, "-p", port, "+norec", "+time=1", "+tries=1", name, type},
                 milliseconds(10000));
  DigResult d;
  std::istringstream in(r.out);
  std::string line;
  bool inAnswer = false;
  while (std::getline(in, line)) {
    if (auto s = line.find("status: "); line.rfind(";; ->>HEADER<<-", 0) == 0 && s != line.npos) {
      const auto start = s + 8;
      d.status = line.substr(start, line.find(',', start) - start);
    } else if (line.rfind(";; ANSWER SECTION:", 0) == 0) {
      inAnswer = true;
    } else if (inAnswer) {
      if (trim(line).empty() || line[0] == ';') {
        inAnswer = false;
      } else {
        d.answers.push_back(rdataOf(line));
      }
    }
  }
  return d;
}

HttpResponse Stack::http(const std::string& method, const std::string& path,
                         const std::string& body, const std::string& token) {
  return httpAt(0, method, path, body, token);
}

HttpResponse Stack::request(const std::string& method, const std::string& path,
                            const std::string& body,
                            const std::vector<std::pair<std::string, std::string>>& headers) {
  return requestAt(0, method, path, body, headers);
}

HttpResponse Stack::httpAt(size_t api, const std::string& method, const std::string& path,
                           const std::string& body, const std::string& token) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
  return requestAt(api, method, path, body, headers);
}

HttpResponse Stack::requestAt(size_t api, const std::string& method, const std::string& path,
                              const std::string& body,
                              const std::vector<std::pair<std::string, std::string>>& headers) {
  const uint16_t port = apiPorts_.at(api);
  Fd sock(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (sock.get() < 0) throw fail(errnoText("socket"));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    throw fail(errnoText("connect 127.0.0.1:" + std::to_string(port)));
  }
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nConnection: close\r\n";
  for (const auto& [name, value] : headers) req += name + ": " + value + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    req +=
        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n" + body;
  for (size_t sent = 0; sent < req.size();) {
    const ssize_t n = ::send(sock.get(), req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw fail(errnoText("send"));
    }
    sent += static_cast<size_t>(n);
  }

  // Pistache keeps the connection open after `Connection: close`, so the
  // response ends where Content-Length says, not at EOF.
  const auto deadline = Clock::now() + kHttpDeadline;
  std::string buf;
  bool eof = false;
  auto readMore = [&] {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      throw fail(method + " " + path + ": no complete response within 15 s (got " +
                 std::to_string(buf.size()) + " bytes)");
    }
    pollfd p{sock.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return;
    char chunk[8192];
    const ssize_t n = ::recv(sock.get(), chunk, sizeof chunk, 0);
    if (n > 0) {
      buf.append(chunk, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      eof = true;
    }
  };

  size_t headEnd;
  while ((headEnd = buf.find("\r\n\r\n")) == std::string::npos) {
    if (eof) throw fail(method + " " + path + ": connection closed before a complete response");
    readMore();
  }
  HttpResponse resp;
  std::istringstream head(buf.substr(0, headEnd));
  std::string line;
  std::getline(head, line);
  if (line.rfind("HTTP/1.", 0) != 0 || line.size() < 12) {
    throw fail(method + " " + path + ": malformed status line: " + line);
  }
  resp.status = std::stoi(line.substr(9, 3));
  while (std::getline(head, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    resp.headers[name] = trim(line.substr(colon + 1));
  }
  const size_t bodyStart = headEnd + 4;
  const bool noBody =
      resp.status == 204 || resp.status == 304 || resp.status < 200 || method == "HEAD";
  const std::string cl = resp.header("content-length");
  if (noBody) return resp;
  if (!cl.empty()) {
    const size_t want = std::stoul(cl);
    while (buf.size() - bodyStart < want) {
      if (eof) throw fail(method + " " + path + ": connection closed inside the body");
      readMore();
    }
    resp.body = buf.substr(bodyStart, want);
    return resp;
  }
  if (resp.header("transfer-encoding").find("chunked") != std::string::npos) {
    size_t pos = bodyStart;
    while (true) {
      size_t lineEnd;
      while ((lineEnd = buf.find("\r\n", pos)) == std::string::npos) {
        if (eof) throw fail(method + " " + path + ": connection closed inside a chunk");
        readMore();
      }
      const size_t size = std::stoul(buf.substr(pos, lineEnd - pos), nullptr, 16);
      if (size == 0) return resp;
      while (buf.size() < lineEnd + 2 + size + 2) {
        if (eof) throw fail(method + " " + path + ": connection closed inside a chunk");
        readMore();
      }
      resp.body += buf.substr(lineEnd + 2, size);
      pos = lineEnd + 2 + size + 2;
    }
  }
  while (!eof) readMore();  // no length: the body runs to EOF
  resp.body = buf.substr(bodyStart);
  return resp;
}

}  // namespace zp::e2e
