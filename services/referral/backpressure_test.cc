// Backpressure through the real gRPC server and a real redis-server: the
// referral service takes a bounded number of calls and of queue watches at
// once, and refuses the rest at once with RESOURCE_EXHAUSTED and a retry hint
// instead of queueing them without bound (issue 5, item 6).
#include <memory>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/caller/caller.h"
#include "common/clock/clock.h"
#include "common/server/call_queue.h"
#include "common/server/grpc_server.h"
#include "services/referral/referral_service.h"
#include "tests/harness/trailers.h"
#include "tests/harness/wait.h"
#include "tests/harness/redis_server.h"

namespace telederm::referral {
namespace {

class ReferralBackpressureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto redis_server = testing::RedisServer::Start();
    ASSERT_TRUE(redis_server.ok()) << redis_server.status();
    redis_server_ = *std::move(redis_server);
    redis::ClientOptions options;
    options.endpoint.port = redis_server_->port();
    options.command_timeout = absl::Minutes(2);  // a frozen Redis holds a call until it is thawed
    auto redis = redis::Client::Connect(options);
    ASSERT_TRUE(redis.ok()) << redis.status();
    auto codes = Icd10Table::Load(DefaultIcd10TablePath());
    ASSERT_TRUE(codes.ok()) << codes.status();
    service_ = std::make_unique<ReferralServiceImpl>(MakeReferralParts(*redis, RealClock(), ReferralOptions(), *codes),
                                                     limits_);
    auto server = GrpcServer::Start("127.0.0.1:0", {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    stub_ = v1::ReferralService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    if (redis_server_) {
      EXPECT_TRUE(redis_server_->Thaw().ok());
    }
    if (server_) server_->Shutdown(absl::Seconds(1));
  }

  static void AsSpecialist(grpc::ClientContext& context, const std::string& id) {
    context.AddMetadata(kSpecialistIdHeader, id);
    context.AddMetadata(kPoolsHeader, "general");
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  }

  grpc::Status ListQueue(grpc::ClientContext& context, const std::string& specialist) {
    AsSpecialist(context, specialist);
    v1::ListQueueResponse response;
    return stub_->ListQueue(&context, v1::ListQueueRequest(), &response);
  }

  // One of everything: the first call or watch in hand takes the only slot.
  ServingLimits limits_{.threads = 1, .max_queued_calls = 1, .watch_threads = 1, .max_watches = 1};
  std::unique_ptr<testing::RedisServer> redis_server_;
  std::unique_ptr<ReferralServiceImpl> service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::ReferralService::Stub> stub_;
};

TEST_F(ReferralBackpressureTest, CallBeyondTheBoundIsRefusedAtOnceWithARetryHintAndTakenOnceTheQueueDrains) {
  // Redis hangs: the first call is held in the service's only slot.
  ASSERT_TRUE(redis_server_->Freeze().ok());
  grpc::Status held;
  std::thread first([&] {
    grpc::ClientContext context;
    held = ListQueue(context, "derm-1");
  });
  ASSERT_TRUE(testing::WaitUntil([&] { return service_->calls_in_hand() == 1; }, absl::Seconds(30)));

  grpc::ClientContext context;
  grpc::Status refused = ListQueue(context, "derm-2");
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  EXPECT_TRUE(absl::StrContains(refused.error_message(), "1 calls are in hand")) << refused.error_message();
  EXPECT_TRUE(absl::StrContains(refused.error_message(), "try again in 1 second")) << refused.error_message();
  EXPECT_EQ(testing::Trailer(context, kRetryAfterMsTrailer), "1000");
  EXPECT_EQ(testing::Trailer(context, kRetryPushbackMsTrailer), "1000");

  // Redis answers again: the held call finishes, and the slot takes the next one.
  ASSERT_TRUE(redis_server_->Thaw().ok());
  first.join();
  EXPECT_TRUE(held.ok()) << held.error_message();
  ASSERT_TRUE(testing::WaitUntil([&] { return service_->calls_in_hand() == 0; }, absl::Seconds(30)));
  grpc::ClientContext again;
  grpc::Status taken = ListQueue(again, "derm-2");
  EXPECT_TRUE(taken.ok()) << taken.error_message();
}

TEST_F(ReferralBackpressureTest, QueueWatchBeyondTheBoundIsRefusedWithARetryHintUntilAWatchEnds) {
  grpc::ClientContext first;
  AsSpecialist(first, "derm-1");
  std::unique_ptr<grpc::ClientReader<v1::QueueEvent>> first_reader = stub_->WatchQueue(&first, v1::WatchQueueRequest());
  ASSERT_TRUE(testing::WaitUntil([&] { return service_->open_watches() == 1; }, absl::Seconds(30)));

  grpc::ClientContext second;
  AsSpecialist(second, "derm-2");
  std::unique_ptr<grpc::ClientReader<v1::QueueEvent>> second_reader =
      stub_->WatchQueue(&second, v1::WatchQueueRequest());
  v1::QueueEvent event;
  EXPECT_FALSE(second_reader->Read(&event));
  grpc::Status refused = second_reader->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  EXPECT_TRUE(absl::StrContains(refused.error_message(), "already serves 1 queue watches")) << refused.error_message();
  EXPECT_TRUE(absl::StrContains(refused.error_message(), "try again in 1 second")) << refused.error_message();
  EXPECT_EQ(testing::Trailer(second, kRetryAfterMsTrailer), "1000");
  EXPECT_EQ(testing::Trailer(second, kRetryPushbackMsTrailer), "1000");

  // The first watcher leaves: its slot is free for the next.
  first.TryCancel();
  first_reader->Finish();
  ASSERT_TRUE(testing::WaitUntil([&] { return service_->open_watches() == 0; }, absl::Seconds(30)));
  grpc::ClientContext third;
  AsSpecialist(third, "derm-2");
  std::unique_ptr<grpc::ClientReader<v1::QueueEvent>> third_reader = stub_->WatchQueue(&third, v1::WatchQueueRequest());
  EXPECT_TRUE(testing::WaitUntil([&] { return service_->open_watches() == 1; }, absl::Seconds(30)));
  third.TryCancel();
  third_reader->Finish();
}

// Room for three watches, at most two of them one specialist's.
class ReferralWatchPerCallerTest : public ReferralBackpressureTest {
 protected:
  ReferralWatchPerCallerTest() {
    limits_.max_watches = 3;
    limits_.max_watches_per_specialist = 2;
  }
};

TEST_F(ReferralWatchPerCallerTest, OneSpecialistFillsOnlyTheirOwnShareAndAnotherStillGetsAWatch) {
  grpc::ClientContext first, second, third, other;
  AsSpecialist(first, "derm-1");
  AsSpecialist(second, "derm-1");
  auto first_reader = stub_->WatchQueue(&first, v1::WatchQueueRequest());
  auto second_reader = stub_->WatchQueue(&second, v1::WatchQueueRequest());
  ASSERT_TRUE(testing::WaitUntil([&] { return service_->open_watches() == 2; }, absl::Seconds(30)));

  AsSpecialist(third, "derm-1");
  auto third_reader = stub_->WatchQueue(&third, v1::WatchQueueRequest());
  v1::QueueEvent event;
  EXPECT_FALSE(third_reader->Read(&event));
  grpc::Status refused = third_reader->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(refused.error_message(),
            "derm-1 already has 2 queue watches open, the most one caller may have; nothing was done: close one you "
            "no longer read (one per screen is enough) and open this one again");
  EXPECT_EQ(service_->open_watches(), 2);

  AsSpecialist(other, "derm-2");
  auto other_reader = stub_->WatchQueue(&other, v1::WatchQueueRequest());
  EXPECT_TRUE(testing::WaitUntil([&] { return service_->open_watches() == 3; }, absl::Seconds(30)));
  for (grpc::ClientContext* context : {&first, &second, &other}) context->TryCancel();
  first_reader->Finish();
  second_reader->Finish();
  other_reader->Finish();
}

}  // namespace
}  // namespace telederm::referral
