// Backpressure of triage's own gRPC calls, through the real gRPC server and a
// real redis-server: a bounded number in hand, the rest refused at once with
// RESOURCE_EXHAUSTED and a retry hint (issue 5, item 6).
#include "services/triage/triage_service.h"

#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/caller/caller.h"
#include "common/server/call_queue.h"
#include "common/server/grpc_server.h"
#include "services/triage/skipped_image_analyzer.h"
#include "tests/harness/trailers.h"
#include "tests/harness/wait.h"
#include "tests/harness/redis_server.h"
#include "tests/harness/temp_dir.h"

namespace telederm::triage {
namespace {

TEST(TriageServiceTest, CallBeyondTheBoundIsRefusedAtOnceWithARetryHintWhileRedisHoldsTheOneInHand) {
  auto redis_server = testing::RedisServer::Start();
  ASSERT_TRUE(redis_server.ok()) << redis_server.status();
  redis::ClientOptions options;
  options.endpoint.port = (*redis_server)->port();
  options.command_timeout = absl::Minutes(2);  // a frozen Redis holds a call until it is thawed
  auto redis = redis::Client::Connect(options);
  ASSERT_TRUE(redis.ok()) << redis.status();
  const std::string dir = *testing::MakeTempDir("triage-service-test");
  auto blobs = OpenDirectoryBlobStore(dir);
  ASSERT_TRUE(blobs.ok()) << blobs.status();
  auto screener = std::make_shared<const Screener>(NewSkippedImageAnalyzer(), *blobs, ScreeningOptions());
  {
    TriageServiceImpl service(*redis, screener, /*threads=*/1, /*max_queued_calls=*/1);
    auto server = GrpcServer::Start("127.0.0.1:0", {&service});
    ASSERT_TRUE(server.ok()) << server.status();
    auto stub = v1::TriageService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()), grpc::InsecureChannelCredentials()));
    auto get_result = [&](grpc::ClientContext& context) {
      context.AddMetadata(kClinicIdHeader, "clinic-a");
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
      v1::GetTriageResultRequest request;
      request.set_case_id("c-01JAAAAAAAAAAAAAAAAAAAAAAA");
      v1::TriageResult result;
      return stub->GetTriageResult(&context, request, &result);
    };

    ASSERT_TRUE((*redis_server)->Freeze().ok());
    grpc::Status held;
    std::thread first([&] {
      grpc::ClientContext context;
      held = get_result(context);
    });
    ASSERT_TRUE(testing::WaitUntil([&] { return service.calls_in_hand() == 1; }, absl::Seconds(30)));
    grpc::ClientContext context;
    grpc::Status refused = get_result(context);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
    EXPECT_TRUE(absl::StrContains(refused.error_message(), "try again in 1 second")) << refused.error_message();
    EXPECT_EQ(testing::Trailer(context, kRetryAfterMsTrailer), "1000");
    EXPECT_EQ(testing::Trailer(context, kRetryPushbackMsTrailer), "1000");

    ASSERT_TRUE((*redis_server)->Thaw().ok());
    first.join();
    // The held call was served: the case does not exist.
    EXPECT_EQ(held.error_code(), grpc::StatusCode::NOT_FOUND) << held.error_message();
    ASSERT_TRUE(testing::WaitUntil([&] { return service.calls_in_hand() == 0; }, absl::Seconds(30)));
    grpc::ClientContext again;
    EXPECT_EQ(get_result(again).error_code(), grpc::StatusCode::NOT_FOUND);
    (*server)->Shutdown(absl::Seconds(1));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace telederm::triage
