// The client under Redis Sentinel, against real redis-server and sentinel
// processes (tests/harness/sentinel_redis.h).
#include "common/redis/sentinel.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/net.h"
#include "tests/harness/sentinel_redis.h"
#include "tests/harness/wait.h"

namespace telederm::redis {
namespace {

using ::testing::HasSubstr;
using ::telederm::testing::SentinelRedis;
using ::telederm::testing::WaitUntil;

// A master and a replica for the suite; with three sentinels watching them
// for SentinelClientTest.
template <int kSentinels>
class ReplicatedRedisFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    telederm::testing::SentinelRedisOptions options;
    options.sentinels = kSentinels;
    absl::StatusOr<std::unique_ptr<SentinelRedis>> group = SentinelRedis::Start(options);
    ASSERT_TRUE(group.ok()) << group.status();
    group_ = group->release();
  }
  static void TearDownTestSuite() {
    delete group_;
    group_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(group_, nullptr); }

  static ClientOptions OptionsFor(const std::string& address) {
    ClientOptions options;
    options.endpoint = *Endpoint::Parse(address);
    options.reconnect_backoff_initial = absl::Milliseconds(10);
    options.reconnect_backoff_max = absl::Milliseconds(200);
    return options;
  }

  static inline SentinelRedis* group_ = nullptr;
};
using ReplicatedRedisTest = ReplicatedRedisFixture<0>;
using SentinelClientTest = ReplicatedRedisFixture<3>;

TEST_F(SentinelClientTest, WritesGoToTheMasterTheSentinelsName) {
  std::shared_ptr<Client> client = Client::Create(OptionsFor(group_->address()));
  ASSERT_TRUE(client->Command({"SET", "case:via-sentinel", "1"}).ok());
  absl::StatusOr<std::shared_ptr<Client>> direct = Client::Connect(OptionsFor(group_->master().host_port()));
  ASSERT_TRUE(direct.ok()) << direct.status();
  EXPECT_EQ((*direct)->Command({"GET", "case:via-sentinel"})->AsOptionalString(), "1");
}

TEST_F(ReplicatedRedisTest, AServerThatIsNoMasterIsRefusedBeforeAnythingIsSent) {
  Endpoint named;  // as a sentinel that has not yet seen a failover names it
  named.port = group_->server(1).port();
  absl::StatusOr<std::unique_ptr<internal::Connection>> connection =
      internal::OpenMaster(OptionsFor("sentinel://127.0.0.1:26379/telederm"), named);
  EXPECT_EQ(connection.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(connection.status().message(),
              HasSubstr(absl::StrCat("redis at 127.0.0.1:", named.port, " unavailable: the sentinels of "
                                     "sentinel://127.0.0.1:26379/telederm name it master but it is not (ROLE")));
}

TEST_F(ReplicatedRedisTest, AReadOnlyReplyIsUnavailableAndItsConnectionIsDropped) {
  ClientOptions options = OptionsFor(group_->server(1).host_port());
  options.pool_size = 1;
  std::shared_ptr<Client> client = Client::Create(options);
  absl::StatusOr<Reply> before = client->Command({"CLIENT", "ID"});
  ASSERT_TRUE(before.ok()) << before.status();
  absl::StatusOr<Reply> written = client->Command({"SET", "case:on-replica", "1"});
  EXPECT_EQ(written.status(), absl::UnavailableError("READONLY You can't write against a read only replica."));
  absl::StatusOr<Reply> after = client->Command({"CLIENT", "ID"});
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_NE(after->integer, before->integer);
}

TEST_F(SentinelClientTest, AnUnknownMasterNameIsUnavailableWithEverySentinelsAnswer) {
  const std::string address = absl::StrReplaceAll(group_->address(), {{"/telederm", "/no-such-master"}});
  absl::Status ping = Client::Create(OptionsFor(address))->Ping();
  EXPECT_EQ(ping.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(ping.message(), HasSubstr(absl::StrCat("redis at ", address, " unavailable: no sentinel names a master (")));
  EXPECT_THAT(ping.message(), HasSubstr("knows no master named no-such-master"));
}

TEST_F(ReplicatedRedisTest, WaitForReplicasReturnsOnceTheReplicaHoldsTheWrites) {
  ClientOptions options = OptionsFor(group_->master().host_port());
  options.wait_replicas = 1;
  std::shared_ptr<Client> client = Client::Create(options);
  ASSERT_TRUE(client->Command({"SET", "case:replicated", "1"}).ok());
  ASSERT_TRUE(client->WaitForReplicas().ok());
  absl::StatusOr<std::shared_ptr<Client>> replica =
      Client::Connect(OptionsFor(group_->server(1).host_port()));
  ASSERT_TRUE(replica.ok());
  EXPECT_EQ((*replica)->Command({"GET", "case:replicated"})->AsOptionalString(), "1");
}

TEST_F(ReplicatedRedisTest, WaitForMoreReplicasThanThereAreIsUnavailableAfterTheTimeout) {
  ClientOptions options = OptionsFor(group_->master().host_port());
  options.wait_replicas = 2;
  options.replica_wait_timeout = absl::Seconds(2);  // time enough for the one replica, on a busy machine too
  std::shared_ptr<Client> client = Client::Create(options);
  ASSERT_TRUE(client->Command({"SET", "case:half-replicated", "1"}).ok());
  EXPECT_EQ(client->WaitForReplicas(),
            absl::UnavailableError(absl::StrCat("redis at ", group_->master().host_port(),
                                                ": only 1 of the 2 replicas asked for hold the write after 2s")));
  // The connection's own timeout is back: it serves the next call.
  EXPECT_TRUE(client->Ping().ok());
}

TEST(WaitForReplicasTest, WithoutReplicasAskedForItReturnsAtOnceWithoutRedis) {
  ClientOptions options;
  options.endpoint.port = telederm::testing::FreeLoopbackPort();
  EXPECT_TRUE(Client::Create(options)->WaitForReplicas().ok());
}

// Runs last in the suite: it kills the master.
TEST_F(SentinelClientTest, ZFollowsThePromotedReplicaAfterTheMasterIsKilled) {
  std::shared_ptr<Client> client = Client::Create(OptionsFor(group_->address()));
  ASSERT_TRUE(client->Command({"SET", "case:before", "1"}).ok());
  // Replication is asynchronous: the replica holds the write before the kill.
  absl::StatusOr<Reply> replicated = client->Command({"WAIT", "1", "10000"});
  ASSERT_TRUE(replicated.ok()) << replicated.status();
  ASSERT_EQ(replicated->integer, 1);
  ASSERT_TRUE(group_->KillMaster().ok());
  // Returns once a server other than the killed one is promoted. On a loaded
  // machine the sentinels may fail over once more, back to the restarted
  // server: the client must follow whichever master they name.
  absl::StatusOr<absl::Duration> promoted = group_->AwaitFailover(absl::Seconds(30));
  ASSERT_TRUE(promoted.ok()) << promoted.status();
  absl::Status last;
  EXPECT_TRUE(WaitUntil([&] { return (last = client->Command({"SET", "case:after", "1"}).status()).ok(); },
                        absl::Seconds(10)))
      << last;
  absl::StatusOr<std::shared_ptr<Client>> direct = Client::Connect(OptionsFor(group_->master().host_port()));
  ASSERT_TRUE(direct.ok()) << direct.status();
  EXPECT_EQ((*direct)->Command({"GET", "case:after"})->AsOptionalString(), "1");
  EXPECT_EQ((*direct)->Command({"GET", "case:before"})->AsOptionalString(), "1");
}

}  // namespace
}  // namespace telederm::redis
