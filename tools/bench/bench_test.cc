// The bench's own correctness: percentiles on known data, the parsers, and a
// tiny run against the real Stack that must finish and print a JSON line.
// Nothing here asserts on speed.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <sstream>

#include "gtest/gtest.h"
#include "tools/bench/redis_probe.h"
#include "tools/bench/report.h"
#include "tools/bench/stats.h"

namespace telederm::bench {
namespace {

TEST(PercentileTest, NearestRankOnOneToHundred) {
  std::vector<double> v(100);
  std::iota(v.begin(), v.end(), 1.0);
  EXPECT_EQ(Percentile(v, 0.50), 50);
  EXPECT_EQ(Percentile(v, 0.90), 90);
  EXPECT_EQ(Percentile(v, 0.99), 99);
  EXPECT_EQ(Percentile(v, 0.999), 100);
  EXPECT_EQ(Percentile(v, 1.0), 100);
  EXPECT_EQ(Percentile(v, 0.0), 1);
}

TEST(PercentileTest, ThousandSamplesP999IsTheSecondLargest) {
  std::vector<double> v(1000);
  std::iota(v.begin(), v.end(), 1.0);
  EXPECT_EQ(Percentile(v, 0.999), 999);
  EXPECT_EQ(Percentile(v, 0.99), 990);
}

TEST(PercentileTest, EmptyAndSingle) {
  EXPECT_EQ(Percentile({}, 0.5), 0);
  EXPECT_EQ(Percentile({7}, 0.999), 7);
}

TEST(SummarizeTest, SortsAndComputesThroughput) {
  LatencySummary s = Summarize({300, 100, 200, 400}, 1, absl::Seconds(2));
  EXPECT_EQ(s.count, 4);
  EXPECT_EQ(s.errors, 1);
  EXPECT_DOUBLE_EQ(s.per_second, 2);
  EXPECT_EQ(s.p50_us, 200);
  EXPECT_EQ(s.p99_us, 400);
  EXPECT_EQ(s.max_us, 400);
}

TEST(CommandStatsTest, ParsesCallsPerCommand) {
  const std::string info =
      "# Commandstats\r\ncmdstat_set:calls=12,usec=7,usec_per_call=0.58,rejected_calls=0,failed_calls=0\r\n"
      "cmdstat_evalsha:calls=3,usec=145,usec_per_call=48.33,rejected_calls=0,failed_calls=0\r\n";
  std::map<std::string, int64_t> calls = ParseCommandStats(info);
  EXPECT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls["set"], 12);
  EXPECT_EQ(calls["evalsha"], 3);
  EXPECT_EQ(Difference({{"set", 10}, {"get", 1}}, calls), (std::map<std::string, int64_t>{{"evalsha", 3}, {"set", 2}}));
}

// The queue ceiling's redis-benchmark goes the way the services go.
TEST(ConnectionArgumentsTest, RedisBenchmarkUsesTheServicesTransport) {
  EXPECT_EQ(ConnectionArguments(*redis::Endpoint::Parse("unix:/tmp/r/redis.sock")), "-s /tmp/r/redis.sock");
  EXPECT_EQ(ConnectionArguments(*redis::Endpoint::Parse("127.0.0.1:6390")), "-h 127.0.0.1 -p 6390");
}

TEST(InfoFieldsTest, ParsesNameValueLinesAndSkipsSectionHeaders) {
  std::map<std::string, std::string> fields = ParseInfoFields(
      "# Persistence\r\naof_rewrite_in_progress:1\r\naof_last_bgrewrite_status:ok\r\n\r\n# Stats\r\n"
      "total_forks:7\r\n");
  EXPECT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields["aof_rewrite_in_progress"], "1");
  EXPECT_EQ(fields["aof_last_bgrewrite_status"], "ok");
  EXPECT_EQ(fields["total_forks"], "7");
}

TEST(ReportTest, JsonIsOneLineWithRatiosAndTargets) {
  Report report;
  report.machine = "2 cores \"test\"";
  Row row;
  row.scenario = "SubmitCase, c=4";
  row.throughput = 50;
  row.ceiling = 100;
  row.ceiling_name = "bare";
  report.rows.push_back(row);
  report.targets.push_back({"ratio", 0.5, ">=", 0.5, "ratio"});
  const std::string json = FormatJson(report);
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_NE(json.find("\"ratio\":0.5"), std::string::npos);
  EXPECT_NE(json.find("\"machine\":\"2 cores \\\"test\\\"\""), std::string::npos);
  EXPECT_NE(json.find("\"met\":true"), std::string::npos);
}

// Brackets and quotes balance: the line is well-formed enough for a JSON parser.
bool Balanced(const std::string& json) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') --depth;
    if (depth < 0) return false;
  }
  return depth == 0 && !in_string;
}

// The number after `"field":` in the JSON row whose scenario starts with
// `prefix` (-1 if there is none).
double RowField(const std::string& json, const std::string& prefix, const std::string& field) {
  const size_t row = json.find("{\"scenario\":\"" + prefix);
  if (row == std::string::npos) return -1;
  const size_t at = json.find("\"" + field + "\":", row);
  if (at == std::string::npos || at > json.find('}', row)) return -1;
  return std::strtod(json.c_str() + at + field.size() + 3, nullptr);
}

TEST(BenchSmokeTest, TinyRunAgainstTheRealStackPrintsJson) {
  const std::string out = ::testing::TempDir() + "/bench-smoke.json";
  const std::string command = std::string(TELEDERM_BENCH_BIN) + " --smoke --json_out=" + out + " > " +
                              ::testing::TempDir() + "/bench-smoke.txt 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << "see " << ::testing::TempDir() << "/bench-smoke.txt";
  std::ifstream in(out);
  std::string json;
  std::getline(in, json);
  ASSERT_EQ(json.rfind("{\"telederm_bench\":1,", 0), 0u) << json;
  EXPECT_TRUE(Balanced(json)) << json;
  for (const char* scenario : {"\"SubmitCase, c=4\"", "\"SubmitCase bare echo, c=4\"", "UploadImage ",
                               "upload bare stream ", "\"pipeline submit->queued, c=4\"", "\"ClaimNext @1e2 queued, c=2\"",
                               "\"ListQueue(50) @300 queued, c=2\"", "Redis round trips per case",
                               "queue ceiling", "Redis memory per queued case, filled directly"}) {
    EXPECT_NE(json.find(scenario), std::string::npos) << scenario << " missing from " << json;
  }
  EXPECT_EQ(json.find("\"count\":0,"), std::string::npos) << "a scenario completed no call: " << json;
  // The upload ceiling is a real stream plus decode, per format: slower than
  // the plain stream, and UploadImage is measured against it.
  for (const std::string format : {"JPEG ", "PNG "}) {
    const std::string ceiling = "upload bare stream+decode " + format;
    EXPECT_GT(RowField(json, ceiling, "throughput"), 0) << ceiling << " in " << json;
    EXPECT_GT(RowField(json, ceiling, "ratio"), 0) << ceiling << " in " << json;
    EXPECT_LT(RowField(json, ceiling, "ratio"), 1) << ceiling << " not below the plain stream in " << json;
    EXPECT_NE(json.find("{\"scenario\":\"UploadImage " + format), std::string::npos) << format;
    EXPECT_NE(json.find("\"name\":\"UploadImage / bare stream+decode, " + format + "only\""), std::string::npos)
        << format;
  }
  EXPECT_NE(json.find("\"ceiling\":\"bare stream+decode\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"name\":\"UploadImage MiB/s / bare stream+decode MiB/s\""), std::string::npos) << json;
}

}  // namespace
}  // namespace telederm::bench
