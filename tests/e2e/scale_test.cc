// Scaling out (issue 5): two API front ends, two validators and two renderers
// against one store, every ZeroMQ socket over tcp://. Clients write through
// both APIs at once (records in many zones); every answer must be right, both
// APIs must read the same state, and named must serve every zone's latest
// serial (each zone rendered by exactly one of the two renderers).

#include <gtest/gtest.h>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/harness.h"

namespace zp::e2e {
namespace {

using std::chrono::milliseconds;

constexpr size_t kZoneCount = 12;
constexpr size_t kClients = 4;
constexpr size_t kWritesPerClient = 30;  // creates; every third one is deleted again
constexpr milliseconds kConvergeDeadline{60000};
const std::string kZones = "/api/v1/dns-zones/";

rapidjson::Document parseJson(const HttpResponse& r) {
  rapidjson::Document d;
  d.Parse(r.body.c_str(), r.body.size());
  if (d.HasParseError()) {
    throw std::runtime_error("response (status " + std::to_string(r.status) + ") is not JSON: " +
                             rapidjson::GetParseError_En(d.GetParseError()) + ": " + r.body);
  }
  return d;
}

std::string str(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject() || !obj.HasMember(key) || !obj[key].IsString()) {
    return "<missing " + std::string(key) + ">";
  }
  return obj[key].GetString();
}

std::string fileText(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// What one zone should hold: "name value" of each live A record.
using RecordSet = std::set<std::string>;

// A zone as one API instance reads it.
struct ZoneView {
  int status = 0;
  int64_t serial = -1;
  RecordSet records;
};

ZoneView readZone(Stack& stack, size_t api, const std::string& uuid) {
  ZoneView v;
  auto r = stack.httpAt(api, "GET", kZones + uuid + "/", "", stack.token());
  v.status = r.status;
  if (r.status != 200) return v;
  auto d = parseJson(r);
  if (d.HasMember("serial") && d["serial"].IsInt64()) v.serial = d["serial"].GetInt64();
  if (d.HasMember("records") && d["records"].IsArray()) {
    for (const auto& rec : d["records"].GetArray()) {
      if (str(rec, "record_type") == "A")
        v.records.insert(str(rec, "name") + " " + str(rec, "value"));
    }
  }
  return v;
}

// The serial in an SOA answer (`mname rname serial refresh ...`), or -1.
int64_t soaSerial(const DigResult& d) {
  if (d.status != "NOERROR" || d.answers.size() != 1) return -1;
  std::istringstream in(d.answers[0]);
  std::string mname, rname;
  int64_t serial = -1;
  in >> mname >> rname >> serial;
  return serial;
}

TEST(Scale, TwoApisTwoValidatorsTwoRenderersOverTcpConverge) {
  StackOptions options;
  options.apis = 2;
  options.validators = 2;
  options.renderers = 2;
  options.tcp = true;
  Stack stack(options);
  ASSERT_EQ(stack.apiCount(), 2u);
  ASSERT_NE(stack.apiPort(0), stack.apiPort(1));
  {
    // Every ZeroMQ endpoint is tcp:// (the harness wrote them all).
    const std::string conf = fileText(stack.configPath());
    EXPECT_EQ(conf.find("ipc://"), std::string::npos) << conf;
    EXPECT_NE(conf.find("renderer.instances = 2"), std::string::npos) << conf;
  }

  // Zones, created alternately through each API.
  std::vector<std::string> domains, uuids;
  for (size_t z = 0; z < kZoneCount; ++z) {
    const std::string domain = "scale" + std::to_string(z) + ".test";
    auto r =
        stack.httpAt(z % 2, "POST", kZones, R"({"domain": ")" + domain + R"("})", stack.token());
    ASSERT_EQ(r.status, 201) << "zone " << domain << " via API " << z % 2 << ": " << r.body;
    domains.push_back(domain);
    uuids.push_back(str(parseJson(r), "uuid"));
  }

  // Clients write at once, each through both APIs, into many zones; every third
  // record is deleted again through the other API.
  std::vector<RecordSet> expected(kZoneCount);
  std::mutex mu;
  std::vector<std::string> failures;
  std::atomic<size_t> created{0}, deleted{0};
  auto client = [&](size_t c) {
    for (size_t j = 0; j < kWritesPerClient; ++j) {
      const size_t zone = (c * 5 + j) % kZoneCount;
      const size_t api = (c + j) % 2;
      const std::string name = "h" + std::to_string(c) + "-" + std::to_string(j);
      const std::string value = "10." + std::to_string(c) + "." + std::to_string(j) + ".1";
      HttpResponse r;
      try {
        r = stack.httpAt(
            api, "POST", kZones + uuids[zone] + "/records/",
            R"({"record_type": "A", "name": ")" + name + R"(", "value": ")" + value + R"("})",
            stack.token());
      } catch (const std::exception& e) {
        std::lock_guard lock(mu);
        failures.push_back(name + ": " + e.what());
        continue;
      }
      if (r.status != 201) {
        std::lock_guard lock(mu);
        failures.push_back(name + " via API " + std::to_string(api) + ": " +
                           std::to_string(r.status) + " " + r.body);
        continue;
      }
      ++created;
      const std::string uuid = str(parseJson(r), "uuid");
      if (j % 3 == 2) {
        auto del =
            stack.httpAt(1 - api, "DELETE", "/api/v1/dns-records/" + uuid + "/", "", stack.token());
        std::lock_guard lock(mu);
        if (del.status != 204) {
          failures.push_back("delete " + name + " via API " + std::to_string(1 - api) + ": " +
                             std::to_string(del.status) + " " + del.body);
          expected[zone].insert(name + " " + value);  // still there
        } else {
          ++deleted;
        }
        continue;
      }
      std::lock_guard lock(mu);
      expected[zone].insert(name + " " + value);
    }
  };
  std::vector<std::thread> clients;
  for (size_t c = 0; c < kClients; ++c) clients.emplace_back(client, c);
  for (auto& t : clients) t.join();
  for (const auto& f : failures) ADD_FAILURE() << f;
  EXPECT_EQ(created.load(), kClients * kWritesPerClient);
  EXPECT_EQ(deleted.load(), kClients * (kWritesPerClient / 3));

  // Both APIs read the same, complete state.
  std::vector<int64_t> serials(kZoneCount, -1);
  for (size_t z = 0; z < kZoneCount; ++z) {
    const ZoneView a = readZone(stack, 0, uuids[z]);
    const ZoneView b = readZone(stack, 1, uuids[z]);
    ASSERT_EQ(a.status, 200) << domains[z];
    ASSERT_EQ(b.status, 200) << domains[z];
    EXPECT_EQ(a.records, expected[z]) << domains[z] << " through API 0";
    EXPECT_EQ(b.records, expected[z]) << domains[z] << " through API 1";
    EXPECT_EQ(a.serial, b.serial) << domains[z];
    EXPECT_GT(a.serial, 0) << domains[z];
    serials[z] = a.serial;
  }

  // named serves every zone's latest serial, on the primary and the secondary.
  for (size_t z = 0; z < kZoneCount; ++z) {
    for (const std::string& server : {stack.primaryServer(), stack.secondaryServer()}) {
      int64_t served = -1;
      const bool converged = Stack::waitFor(
          [&] {
            served = soaSerial(stack.digAt(server, domains[z], "SOA"));
            return served == serials[z];
          },
          kConvergeDeadline);
      EXPECT_TRUE(converged) << domains[z] << " at " << server << " serves serial " << served
                             << ", the API says " << serials[z];
    }
    // And the data: one live record of the zone, and one deleted one is gone.
    if (!expected[z].empty()) {
      const std::string first = *expected[z].begin();
      const std::string name = first.substr(0, first.find(' '));
      const std::string value = first.substr(first.find(' ') + 1);
      EXPECT_EQ(stack.dig(name + "." + domains[z], "A"), std::vector<std::string>{value})
          << domains[z];
    }
  }

  // Both renderers rendered their share, each with its own cursor.
  const std::string stateDir = stack.dir() + "/renderer";
  for (const char* cursor : {"cursor-0-of-2", "cursor-1-of-2"}) {
    EXPECT_TRUE(Stack::waitFor([&] { return std::filesystem::exists(stateDir + "/" + cursor); },
                               milliseconds(10000)))
        << cursor << " missing in " << stateDir;
  }
  std::map<std::string, size_t> deploysPerRenderer;
  for (const char* log : {"renderer.log", "renderer-1.log"}) {
    const std::string text = fileText(stack.dir() + "/" + log);
    size_t n = 0;
    for (size_t pos = 0; (pos = text.find("deployed scale", pos)) != std::string::npos; ++pos) ++n;
    deploysPerRenderer[log] = n;
    EXPECT_GT(n, 0u) << log << " deployed nothing: the zones were not shared";
  }
  // A zone is deployed by one renderer only.
  for (const auto& domain : domains) {
    int renderersOfZone = 0;
    for (const char* log : {"renderer.log", "renderer-1.log"}) {
      if (fileText(stack.dir() + "/" + log).find("deployed " + domain + " ") != std::string::npos) {
        ++renderersOfZone;
      }
    }
    EXPECT_EQ(renderersOfZone, 1) << domain;
  }
  std::cout << "[ scale    ] deploys: renderer 0: " << deploysPerRenderer["renderer.log"]
            << ", renderer 1: " << deploysPerRenderer["renderer-1.log"] << "\n";
}

}  // namespace
}  // namespace zp::e2e
