// The chaos test's DurabilityProbe must see a loss when Redis forgets, and
// none when it keeps everything: checked against a real redis-server
// without AOF (forgets all on kill -9) and with appendfsync always.
#include "tests/e2e/durability_probe.h"

#include <gtest/gtest.h>

#include "tests/e2e/api.h"
#include "tests/harness/redis_server.h"

namespace telederm::testing {
namespace {

struct Measured {
  DurabilityProbe::Kill kill;
  absl::Time last_acknowledged;
};

// Lets the probe count to at least 5, kills Redis -9, restarts it and returns
// what the probe measured.
Measured KillAndMeasure(RedisServerOptions options) {
  auto server = RedisServer::Start(options);
  EXPECT_TRUE(server.ok()) << server.status();
  if (!server.ok()) return {};
  redis::ClientOptions client_options;
  client_options.endpoint.port = (*server)->port();
  auto reader = redis::Client::Create(client_options);
  DurabilityProbe probe(redis::Client::Create(client_options), absl::Milliseconds(5));
  EXPECT_TRUE(WaitUntil(
      [&] {
        auto counter = reader->Command({"GET", "chaos:probe:0"});
        return counter.ok() && counter->AsOptionalInteger().value_or(0) >= 5;
      },
      absl::Seconds(30)));
  const absl::Time last_acknowledged = absl::Now();
  probe.BeforeKill();
  EXPECT_TRUE((*server)->Kill().ok());
  const absl::Time killed = absl::Now();
  EXPECT_TRUE((*server)->Restart().ok());
  EXPECT_TRUE(probe.AfterRestart(killed).ok());
  probe.Stop();
  EXPECT_EQ(probe.kills().size(), 1u);
  return probe.kills().empty() ? Measured{} : Measured{probe.kills().front(), last_acknowledged};
}

TEST(DurabilityProbeTest, RedisWithoutAppendOnlyForgetsEverythingAndTheProbeSeesItAll) {
  RedisServerOptions options;
  options.append_only = false;
  Measured measured = KillAndMeasure(options);
  EXPECT_GE(measured.kill.acknowledged, 5);
  EXPECT_EQ(measured.kill.survived, 0);
  EXPECT_EQ(measured.kill.lost(), measured.kill.acknowledged);
  // Everything since the first increment may be lost: the window covers it.
  EXPECT_LT(measured.kill.window_start, measured.last_acknowledged);
}

TEST(DurabilityProbeTest, RedisWithAppendfsyncAlwaysForgetsNothingAcknowledged) {
  RedisServerOptions options;
  options.appendfsync = "always";
  Measured measured = KillAndMeasure(options);
  EXPECT_GE(measured.kill.acknowledged, 5);
  EXPECT_EQ(measured.kill.lost(), 0);
  // An increment in flight at the kill may have been kept without its reply.
  EXPECT_GE(measured.kill.survived, measured.kill.acknowledged);
}

}  // namespace
}  // namespace telederm::testing
