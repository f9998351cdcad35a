// Prometheus metrics end to end (issue 12): every program serves /metrics,
// `promtool check metrics` accepts each exposition, and the values move as
// writes go through the API, the validator, the store, the renderer, the
// pusher and both nameservers (and as a nameserver goes away).

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/e2e/harness.h"

namespace zp::e2e {
namespace {

using std::chrono::milliseconds;
using Labels = std::map<std::string, std::string>;

struct Sample {
  std::string name;
  Labels labels;
  double value = 0;
};

// The samples of a text exposition (comments left out). Label values here
// hold no escaped quotes, so a plain split is enough.
std::vector<Sample> parseExposition(const std::string& text) {
  std::vector<Sample> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    Sample s;
    std::string series = line.substr(0, space);
    s.value = std::stod(line.substr(space + 1));
    const auto brace = series.find('{');
    s.name = series.substr(0, brace);
    if (brace != std::string::npos) {
      const std::string body = series.substr(brace + 1, series.size() - brace - 2);
      size_t pos = 0;
      while (pos < body.size()) {
        const auto eq = body.find('=', pos);
        const auto open = eq + 1;  // the opening quote
        const auto close = body.find('"', open + 1);
        s.labels[body.substr(pos, eq - pos)] = body.substr(open + 1, close - open - 1);
        pos = close + 2;  // past the quote and the comma
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

class Scrape {
 public:
  explicit Scrape(std::string text) : text_(std::move(text)), samples_(parseExposition(text_)) {}
  // The sum of every series of `name` whose labels include `labels`
  // (-1 when there is none).
  double value(const std::string& name, const Labels& labels = {}) const {
    double sum = 0;
    bool found = false;
    for (const auto& s : samples_) {
      if (s.name != name) continue;
      bool match = true;
      for (const auto& [k, v] : labels) {
        auto it = s.labels.find(k);
        match = match && it != s.labels.end() && it->second == v;
      }
      if (match) {
        sum += s.value;
        found = true;
      }
    }
    return found ? sum : -1;
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::vector<Sample> samples_;
};

Scrape scrape(const Stack& stack, const std::string& program) {
  const std::string url =
      "http://127.0.0.1:" + std::to_string(stack.metricsPort(program)) + "/metrics";
  auto r = runCommand({"curl", "-sf", "-m", "5", url}, milliseconds(10000));
  if (r.exitCode != 0) return Scrape("");
  return Scrape(r.out);
}

// Polls until `check` holds for a fresh scrape of `program`.
bool eventually(const Stack& stack, const std::string& program,
                const std::function<bool(const Scrape&)>& check, Scrape* last = nullptr) {
  return Stack::waitFor(
      [&] {
        Scrape s = scrape(stack, program);
        const bool ok = check(s);
        if (last) *last = std::move(s);
        return ok;
      },
      milliseconds(30000));
}

// promtool: scripts/deps extracts it from Debian's prometheus package (without
// installing that package, which would start a Prometheus server).
std::string promtoolPath() {
  for (const char* dir : {"/usr/local/lib/zonepipe/bin", "/usr/bin", "/usr/local/bin"}) {
    const std::string path = std::string(dir) + "/promtool";
    if (std::filesystem::exists(path)) return path;
  }
  return {};
}
bool havePromtool() { return !promtoolPath().empty(); }

const std::vector<std::string> kPrograms = {"api", "validator", "store", "renderer", "push"};

TEST(MetricsTest, EveryProgramServesMetricsThatPromtoolAcceptsAndThatMoveWithTheWork) {
  StackOptions options;
  options.metrics = true;
  Stack stack(options);

  // Before any work: every program answers with its build info and the
  // process metrics.
  std::map<std::string, Scrape> before;
  for (const auto& program : kPrograms) {
    Scrape s("");
    ASSERT_TRUE(eventually(
        stack, program,
        [&](const Scrape& x) {
          return x.value("zonepipe_build_info", {{"program", program}}) == 1 &&
                 x.value("process_cpu_seconds_total") >= 0 &&
                 x.value("process_resident_memory_bytes") > 0 && x.value("process_open_fds") > 0;
        },
        &s))
        << program << " serves no metrics (or not its build info and process metrics):\n"
        << s.text();
    before.emplace(program, std::move(s));
  }

  // The work: a zone, three records, and one refused value.
  auto zone =
      stack.http("POST", "/api/v1/dns-zones/", R"({"domain": "metrics.test"})", stack.token());
  ASSERT_EQ(zone.status, 201) << zone.body;
  rapidjson::Document created;
  created.Parse(zone.body.c_str());
  ASSERT_TRUE(created.IsObject() && created.HasMember("uuid")) << zone.body;
  const std::string uuid = created["uuid"].GetString();
  const std::string records = "/api/v1/dns-zones/" + uuid + "/records/";
  for (int i = 0; i < 3; ++i) {
    auto r = stack.http("POST", records,
                        R"({"record_type": "A", "name": "www)" + std::to_string(i) +
                            R"(", "value": "192.0.2.)" + std::to_string(i + 1) + R"("})",
                        stack.token());
    ASSERT_EQ(r.status, 201) << r.body;
  }
  auto refused =
      stack.http("POST", records, R"({"record_type": "A", "name": "bad", "value": "999.1.1.1"})",
                 stack.token());
  ASSERT_EQ(refused.status, 400) << refused.body;
  ASSERT_TRUE(Stack::waitFor(
      [&] {
        return stack.digAt(stack.secondaryServer(), "www2.metrics.test", "A").answers ==
               std::vector<std::string>{"192.0.2.3"};
      },
      milliseconds(30000)));

  Scrape s("");
  EXPECT_TRUE(eventually(
      stack, "api",
      [](const Scrape& x) {
        return x.value("zonepipe_api_requests_total",
                       {{"method", "POST"}, {"route", "/api/v1/dns-zones/"}, {"status", "201"}}) ==
                   1 &&
               x.value("zonepipe_api_requests_total",
                       {{"method", "POST"},
                        {"route", "/api/v1/dns-zones/{uuid}/records/"},
                        {"status", "201"}}) == 3 &&
               x.value("zonepipe_api_requests_total",
                       {{"route", "/api/v1/dns-zones/{uuid}/records/"}, {"status", "400"}}) == 1 &&
               x.value("zonepipe_api_request_duration_seconds_count",
                       {{"route", "/api/v1/dns-zones/{uuid}/records/"}}) == 4;
      },
      &s))
      << s.text();
  EXPECT_TRUE(eventually(
      stack, "validator",
      [](const Scrape& x) {
        return x.value("zonepipe_validator_refusals_total", {{"command", "create_record"},
                                                             {"reason", "validation_error"},
                                                             {"field", "value"}}) == 1 &&
               x.value("zonepipe_validator_commands_total",
                       {{"command", "create_record"}, {"result", "forwarded"}}) == 3 &&
               x.value("zonepipe_validator_commands_total",
                       {{"command", "create_zone"}, {"result", "forwarded"}}) == 1;
      },
      &s))
      << s.text();
  double seq = 0;
  EXPECT_TRUE(eventually(
      stack, "store",
      [&](const Scrape& x) {
        seq = x.value("zonepipe_store_log_seq");
        return seq >= before.at("store").value("zonepipe_store_log_seq") + 4 &&
               x.value("zonepipe_store_commands_total",
                       {{"command", "create_record_valid"}, {"result", "ok"}}) == 3 &&
               x.value("zonepipe_store_commands_total",
                       {{"command", "create_zone_valid"}, {"result", "ok"}}) == 1 &&
               x.value("zonepipe_store_commit_duration_seconds_count") >= 1 &&
               x.value("zonepipe_store_batch_commands_sum") >= 4 &&
               x.value("zonepipe_store_lmdb_map_used_bytes") > 0 &&
               x.value("zonepipe_store_lmdb_map_size_bytes") >=
                   x.value("zonepipe_store_lmdb_map_used_bytes") &&
               x.value("zonepipe_store_writes_refused_for_space") == 0 &&
               x.value("zonepipe_store_queries_total", {{"query", "authenticate"}}) >= 1;
      },
      &s))
      << s.text();
  EXPECT_TRUE(eventually(
      stack, "renderer",
      [&](const Scrape& x) {
        return x.value("zonepipe_renderer_cursor_seq") >= seq &&
               x.value("zonepipe_renderer_events_behind") == 0 &&
               x.value("zonepipe_renderer_deploys_total", {{"kind", "new_zone"}}) +
                       x.value("zonepipe_renderer_deploys_total", {{"kind", "delta"}}) >=
                   2 &&
               x.value("zonepipe_renderer_acks_total", {{"result", "ok"}}) >= 2;
      },
      &s))
      << s.text();
  EXPECT_TRUE(eventually(
      stack, "push",
      [](const Scrape& x) {
        for (const char* ns : {"ns1.zonepipe.test", "ns2.zonepipe.test"}) {
          if (x.value("zonepipe_push_served_seconds_count", {{"nameserver", ns}}) < 1 ||
              x.value("zonepipe_push_nameserver_up", {{"nameserver", ns}}) != 1 ||
              x.value("zonepipe_push_zones_out_of_sync", {{"nameserver", ns}}) != 0) {
            return false;
          }
        }
        return x.value("zonepipe_push_zones") >= 1 &&
               x.value("zonepipe_push_deploys_total", {{"result", "ok"}}) >= 2 &&
               x.value("zonepipe_push_deploy_duration_seconds_count") >= 2;
      },
      &s))
      << s.text();

  // The secondary goes away: the next change is not served there, and the
  // pusher says so.
  stack.stopNamed("secondary");
  auto late =
      stack.http("POST", records, R"({"record_type": "A", "name": "late", "value": "192.0.2.9"})",
                 stack.token());
  ASSERT_EQ(late.status, 201) << late.body;
  EXPECT_TRUE(eventually(
      stack, "push",
      [](const Scrape& x) {
        return x.value("zonepipe_push_nameserver_up", {{"nameserver", "ns2.zonepipe.test"}}) == 0 &&
               x.value("zonepipe_push_zones_out_of_sync", {{"nameserver", "ns2.zonepipe.test"}}) ==
                   1 &&
               x.value("zonepipe_push_nameserver_up", {{"nameserver", "ns1.zonepipe.test"}}) == 1;
      },
      &s))
      << s.text();

  // promtool lints every exposition (names, units, types, help).
  if (!havePromtool()) {
    std::cerr << "metrics_test: promtool is not installed (Debian package `prometheus`); "
                 "skipping `promtool check metrics`\n";
    return;
  }
  for (const auto& program : kPrograms) {
    const Scrape x = scrape(stack, program);
    const std::string file = stack.dir() + "/" + program + ".metrics";
    std::ofstream(file) << x.text();
    auto lint = runCommand({"sh", "-c", "'" + promtoolPath() + "' check metrics < '" + file + "'"},
                           milliseconds(20000));
    EXPECT_EQ(lint.exitCode, 0) << program << ": promtool check metrics says:\n"
                                << lint.out << lint.err;
  }
}

}  // namespace
}  // namespace zp::e2e
