#include "common/server/grpc_server.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "telederm/v1/triage.grpc.pb.h"

namespace telederm {
namespace {

// A service whose one call takes `delay` to answer, off the reaction thread.
class SlowService final : public v1::TriageService::CallbackService {
 public:
  explicit SlowService(absl::Duration delay) : delay_(delay) {}
  ~SlowService() override {
    for (std::thread& t : threads_) t.join();
  }
  grpc::ServerUnaryReactor* GetTriageResult(grpc::CallbackServerContext* context,
                                            const v1::GetTriageResultRequest*, v1::TriageResult* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (++started_ == 1) first_started_.Notify();
    threads_.emplace_back([this, reactor, response, context] {
      absl::Time end = absl::Now() + delay_;
      while (absl::Now() < end && !context->IsCancelled()) absl::SleepFor(absl::Milliseconds(10));
      response->set_risk_score(0.5);
      reactor->Finish(context->IsCancelled() ? grpc::Status::CANCELLED : grpc::Status::OK);
    });
    return reactor;
  }
  // Waits (bounded) until the first call has reached the service.
  bool WaitForFirstCall() { return first_started_.WaitForNotificationWithTimeout(absl::Seconds(30)); }
  std::atomic<int> started_{0};

 private:
  const absl::Duration delay_;
  absl::Notification first_started_;
  std::vector<std::thread> threads_;  // touched only by the one call per test
};

grpc::Status Call(v1::TriageService::Stub& stub, v1::TriageResult* result) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  return stub.GetTriageResult(&context, v1::GetTriageResultRequest(), result);
}

TEST(GracefulShutdownTest, InFlightCallFinishesNewCallsAreRefusedAndHealthTurnsNotServingFirst) {
  SlowService service(absl::Milliseconds(600));
  auto server = GrpcServer::Start("127.0.0.1:0", {&service});
  ASSERT_TRUE(server.ok()) << server.status();
  (*server)->SetServing(true);
  auto stub = v1::TriageService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()), grpc::InsecureChannelCredentials()));
  v1::TriageResult in_flight;
  grpc::Status in_flight_status;
  std::thread caller([&] { in_flight_status = Call(*stub, &in_flight); });
  ASSERT_TRUE(service.WaitForFirstCall()) << "the call never reached the service";

  bool not_serving_while_stopping_work = false;
  const absl::Time start = absl::Now();
  ShutdownWithin(**server, absl::Seconds(5), [&] { not_serving_while_stopping_work = !(*server)->serving(); });
  const absl::Duration took = absl::Now() - start;
  caller.join();

  EXPECT_TRUE(not_serving_while_stopping_work);
  ASSERT_TRUE(in_flight_status.ok()) << in_flight_status.error_message();
  EXPECT_EQ(in_flight.risk_score(), 0.5);
  EXPECT_LT(took, absl::Seconds(5));
  v1::TriageResult late;
  EXPECT_FALSE(Call(*stub, &late).ok());
  EXPECT_EQ(service.started_, 1);
}

TEST(GracefulShutdownTest, CallOutlastingTheDeadlineIsCancelledAndShutdownReturnsInTime) {
  SlowService service(absl::Seconds(30));
  auto server = GrpcServer::Start("127.0.0.1:0", {&service});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = v1::TriageService::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()), grpc::InsecureChannelCredentials()));
  v1::TriageResult result;
  grpc::Status status;
  std::thread caller([&] { status = Call(*stub, &result); });
  ASSERT_TRUE(service.WaitForFirstCall()) << "the call never reached the service";
  const absl::Time start = absl::Now();
  ShutdownWithin(**server, absl::Seconds(1));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  caller.join();
  EXPECT_FALSE(status.ok());
}

TEST(GracefulShutdownDeathTest, ProcessStillRunningPastTheDeadlineExitsWithStatusOne) {
  EXPECT_EXIT(
      {
        ExitIfStillRunningAfter(absl::Milliseconds(100));
        absl::SleepFor(absl::Seconds(10));  // a stuck shutdown
        std::exit(0);
      },
      ::testing::ExitedWithCode(1), "shutdown took longer than 100ms");
}

}  // namespace
}  // namespace telederm
