#include "common/metrics/metrics.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <string>

#include "common/metrics/capnp_labels.h"
#include "common/metrics/process_collector.h"
#include "schema/pipeline.capnp.h"

namespace zp::metrics {
namespace {

TEST(ListenAddressTest, AcceptsAddressAndPortOrNothingAndRefusesTheRest) {
  const struct {
    std::string configured;
    size_t instance;
    bool ok;
    std::string want;
  } cases[] = {
      {"", 0, true, ""},
      {"0", 0, true, ""},
      {"0", 3, true, ""},
      {"127.0.0.1:9460", 0, true, "127.0.0.1:9460"},
      {"127.0.0.1:9460", 2, true, "127.0.0.1:9462"},
      {"0.0.0.0:65535", 0, true, "0.0.0.0:65535"},
      {"127.0.0.1:0", 4, true, "127.0.0.1:0"},
      {"[::1]:9460", 1, true, "[::1]:9461"},
      {"9460", 0, false, ""},
      {":9460", 0, false, ""},
      {"127.0.0.1:", 0, false, ""},
      {"127.0.0.1:65536", 0, false, ""},
      {"127.0.0.1:65535", 1, false, ""},
      {"127.0.0.1:94x0", 0, false, ""},
      {"127.0.0.1:-1", 0, false, ""},
  };
  for (const auto& c : cases) {
    auto got = listenAddress("metrics.store", c.configured, c.instance);
    EXPECT_EQ(got.ok(), c.ok) << c.configured;
    if (got.ok()) {
      EXPECT_EQ(*got, c.want) << c.configured;
    } else {
      EXPECT_EQ(got.error().field, "metrics.store");
      EXPECT_NE(got.error().detail.find("ADDRESS:PORT"), std::string::npos);
    }
  }
}

TEST(CapnpLabelsTest, NamesComeFromTheSchemaInSnakeCase) {
  EXPECT_EQ(snakeCase("createRecordValid"), "create_record_valid");
  EXPECT_EQ(snakeCase("ok"), "ok");
  EXPECT_EQ(enumerant(schema::ErrorKind::NOT_FOUND), "not_found");
  EXPECT_EQ(enumerant(schema::ErrorKind::INSUFFICIENT_STORAGE), "insufficient_storage");
  EXPECT_EQ(enumerant(static_cast<schema::ErrorKind>(999)), "unknown");
  capnp::MallocMessageBuilder message;
  auto command = message.initRoot<schema::Command>();
  command.getBody().setDeleteZone("x");
  EXPECT_EQ(unionMember(command.asReader().getBody()), "delete_zone");
  command.getBody().initCreateRecordValid();
  EXPECT_EQ(unionMember(command.asReader().getBody()), "create_record_valid");
}

TEST(ProcessCollectorTest, ReportsTheStandardProcessMetrics) {
  const auto families = ProcessCollector().Collect();
  std::map<std::string, double> values;
  for (const auto& f : families) {
    ASSERT_EQ(f.metric.size(), 1u) << f.name;
    values[f.name] = f.type == prometheus::MetricType::Counter ? f.metric[0].counter.value
                                                               : f.metric[0].gauge.value;
  }
  EXPECT_GE(values.at("process_cpu_seconds_total"), 0);
  EXPECT_GT(values.at("process_resident_memory_bytes"), 1 << 20);
  EXPECT_GT(values.at("process_virtual_memory_bytes"), values.at("process_resident_memory_bytes"));
  EXPECT_GT(values.at("process_open_fds"), 2);
  EXPECT_GE(values.at("process_max_fds"), values.at("process_open_fds"));
  EXPECT_GE(values.at("process_threads"), 1);
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(values.at("process_start_time_seconds"), now + 1);
  EXPECT_GT(values.at("process_start_time_seconds"), now - 3600);
}

TEST(MetricsTest, ServesNothingUntilAskedAndSaysWhenThePortIsTaken) {
  Metrics first("store");
  EXPECT_EQ(first.serve(""), std::nullopt);
  EXPECT_EQ(first.url(), "");
  ASSERT_EQ(first.serve("127.0.0.1:0"), std::nullopt);
  ASSERT_NE(first.url(), "");
  const std::string port = first.url().substr(first.url().rfind(':') + 1);
  Metrics second("push");
  auto taken = second.serve("127.0.0.1:" + port.substr(0, port.find('/')));
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->kind, ErrorKind::kUnavailable);
  EXPECT_NE(taken->detail.find("metrics.push"), std::string::npos) << taken->detail;
}

}  // namespace
}  // namespace zp::metrics
