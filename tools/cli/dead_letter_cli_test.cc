// The operators' dead-letter commands end to end (issue 5, item 3): the
// `telederm` CLI against the real DeadLetterService over gRPC, over a real
// redis-server holding an entry the pipeline gave up on.
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/caller/caller.h"
#include "common/redis/client.h"
#include "common/redis/stream.h"
#include "common/server/grpc_server.h"
#include "common/stream_worker/dead_letter_service.h"
#include "common/stream_worker/dead_letters.h"
#include "telederm/v1/delivery.grpc.pb.h"
#include "tests/harness/redis_test.h"
#include "tools/cli/cli.h"

namespace telederm::cli {
namespace {

using ::testing::HasSubstr;

constexpr char kStream[] = "stream:intake";
constexpr char kCaseId[] = "c-01JAAAAAAAAAAAAAAAAAAAAAAA";

class DeadLetterCliTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    service_ = std::make_unique<DeadLetterServiceImpl>(redis_, std::vector<std::string>{kStream, "stream:triaged"});
    auto server = GrpcServer::Start("127.0.0.1:0", {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    address_ = absl::StrCat("127.0.0.1:", server_->port());
  }

  void TearDown() override {
    if (server_) server_->Shutdown(absl::Seconds(1));
  }

  // An entry of stream:intake that triage failed on five times, buried the
  // way StreamWorker buries it. Returns the dead letter's id.
  std::string BuryAFailingEntry(redis::StreamConsumer& consumer) {
    EXPECT_TRUE(consumer.EnsureGroup().ok());
    EXPECT_TRUE(redis::StreamAppend(*redis_, kStream, {{"case_id", kCaseId}}).ok());
    auto entries = consumer.ReadNew(10, absl::ZeroDuration());
    EXPECT_TRUE(entries.ok() && entries->size() == 1);
    if (!entries.ok() || entries->size() != 1) return "";
    auto id = DeadLetterBox(redis_).Bury(consumer, entries->front(), "INTERNAL: blob store unreadable", 5, absl::Now());
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : "";
  }

  int Run(std::vector<std::string> args) {
    std::vector<std::string> full = {"--triage", address_, "--deadline", "10s"};
    full.insert(full.end(), args.begin(), args.end());
    out_.str("");
    err_.str("");
    return RunCli(full, [](const char*) { return std::nullopt; }, out_, err_);
  }

  std::unique_ptr<DeadLetterServiceImpl> service_;
  std::unique_ptr<GrpcServer> server_;
  std::string address_;
  std::ostringstream out_, err_;
};

TEST_F(DeadLetterCliTest, OperatorListsInspectsAndReplaysADeadLetterWhichIsDeliveredAgain) {
  redis::StreamConsumer consumer(redis_, kStream, "triage", "triage-test-1");
  const std::string id = BuryAFailingEntry(consumer);
  ASSERT_FALSE(id.empty());

  ASSERT_EQ(Run({"dead-letters", "--admin", "ops-1"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr(absl::StrCat("dead-letter ", id, " stream=stream:intake case=", kCaseId,
                                                 " deliveries=5")));
  EXPECT_THAT(out_.str(), HasSubstr("error=INTERNAL: blob store unreadable"));
  EXPECT_THAT(out_.str(), HasSubstr("1 dead letters"));

  ASSERT_EQ(Run({"dead-letter", id, "--stream", kStream, "--admin", "ops-1"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("group=triage consumer=triage-test-1"));
  EXPECT_THAT(out_.str(), HasSubstr(absl::StrCat("field case_id=", kCaseId)));

  ASSERT_EQ(Run({"replay", id, "--stream", kStream, "--admin", "ops-1"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr(absl::StrCat("replayed ", id, " as stream:intake entry ")));
  // The box is empty, and the entry reaches the consumer group again, marked as a replay.
  EXPECT_EQ(*DeadLetterBox(redis_).Count(kStream), 0);
  auto again = consumer.ReadNew(10, absl::ZeroDuration());
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ(again->front().Field("case_id"), kCaseId);
  EXPECT_EQ(again->front().Field("replay_of"), id);

  // Replayed once: a second replay finds nothing.
  EXPECT_NE(Run({"replay", id, "--stream", kStream, "--admin", "ops-1"}), kExitOk);
  EXPECT_THAT(err_.str(), HasSubstr("NOT_FOUND"));
}

TEST_F(DeadLetterCliTest, OnlyAnAdministratorMayListDeadLetters) {
  redis::StreamConsumer consumer(redis_, kStream, "triage", "triage-test-1");
  ASSERT_FALSE(BuryAFailingEntry(consumer).empty());
  auto stub = v1::DeadLetterService::NewStub(grpc::CreateChannel(address_, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.AddMetadata(kClinicIdHeader, "clinic-a");
  v1::ListDeadLettersResponse response;
  grpc::Status status = stub->ListDeadLetters(&context, v1::ListDeadLettersRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_EQ(response.dead_letters_size(), 0);
  EXPECT_NE(Run({"dead-letters"}), kExitOk);  // no --admin: a usage error before any call
  EXPECT_THAT(err_.str(), HasSubstr("--admin"));
}

}  // namespace
}  // namespace telederm::cli
