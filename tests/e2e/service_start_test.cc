// How every telederm service binary starts and stops (RunService,
// common/server/run_service.h), checked on each real binary: a wrong setting
// stops it with exit status 2 and a message naming the setting, before it
// binds anything; a running service reports SERVING, and on SIGTERM drains
// and exits 0.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/metrics/http_get.h"
#include "tests/e2e/credentials.h"
#include "tests/harness/child_process.h"
#include "tests/harness/net.h"
#include "tests/harness/redis_server.h"
#include "tests/harness/temp_dir.h"
#include "tests/harness/wait.h"

namespace telederm::testing {
namespace {

struct Binary {
  std::string name;
  std::string path;
  std::vector<std::string> flags;  // its own, to start quickly
};
void PrintTo(const Binary& binary, std::ostream* out) { *out << "telederm-" << binary.name; }

class ServiceStartTest : public ::testing::TestWithParam<Binary> {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> dir = MakeTempDir("telederm-service-start");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
    std::ofstream(dir_ + "/token-keys") << kTestTokenKeys;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Starts the binary on free ports with `redis` and `extra` flags.
  std::unique_ptr<ChildProcess> Spawn(const std::string& redis, const std::vector<std::string>& extra) {
    grpc_port_ = FreeLoopbackPort();
    metrics_port_ = FreeLoopbackPort();
    log_ = absl::StrCat(dir_, "/", GetParam().name, ".log");
    std::vector<std::string> argv = {GetParam().path, absl::StrCat("--listen=127.0.0.1:", grpc_port_),
                                     absl::StrCat("--metrics_listen=127.0.0.1:", metrics_port_),
                                     absl::StrCat("--data_dir=", dir_), absl::StrCat("--redis=", redis),
                                     absl::StrCat("--token_keys=", dir_, "/token-keys")};
    argv.insert(argv.end(), GetParam().flags.begin(), GetParam().flags.end());
    argv.insert(argv.end(), extra.begin(), extra.end());
    absl::StatusOr<std::unique_ptr<ChildProcess>> child = ChildProcess::Spawn(argv, {}, log_);
    EXPECT_TRUE(child.ok()) << child.status();
    return child.ok() ? *std::move(child) : nullptr;
  }

  // Runs the binary until it exits by itself; its exit status.
  int RunToExit(const std::string& redis, const std::vector<std::string>& extra) {
    std::unique_ptr<ChildProcess> child = Spawn(redis, extra);
    if (child == nullptr) return -1;
    absl::StatusOr<int> code = child->Wait(absl::Seconds(60));
    EXPECT_TRUE(code.ok()) << code.status();
    return code.ok() ? *code : -1;
  }

  std::string Log() const {
    std::ifstream in(log_);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::string dir_;
  std::string log_;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
};

TEST_P(ServiceStartTest, AWrongRedisAddressStopsItWithStatus2NamingTheFlag) {
  EXPECT_EQ(RunToExit("127.0.0.1:no-port", {"--plaintext_for_development"}), 2) << Log();
  EXPECT_TRUE(absl::StrContains(Log(), "--redis: ")) << Log();
  EXPECT_FALSE(absl::StrContains(Log(), "listening on")) << Log();
}

TEST_P(ServiceStartTest, NoTlsSettingsStopItWithStatus2) {
  // Neither certificates nor --plaintext_for_development: patient data must not cross the wire in clear.
  EXPECT_EQ(RunToExit("127.0.0.1:1", {}), 2) << Log();
  EXPECT_TRUE(absl::StrContains(Log(), "--tls_cert")) << Log();
  EXPECT_FALSE(absl::StrContains(Log(), "listening on")) << Log();
}

TEST_P(ServiceStartTest, AWrongLimitOfItsOwnStopsItWithStatus2NamingTheFlagBeforeItBinds) {
  // Every service has --max_queued_calls; 0 would refuse every call.
  EXPECT_EQ(RunToExit("127.0.0.1:1", {"--plaintext_for_development", "--max_queued_calls=0"}), 2) << Log();
  EXPECT_TRUE(absl::StrContains(Log(), "--max_queued_calls")) << Log();
  EXPECT_FALSE(absl::StrContains(Log(), "listening on")) << Log();
}

TEST_P(ServiceStartTest, ItServesUntilSigtermThenDrainsAndExitsZero) {
  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  std::unique_ptr<ChildProcess> child =
      Spawn((*redis)->host_port(), {"--plaintext_for_development", "--shutdown_deadline=20s"});
  ASSERT_NE(child, nullptr);
  ASSERT_TRUE(WaitUntil(
      [&] {
        absl::StatusOr<std::string> health = metrics::HttpGet("127.0.0.1", metrics_port_, "/healthz");
        return health.ok() && absl::StrContains(*health, "SERVING");
      },
      absl::Seconds(60)))
      << Log();
  EXPECT_TRUE(absl::StrContains(Log(), absl::StrCat("telederm-", GetParam().name, " listening on 127.0.0.1:",
                                                    grpc_port_, " (redis ", (*redis)->host_port())))
      << Log();

  ASSERT_TRUE(child->Signal(SIGTERM).ok());
  absl::StatusOr<int> code = child->Wait(absl::Seconds(30));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 0) << Log();
  EXPECT_TRUE(absl::StrContains(Log(), "shutting down within 20s")) << Log();
}

INSTANTIATE_TEST_SUITE_P(EveryServiceBinary, ServiceStartTest,
                         ::testing::Values(Binary{"intake", TELEDERM_INTAKE_BIN, {}},
                                           Binary{"triage", TELEDERM_TRIAGE_BIN, {"--model=none"}},
                                           Binary{"referral", TELEDERM_REFERRAL_BIN, {}}),
                         [](const ::testing::TestParamInfo<Binary>& info) { return info.param.name; });

}  // namespace
}  // namespace telederm::testing
