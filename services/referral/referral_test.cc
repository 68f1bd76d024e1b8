// The referral service against a real redis-server, through a real gRPC
// client: queue order, fail-safe urgency, exclusive claims, leases and
// fencing, the consumer's idempotency, reports, listing.
#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/caller/caller.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/case_store.h"
#include "common/case_store/event_log.h"
#include "common/case_store/keys.h"
#include "common/ids/ids.h"
#include "common/redis/stream.h"
#include "common/server/grpc_server.h"
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "common/stream_worker/stream_worker.h"
#include "services/referral/housekeeping.h"
#include "services/referral/lease_reaper.h"
#include "services/referral/queue_index.h"
#include "services/referral/referral_service.h"
#include "services/referral/specialist_queue.h"
#include "services/referral/triaged_stream_handler.h"
#include "tests/harness/net.h"
#include "tests/harness/redis_test.h"

namespace telederm::referral {
namespace {

// Near the wall clock: EventLog trims a clinic's stream by the time it is
// given against Redis's own stream ids, so a far-off simulated time would trim
// every event away.
const absl::Time kT0 = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()) / 60 * 60);

// One dermatologist at a gRPC client.
class Specialist {
 public:
  Specialist(std::shared_ptr<grpc::Channel> channel, std::string id, std::string pools = "general")
      : stub_(v1::ReferralService::NewStub(channel)), id_(std::move(id)), pools_(std::move(pools)) {}

  grpc::Status Claim(v1::ClaimNextResponse* response, const std::string& pool = "") {
    auto context = Context();
    v1::ClaimNextRequest request;
    request.set_pool(pool);
    return stub_->ClaimNext(context.get(), request, response);
  }
  grpc::Status Report(const std::string& case_id, int64_t token, const v1::Report& report,
                      v1::SubmitReportResponse* response = nullptr) {
    auto context = Context();
    v1::SubmitReportRequest request;
    request.set_case_id(case_id);
    request.set_fencing_token(token);
    *request.mutable_report() = report;
    v1::SubmitReportResponse ignored;
    return stub_->SubmitReport(context.get(), request, response ? response : &ignored);
  }
  grpc::Status Extend(const std::string& case_id, int64_t token, v1::ExtendClaimResponse* response = nullptr) {
    auto context = Context();
    v1::ExtendClaimRequest request;
    request.set_case_id(case_id);
    request.set_fencing_token(token);
    v1::ExtendClaimResponse ignored;
    return stub_->ExtendClaim(context.get(), request, response ? response : &ignored);
  }
  grpc::Status Release(const std::string& case_id, int64_t token) {
    auto context = Context();
    v1::ReleaseRequest request;
    request.set_case_id(case_id);
    request.set_fencing_token(token);
    v1::ReleaseResponse response;
    return stub_->Release(context.get(), request, &response);
  }
  grpc::Status List(const v1::ListQueueRequest& request, v1::ListQueueResponse* response) {
    auto context = Context();
    return stub_->ListQueue(context.get(), request, response);
  }
  const std::string& id() const { return id_; }

 private:
  std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata(kSpecialistIdHeader, id_);
    context->AddMetadata(kPoolsHeader, pools_);
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return context;
  }

  std::unique_ptr<v1::ReferralService::Stub> stub_;
  std::string id_;
  std::string pools_;
};

Icd10TablePtr Codes() {
  static const Icd10TablePtr table = *Icd10Table::Load(DefaultIcd10TablePath());
  return table;
}

// A consumer of stream:triaged as the binary runs it: a StreamWorker around a
// TriagedStreamHandler. Entries idle for any time count as abandoned, so tests can
// take them over without waiting.
std::unique_ptr<StreamWorker> TriagedWorker(std::shared_ptr<redis::Client> redis, ClockPtr clock,
                                            const ReferralOptions& options, const std::string& name) {
  auto handler = std::make_shared<TriagedStreamHandler>(redis, clock, options);
  StreamWorkerOptions worker_options;
  worker_options.reclaim_idle = absl::ZeroDuration();
  return std::make_unique<StreamWorker>(
      std::make_unique<redis::StreamConsumer>(redis, keys::kTriagedStream, keys::kReferralGroup, name),
      StreamWorker::BatchHandler(
          [handler](const std::vector<redis::StreamEntry>& entries) { return handler->HandleBatch(entries); }),
      worker_options);
}

v1::Report MelanomaReport() {
  v1::Report report;
  report.set_diagnosis_text("Superficial spreading melanoma, suspected");
  report.set_icd10_code("C43.5");
  report.set_management(v1::MANAGEMENT_URGENT_IN_PERSON_REFERRAL);
  report.set_management_interval(14);
  return report;
}

class ReferralTest : public testing::RedisTest {
 protected:
  int client_pool_size() const override { return 16; }

  void SetUp() override {
    RedisTest::SetUp();
    clock_ = std::make_shared<SimulatedClock>(kT0 + absl::Hours(3));
    service_ = std::make_unique<ReferralServiceImpl>(MakeReferralParts(redis_, clock_, options_, Codes()));
    auto server = GrpcServer::Start("127.0.0.1:0", {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials());
    consumer_ = TriagedWorker(redis_, clock_, options_, "referral-test");
    ASSERT_TRUE(consumer_->Recover().ok());
  }

  void TearDown() override {
    if (server_) server_->Shutdown(absl::Seconds(1));
  }

  // A case as triage leaves it: SCREENING with a triage result, and an entry
  // on stream:triaged.
  std::string AddTriagedCase(v1::Urgency tier, absl::Time received, bool screened = true,
                             const std::string& clinic = "clinic-a") {
    v1::Case c;
    c.set_case_id(NewCaseId(received));
    c.set_clinic_id(clinic);
    c.set_status(v1::CASE_STATUS_SCREENING);
    *c.mutable_received_at() = ToProtoTimestamp(received);
    c.mutable_submission()->set_type(v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
    c.mutable_triage()->set_tier(tier);
    c.mutable_triage()->set_screened(screened);
    c.mutable_triage()->set_risk_score(tier == v1::URGENCY_URGENT ? 0.9 : 0.2);
    if (!screened) c.mutable_triage()->set_not_screened_reason("image too dark");
    CaseStore store(redis_);
    EXPECT_TRUE(store.Create(c).ok());
    EXPECT_TRUE(redis::StreamAppend(*redis_, keys::kTriagedStream, {{"case_id", c.case_id()}}).ok());
    return c.case_id();
  }

  // A case waiting in `pool`, due at `due`, as referral leaves it: the
  // QUEUED record and its queue entry with the fairness meta.
  std::string QueueCase(const std::string& pool, absl::Time due, v1::Urgency tier = v1::URGENCY_SOON,
                        const std::string& clinic = "clinic-a") {
    v1::Case c;
    c.set_case_id(NewCaseId(kT0));
    c.set_clinic_id(clinic);
    c.set_status(v1::CASE_STATUS_QUEUED);
    c.set_pool(pool);
    c.set_urgency(tier);
    *c.mutable_received_at() = ToProtoTimestamp(kT0);
    *c.mutable_due_at() = ToProtoTimestamp(due);
    EXPECT_TRUE(CaseStore(redis_).Create(c).ok());
    EXPECT_TRUE(QueueIndex(redis_).Enqueue(c).ok());
    return c.case_id();
  }

  // Polls until the stream is drained; returns how many entries were handled.
  int DrainTriaged(StreamWorker& consumer) {
    int total = 0;
    while (true) {
      absl::StatusOr<int> handled = consumer.PollOnce(absl::ZeroDuration());
      EXPECT_TRUE(handled.ok()) << handled.status();
      if (!handled.ok() || *handled == 0) return total;
      total += *handled;
    }
  }
  int DrainTriaged() { return DrainTriaged(*consumer_); }

  v1::Case Record(const std::string& case_id) {
    auto record = CaseStore(redis_).Get(case_id);
    EXPECT_TRUE(record.ok() && record->has_value());
    return record.ok() && record->has_value() ? **record : v1::Case();
  }

  long long Integer(const std::vector<std::string>& argv) {
    auto reply = redis_->Command(argv);
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? reply->AsOptionalInteger().value_or(-1) : -1;
  }

  std::shared_ptr<SimulatedClock> clock_;
  ReferralOptions options_;
  std::unique_ptr<ReferralServiceImpl> service_;
  std::unique_ptr<GrpcServer> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<StreamWorker> consumer_;
};

TEST_F(ReferralTest, UrgentCaseReceivedAfterRoutineCaseIsClaimedFirst) {
  const std::string routine = AddTriagedCase(v1::URGENCY_ROUTINE, kT0);
  const std::string soon = AddTriagedCase(v1::URGENCY_SOON, kT0 + absl::Minutes(30));
  const std::string urgent = AddTriagedCase(v1::URGENCY_URGENT, kT0 + absl::Hours(1));
  EXPECT_EQ(DrainTriaged(), 3);

  Specialist derm(channel_, "derm-1");
  std::vector<std::string> order;
  for (int i = 0; i < 3; ++i) {
    v1::ClaimNextResponse claimed;
    grpc::Status status = derm.Claim(&claimed);
    ASSERT_TRUE(status.ok()) << status.error_message();
    order.push_back(claimed.case_().case_id());
  }
  EXPECT_EQ(order, (std::vector<std::string>{urgent, soon, routine}));
  v1::Case stored = Record(urgent);
  EXPECT_EQ(stored.urgency(), v1::URGENCY_URGENT);
  EXPECT_EQ(FromProtoTimestamp(stored.due_at()), kT0 + absl::Hours(1) + absl::Hours(24));
}

TEST_F(ReferralTest, NotScreenedRoutineCaseIsQueuedAsUrgent) {
  const std::string soon = AddTriagedCase(v1::URGENCY_SOON, kT0);
  const std::string unscreened = AddTriagedCase(v1::URGENCY_ROUTINE, kT0 + absl::Hours(1), /*screened=*/false);
  DrainTriaged();

  v1::Case stored = Record(unscreened);
  EXPECT_EQ(stored.status(), v1::CASE_STATUS_QUEUED);
  EXPECT_EQ(stored.urgency(), v1::URGENCY_URGENT);
  EXPECT_EQ(FromProtoTimestamp(stored.due_at()), kT0 + absl::Hours(25));

  Specialist derm(channel_, "derm-1");
  v1::ListQueueResponse listed;
  ASSERT_TRUE(derm.List(v1::ListQueueRequest(), &listed).ok());
  ASSERT_EQ(listed.entries_size(), 2);
  EXPECT_EQ(listed.entries(0).case_id(), unscreened);
  EXPECT_FALSE(listed.entries(0).screened());
  v1::ClaimNextResponse claimed;
  ASSERT_TRUE(derm.Claim(&claimed).ok());
  EXPECT_EQ(claimed.case_().case_id(), unscreened);
}

TEST_F(ReferralTest, EightClientsOnTwoServersClaimEveryCaseExactlyOnce) {
  constexpr int kCases = 200, kClients = 8;
  for (int i = 0; i < kCases; ++i) {
    AddTriagedCase(static_cast<v1::Urgency>(1 + i % 3), kT0 + absl::Seconds(i));
  }
  EXPECT_EQ(DrainTriaged(), kCases);

  ReferralServiceImpl second_service(MakeReferralParts(redis_, clock_, options_, Codes()));
  auto second_server = GrpcServer::Start("127.0.0.1:0", {&second_service});
  ASSERT_TRUE(second_server.ok());
  auto second_channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*second_server)->port()), grpc::InsecureChannelCredentials());

  std::mutex mutex;
  std::map<std::string, int> claims_per_case;
  std::set<int64_t> tokens;
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      Specialist derm(c % 2 == 0 ? channel_ : second_channel, absl::StrCat("derm-", c));
      while (true) {
        v1::ClaimNextResponse claimed;
        grpc::Status status = derm.Claim(&claimed);
        if (status.error_code() == grpc::StatusCode::NOT_FOUND) return;
        ASSERT_TRUE(status.ok()) << status.error_message();
        std::lock_guard<std::mutex> lock(mutex);
        ++claims_per_case[claimed.case_().case_id()];
        tokens.insert(claimed.claim().fencing_token());
      }
    });
  }
  for (auto& client : clients) client.join();
  (*second_server)->Shutdown(absl::Seconds(1));

  EXPECT_EQ(claims_per_case.size(), static_cast<size_t>(kCases));
  for (const auto& [case_id, claims] : claims_per_case) EXPECT_EQ(claims, 1) << case_id;
  EXPECT_EQ(tokens.size(), static_cast<size_t>(kCases));
  EXPECT_EQ(Integer({"ZCARD", keys::PoolQueue("general")}), 0);
  EXPECT_EQ(Integer({"ZCARD", keys::PoolLeases("general")}), kCases);
}

// Under Sentinel (--redis_wait_replicas), a claim is answered only once a
// standby holds it. This Redis has no replica: the claim is made, and the
// specialist is told it could not be confirmed instead of being handed a
// fencing token that a failover could give to someone else.
TEST_F(ReferralTest, AClaimNoStandbyConfirmedIsUnavailableAndItsLeaseStillStands) {
  AddTriagedCase(v1::URGENCY_URGENT, kT0);
  ASSERT_EQ(DrainTriaged(), 1);
  redis::ClientOptions waiting;
  waiting.endpoint.port = redis_server().port();
  waiting.wait_replicas = 1;
  waiting.replica_wait_timeout = absl::Milliseconds(100);
  ReferralServiceImpl service(MakeReferralParts(redis::Client::Create(waiting), clock_, options_, Codes()));
  auto server = GrpcServer::Start("127.0.0.1:0", {&service});
  ASSERT_TRUE(server.ok());
  Specialist derm(grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->port()), grpc::InsecureChannelCredentials()),
                  "derm-1");

  v1::ClaimNextResponse claimed;
  grpc::Status status = derm.Claim(&claimed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(status.error_message(),
            absl::StrCat("done, but no standby Redis confirmed it in time (redis at 127.0.0.1:", redis_server().port(),
                         ": only 0 of the 1 replicas asked for hold the write after 100ms); look at the case or "
                         "setting again before you repeat it"));
  (*server)->Shutdown(absl::Seconds(1));
  // The claim itself was made: the case is leased, not handed out again.
  EXPECT_EQ(Integer({"ZCARD", keys::PoolQueue("general")}), 0);
  EXPECT_EQ(Integer({"ZCARD", keys::PoolLeases("general")}), 1);
  v1::ClaimNextResponse other;
  EXPECT_EQ(Specialist(channel_, "derm-2").Claim(&other).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ReferralTest, LapsedLeaseReturnsCaseAtOriginalDueTimeAndFencesOutTheStaleHolder) {
  const std::string case_id = AddTriagedCase(v1::URGENCY_URGENT, kT0);
  DrainTriaged();
  const absl::Time due = kT0 + absl::Hours(24);
  Specialist first(channel_, "derm-first"), second(channel_, "derm-second");
  v1::ClaimNextResponse first_claim;
  ASSERT_TRUE(first.Claim(&first_claim).ok());

  LeaseReaper reaper(redis_, clock_);
  clock_->Advance(absl::Minutes(14));
  EXPECT_EQ(*reaper.ReapOnce(), 0);
  clock_->Advance(absl::Minutes(2));
  EXPECT_EQ(*reaper.ReapOnce(), 1);
  v1::Case requeued = Record(case_id);
  EXPECT_EQ(requeued.status(), v1::CASE_STATUS_QUEUED);
  EXPECT_FALSE(requeued.has_claim());
  EXPECT_EQ(FromProtoTimestamp(requeued.due_at()), due);
  EXPECT_EQ(requeued.history(requeued.history_size() - 1).actor(), "referral-reaper");
  auto score = redis_->Command({"ZSCORE", keys::PoolQueue("general"), case_id});
  ASSERT_TRUE(score.ok());
  EXPECT_EQ(score->str, absl::StrCat(absl::ToUnixMillis(due)));

  v1::ClaimNextResponse second_claim;
  ASSERT_TRUE(second.Claim(&second_claim).ok());
  EXPECT_EQ(second_claim.case_().case_id(), case_id);
  EXPECT_GT(second_claim.claim().fencing_token(), first_claim.claim().fencing_token());

  grpc::Status stale_report = first.Report(case_id, first_claim.claim().fencing_token(), MelanomaReport());
  EXPECT_EQ(stale_report.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(stale_report.error_message(), "lapsed or was taken over")) << stale_report.error_message();
  EXPECT_EQ(first.Extend(case_id, first_claim.claim().fencing_token()).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // The stale holder cannot pass off the new token either: the claim is the specialist's.
  EXPECT_EQ(first.Report(case_id, second_claim.claim().fencing_token(), MelanomaReport()).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  v1::SubmitReportResponse reported;
  grpc::Status report = second.Report(case_id, second_claim.claim().fencing_token(), MelanomaReport(), &reported);
  ASSERT_TRUE(report.ok()) << report.error_message();
  EXPECT_EQ(reported.case_().status(), v1::CASE_STATUS_REPORTED);
  EXPECT_EQ(reported.case_().report().specialist_id(), "derm-second");
}

TEST_F(ReferralTest, ExtendedLeaseOutlivesTheOriginalLease) {
  AddTriagedCase(v1::URGENCY_SOON, kT0);
  DrainTriaged();
  Specialist derm(channel_, "derm-1");
  v1::ClaimNextResponse claimed;
  ASSERT_TRUE(derm.Claim(&claimed).ok());
  clock_->Advance(absl::Minutes(10));
  v1::ExtendClaimResponse extended;
  ASSERT_TRUE(derm.Extend(claimed.case_().case_id(), claimed.claim().fencing_token(), &extended).ok());
  EXPECT_EQ(FromProtoTimestamp(extended.claim().lease_expires_at()), kT0 + absl::Hours(3) + absl::Minutes(25));
  clock_->Advance(absl::Minutes(10));
  LeaseReaper reaper(redis_, clock_);
  EXPECT_EQ(*reaper.ReapOnce(), 0);
  EXPECT_EQ(Record(claimed.case_().case_id()).status(), v1::CASE_STATUS_CLAIMED);
  EXPECT_TRUE(derm.Report(claimed.case_().case_id(), claimed.claim().fencing_token(), MelanomaReport()).ok());
}

TEST_F(ReferralTest, ReleasedCaseReturnsAtItsOriginalDueTime) {
  const std::string routine = AddTriagedCase(v1::URGENCY_ROUTINE, kT0);
  const std::string soon = AddTriagedCase(v1::URGENCY_SOON, kT0 + absl::Hours(1));
  DrainTriaged();
  Specialist derm(channel_, "derm-1");
  v1::ClaimNextResponse claimed;
  ASSERT_TRUE(derm.Claim(&claimed).ok());
  ASSERT_EQ(claimed.case_().case_id(), soon);
  clock_->Advance(absl::Minutes(5));
  ASSERT_TRUE(derm.Release(soon, claimed.claim().fencing_token()).ok());
  EXPECT_EQ(Record(soon).status(), v1::CASE_STATUS_QUEUED);
  EXPECT_EQ(Integer({"HLEN", keys::PoolClaims("general")}), 0);
  // Releasing twice is refused: the claim is gone.
  EXPECT_EQ(derm.Release(soon, claimed.claim().fencing_token()).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  v1::ClaimNextResponse again;
  ASSERT_TRUE(derm.Claim(&again).ok());
  EXPECT_EQ(again.case_().case_id(), soon);
  EXPECT_EQ(FromProtoTimestamp(again.case_().due_at()), kT0 + absl::Hours(1) + absl::Hours(72));
}

TEST_F(ReferralTest, RedeliveredTriagedEntryQueuesTheCaseOnce) {
  const std::string case_id = AddTriagedCase(v1::URGENCY_SOON, kT0);
  EXPECT_EQ(DrainTriaged(), 1);
  // The ack is lost: the entry is pending again, on a consumer that died.
  auto entries = redis_->Command({"XRANGE", keys::kTriagedStream, "-", "+"});
  ASSERT_TRUE(entries.ok() && entries->elements.size() == 1);
  const std::string entry_id = entries->elements[0].elements[0].str;
  ASSERT_TRUE(redis_->Command({"XCLAIM", keys::kTriagedStream, keys::kReferralGroup, "referral-dead", "0", entry_id,
                               "FORCE"})
                  .ok());

  std::unique_ptr<StreamWorker> other = TriagedWorker(redis_, clock_, options_, "referral-other");
  ASSERT_TRUE(other->Recover().ok());
  absl::StatusOr<int> reclaimed = other->ReclaimOnce();
  ASSERT_TRUE(reclaimed.ok()) << reclaimed.status();
  EXPECT_EQ(*reclaimed, 1);

  v1::Case stored = Record(case_id);
  EXPECT_EQ(stored.status(), v1::CASE_STATUS_QUEUED);
  int queued_transitions = 0;
  for (const auto& change : stored.history()) queued_transitions += change.to() == v1::CASE_STATUS_QUEUED;
  EXPECT_EQ(queued_transitions, 1);
  EXPECT_EQ(Integer({"ZCARD", keys::PoolQueue("general")}), 1);
  auto pending = redis_->Command({"XPENDING", keys::kTriagedStream, keys::kReferralGroup});
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->elements[0].integer, 0);
}

TEST_F(ReferralTest, EntriesOfACrashedConsumerAreTakenOverByAnother) {
  const std::string case_id = AddTriagedCase(v1::URGENCY_URGENT, kT0);
  // A consumer read the entry and crashed before handling it.
  ASSERT_TRUE(redis_->Command({"XREADGROUP", "GROUP", keys::kReferralGroup, "referral-crashed", "COUNT", "10",
                               "STREAMS", keys::kTriagedStream, ">"})
                  .ok());
  EXPECT_EQ(DrainTriaged(), 0);
  EXPECT_EQ(Record(case_id).status(), v1::CASE_STATUS_SCREENING);

  absl::StatusOr<int> reclaimed = consumer_->ReclaimOnce();
  ASSERT_TRUE(reclaimed.ok()) << reclaimed.status();
  EXPECT_EQ(*reclaimed, 1);
  EXPECT_EQ(Record(case_id).status(), v1::CASE_STATUS_QUEUED);
  Specialist derm(channel_, "derm-1");
  v1::ClaimNextResponse claimed;
  ASSERT_TRUE(derm.Claim(&claimed).ok());
  EXPECT_EQ(claimed.case_().case_id(), case_id);
}

TEST_F(ReferralTest, RestartedConsumerHandlesItsOwnPendingEntries) {
  const std::string case_id = AddTriagedCase(v1::URGENCY_URGENT, kT0);
  ASSERT_TRUE(redis_->Command({"XREADGROUP", "GROUP", keys::kReferralGroup, "referral-restarting", "COUNT", "10",
                               "STREAMS", keys::kTriagedStream, ">"})
                  .ok());
  std::unique_ptr<StreamWorker> restarted = TriagedWorker(redis_, clock_, options_, "referral-restarting");
  ASSERT_TRUE(restarted->Recover().ok());
  EXPECT_EQ(Record(case_id).status(), v1::CASE_STATUS_QUEUED);
}

TEST_F(ReferralTest, ReportWithBadIcd10CodeIsInvalidArgumentNamingTheField) {
  AddTriagedCase(v1::URGENCY_URGENT, kT0);
  DrainTriaged();
  Specialist derm(channel_, "derm-1");
  v1::ClaimNextResponse claimed;
  ASSERT_TRUE(derm.Claim(&claimed).ok());
  v1::Report report = MelanomaReport();
  report.set_icd10_code("melanoma");
  grpc::Status status = derm.Report(claimed.case_().case_id(), claimed.claim().fencing_token(), report);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(status.error_message(), "report.icd10_code:")) << status.error_message();
  EXPECT_EQ(Record(claimed.case_().case_id()).status(), v1::CASE_STATUS_CLAIMED);
}

TEST_F(ReferralTest, ReportReachesTheClinicsEventStreamAndARetryIsAccepted) {
  const std::string case_id = AddTriagedCase(v1::URGENCY_URGENT, kT0, true, "clinic-north");
  DrainTriaged();
  Specialist derm(channel_, "derm-1");
  v1::ClaimNextResponse claimed;
  ASSERT_TRUE(derm.Claim(&claimed).ok());
  clock_->Advance(absl::Minutes(3));
  v1::SubmitReportResponse reported;
  grpc::Status status = derm.Report(case_id, claimed.claim().fencing_token(), MelanomaReport(), &reported);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::Case stored = Record(case_id);
  EXPECT_EQ(stored.status(), v1::CASE_STATUS_REPORTED);
  EXPECT_FALSE(stored.has_claim());
  EXPECT_EQ(stored.report().specialist_id(), "derm-1");
  EXPECT_EQ(FromProtoTimestamp(stored.report().reported_at()), kT0 + absl::Hours(3) + absl::Minutes(3));
  EXPECT_EQ(Integer({"HLEN", keys::PoolClaims("general")}), 0);
  EXPECT_EQ(Integer({"ZCARD", keys::PoolLeases("general")}), 0);

  EventLog events(redis_);
  auto seen = events.ReadAfter("clinic-north", "", 100, absl::ZeroDuration());
  ASSERT_TRUE(seen.ok()) << seen.status();
  std::vector<v1::EventType> types;
  for (const auto& event : *seen) types.push_back(event.type());
  EXPECT_EQ(types, (std::vector<v1::EventType>{v1::EVENT_TYPE_QUEUED, v1::EVENT_TYPE_CLAIMED,
                                                v1::EVENT_TYPE_REPORTED}));
  ASSERT_FALSE(seen->empty());
  EXPECT_EQ(seen->back().report().icd10_code(), "C43.5");
  EXPECT_EQ(seen->back().status(), v1::CASE_STATUS_REPORTED);

  // The response was lost; the specialist sends the report again.
  ASSERT_TRUE(derm.Report(case_id, claimed.claim().fencing_token(), MelanomaReport()).ok());
  EXPECT_EQ(Record(case_id).version(), stored.version());
  // Someone else cannot report it.
  Specialist other(channel_, "derm-2");
  EXPECT_EQ(other.Report(case_id, claimed.claim().fencing_token(), MelanomaReport()).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

// A second, different report is refused, never answered OK and dropped: only
// an identical retry is OK, and the clinic hears of one report.
TEST_F(ReferralTest, ADifferentSecondReportIsRefusedAndTheSignedOneStands) {
  const std::string case_id = AddTriagedCase(v1::URGENCY_URGENT, kT0, true, "clinic-north");
  DrainTriaged();
  Specialist derm(channel_, "derm-1");
  v1::ClaimNextResponse claimed;
  ASSERT_TRUE(derm.Claim(&claimed).ok());
  v1::Report naevus;
  naevus.set_diagnosis_text("Benign melanocytic naevus");
  naevus.set_icd10_code("D22.5");
  naevus.set_management(v1::MANAGEMENT_REASSURE);
  ASSERT_TRUE(derm.Report(case_id, claimed.claim().fencing_token(), naevus).ok());
  const v1::Case signed_case = Record(case_id);

  grpc::Status changed = derm.Report(case_id, claimed.claim().fencing_token(), MelanomaReport());
  EXPECT_EQ(changed.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(changed.error_message(),
            absl::StrCat("case ", case_id,
                         " already has your signed report (D22.5); this one differs and was not stored: a signed "
                         "report is final and cannot be amended here, so contact the clinic directly to correct it"));
  EXPECT_EQ(Record(case_id).version(), signed_case.version());
  EXPECT_EQ(Record(case_id).report().icd10_code(), "D22.5");
  auto seen = EventLog(redis_).ReadAfter("clinic-north", "", 100, absl::ZeroDuration());
  ASSERT_TRUE(seen.ok()) << seen.status();
  int reported_events = 0;
  for (const auto& event : *seen) reported_events += event.type() == v1::EVENT_TYPE_REPORTED;
  EXPECT_EQ(reported_events, 1);

  // The identical report again is a retry after a lost response: OK.
  EXPECT_TRUE(derm.Report(case_id, claimed.claim().fencing_token(), naevus).ok());
  EXPECT_EQ(Record(case_id).version(), signed_case.version());
}

TEST_F(ReferralTest, ReportOnUnclaimedCaseIsFailedPrecondition) {
  const std::string case_id = AddTriagedCase(v1::URGENCY_URGENT, kT0);
  DrainTriaged();
  Specialist derm(channel_, "derm-1");
  grpc::Status status = derm.Report(case_id, 1, MelanomaReport());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "not claimed by you")) << status.error_message();
  EXPECT_EQ(derm.Report("not-a-case", 1, MelanomaReport()).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Record(case_id).status(), v1::CASE_STATUS_QUEUED);
}

TEST_F(ReferralTest, ListQueueMergesPoolsEarliestDueFirstPageByPage) {
  ReferralOptions north = options_;
  north.default_pool = "north";
  std::unique_ptr<StreamWorker> north_worker = TriagedWorker(redis_, clock_, north, "referral-north");
  StreamWorker& north_consumer = *north_worker;
  AddTriagedCase(v1::URGENCY_ROUTINE, kT0, true);           // general, due kT0+168h
  DrainTriaged();
  AddTriagedCase(v1::URGENCY_URGENT, kT0 + absl::Hours(2));  // north, due kT0+26h
  DrainTriaged(north_consumer);
  AddTriagedCase(v1::URGENCY_SOON, kT0 + absl::Hours(1));    // general, due kT0+73h
  AddTriagedCase(v1::URGENCY_URGENT, kT0 + absl::Hours(1));  // general, due kT0+25h
  AddTriagedCase(v1::URGENCY_SOON, kT0);                     // general, due kT0+72h
  DrainTriaged();
  // Far ahead: every case is overdue.
  clock_->Advance(absl::Hours(24 * 30));

  Specialist derm(channel_, "derm-1", "general,north");
  std::vector<absl::Time> dues;
  std::vector<std::string> pools;
  std::string token;
  int pages = 0;
  do {
    v1::ListQueueRequest request;
    request.set_page_size(2);
    request.set_page_token(token);
    v1::ListQueueResponse page;
    grpc::Status status = derm.List(request, &page);
    ASSERT_TRUE(status.ok()) << status.error_message();
    for (const auto& entry : page.entries()) {
      dues.push_back(FromProtoTimestamp(entry.due_at()));
      pools.push_back(entry.pool());
      EXPECT_TRUE(entry.overdue());
      EXPECT_EQ(entry.clinic_id(), "clinic-a");
      EXPECT_EQ(entry.case_type(), v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
    }
    token = page.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(dues, (std::vector<absl::Time>{kT0 + absl::Hours(25), kT0 + absl::Hours(26), kT0 + absl::Hours(72),
                                            kT0 + absl::Hours(73), kT0 + absl::Hours(168)}));
  EXPECT_EQ(pools, (std::vector<std::string>{"general", "north", "general", "general", "general"}));

  v1::ListQueueRequest only_north;
  only_north.set_pool("north");
  v1::ListQueueResponse north_page;
  ASSERT_TRUE(derm.List(only_north, &north_page).ok());
  EXPECT_EQ(north_page.entries_size(), 1);

  v1::ListQueueRequest foreign;
  foreign.set_pool("south");
  v1::ListQueueResponse ignored;
  EXPECT_EQ(derm.List(foreign, &ignored).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::ClaimNextResponse not_claimed;
  EXPECT_EQ(derm.Claim(&not_claimed, "south").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  v1::ListQueueRequest bad_token;
  bad_token.set_page_token("page-2");
  EXPECT_EQ(derm.List(bad_token, &ignored).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  v1::ListQueueRequest too_big;
  too_big.set_page_size(501);
  EXPECT_EQ(derm.List(too_big, &ignored).error_code(), grpc::StatusCode::INVALID_ARGUMENT);

  // A specialist of the general pool alone claims the earliest general case.
  Specialist general_only(channel_, "derm-2", "general");
  v1::ClaimNextResponse claimed;
  ASSERT_TRUE(general_only.Claim(&claimed).ok());
  EXPECT_EQ(claimed.claim().pool(), "general");
  EXPECT_EQ(FromProtoTimestamp(claimed.case_().due_at()), kT0 + absl::Hours(25));
}

TEST_F(ReferralTest, ClaimOnEmptyQueueIsNotFound) {
  Specialist derm(channel_, "derm-1");
  v1::ClaimNextResponse claimed;
  grpc::Status status = derm.Claim(&claimed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "no case is waiting in your pools");
}

TEST_F(ReferralTest, CallWithoutSpecialistIdentityIsUnauthenticated) {
  auto stub = v1::ReferralService::NewStub(channel_);
  grpc::ClientContext context;
  v1::ClaimNextResponse response;
  EXPECT_EQ(stub->ClaimNext(&context, v1::ClaimNextRequest(), &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(ReferralTest, StaleQueueEntryIsSkippedAndTheNextCaseClaimed) {
  const std::string first = AddTriagedCase(v1::URGENCY_URGENT, kT0);
  const std::string second = AddTriagedCase(v1::URGENCY_SOON, kT0);
  DrainTriaged();
  Specialist derm(channel_, "derm-1");
  v1::ClaimNextResponse claimed;
  ASSERT_TRUE(derm.Claim(&claimed).ok());
  ASSERT_EQ(claimed.case_().case_id(), first);
  // A late repair puts the claimed case back in the queue index.
  ASSERT_TRUE(redis_->Command({"ZADD", keys::PoolQueue("general"), "1", first}).ok());
  Specialist other(channel_, "derm-2");
  v1::ClaimNextResponse next;
  ASSERT_TRUE(other.Claim(&next).ok());
  EXPECT_EQ(next.case_().case_id(), second);
  // The first holder's claim is untouched and still works.
  EXPECT_TRUE(derm.Report(first, claimed.claim().fencing_token(), MelanomaReport()).ok());
}

TEST_F(ReferralTest, ClaimInANamedPoolTakesThatPoolsHeadAndSkipsAStaleEntry) {
  QueueCase("onco", kT0 + absl::Hours(1));
  const std::string first = QueueCase("general", kT0 + absl::Hours(2));
  const std::string second = QueueCase("general", kT0 + absl::Hours(3));
  Specialist derm(channel_, "derm-1", "general,onco");
  v1::ClaimNextResponse claimed;
  ASSERT_TRUE(derm.Claim(&claimed, "general").ok());
  EXPECT_EQ(claimed.case_().case_id(), first);  // onco's earlier case is not in the pool asked for
  // A late repair puts the claimed case back in general's queue index.
  ASSERT_TRUE(redis_->Command({"ZADD", keys::PoolQueue("general"), "1", first}).ok());
  Specialist other(channel_, "derm-2");
  v1::ClaimNextResponse next;
  ASSERT_TRUE(other.Claim(&next, "general").ok());
  EXPECT_EQ(next.case_().case_id(), second);
  EXPECT_EQ(Integer({"ZCARD", keys::PoolQueue("general")}), 0);  // the stale entry went with it
  grpc::Status empty = other.Claim(&next, "general");
  EXPECT_EQ(empty.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(empty.error_message(), "no case is waiting in your pools");
  // The first holder's claim is untouched, and onco's case still waits.
  EXPECT_TRUE(derm.Report(first, claimed.claim().fencing_token(), MelanomaReport()).ok());
  EXPECT_EQ(Integer({"ZCARD", keys::PoolQueue("onco")}), 1);
}

TEST_F(ReferralTest, SpecialistInTwoPoolsGetsTheEarliestDueCaseAcrossBoth) {
  const std::string general_first = QueueCase("general", kT0 + absl::Hours(2));
  const std::string onco = QueueCase("onco", kT0 + absl::Hours(1));
  const std::string general_second = QueueCase("general", kT0 + absl::Hours(3));
  Specialist derm(channel_, "derm-1", "general,onco");
  std::vector<std::string> order;
  std::vector<std::string> pools;
  for (int i = 0; i < 3; ++i) {
    v1::ClaimNextResponse claimed;
    grpc::Status status = derm.Claim(&claimed);
    ASSERT_TRUE(status.ok()) << status.error_message();
    order.push_back(claimed.case_().case_id());
    pools.push_back(claimed.claim().pool());
  }
  EXPECT_EQ(order, (std::vector<std::string>{onco, general_first, general_second}));
  EXPECT_EQ(pools, (std::vector<std::string>{"onco", "general", "general"}));
  v1::ClaimNextResponse none;
  grpc::Status empty = derm.Claim(&none);
  EXPECT_EQ(empty.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(empty.error_message(), "no case is waiting in your pools");
}

TEST_F(ReferralTest, ClaimScriptServesTheLeastServedClinicOfTheHeadsTierWithinTheWindow) {
  const std::string a1 = QueueCase("general", kT0, v1::URGENCY_SOON, "clinic-a");
  const std::string c1 = QueueCase("general", kT0 + absl::Minutes(1), v1::URGENCY_URGENT, "clinic-c");
  const std::string m1 = QueueCase("general", kT0 + absl::Minutes(2), v1::URGENCY_SOON, "clinic-m");
  const std::string b1 = QueueCase("general", kT0 + absl::Minutes(3), v1::URGENCY_SOON, "clinic-b");
  const std::string b2 = QueueCase("general", kT0 + absl::Minutes(4), v1::URGENCY_SOON, "clinic-b");
  const std::string d1 = QueueCase("general", kT0 + absl::Minutes(40), v1::URGENCY_SOON, "clinic-d");
  // m1 has no fairness meta: it counts as a clinic and tier of its own.
  ASSERT_TRUE(redis_->Command({"HDEL", keys::PoolCaseMeta("general"), m1}).ok());
  ASSERT_TRUE(redis_->Command({"HSET", keys::PoolServed("general"), "turn", "10", "c:clinic-a", "9", "c:clinic-b", "4"})
                  .ok());
  QueueIndex index(redis_);
  std::vector<std::string> order;
  std::vector<absl::Time> dues;
  for (int i = 0; i < 6; ++i) {
    absl::StatusOr<std::optional<IndexClaim>> claimed =
        index.ClaimHead("general", "derm-1", kT0 + absl::Hours(1), absl::Minutes(30));
    ASSERT_TRUE(claimed.ok() && claimed->has_value()) << claimed.status();
    EXPECT_EQ((*claimed)->fencing_token, i + 1);
    order.push_back((*claimed)->case_id);
    dues.push_back((*claimed)->due);
  }
  // 1: of the head's tier (SOON) within 30 min, clinic-b was served longest
  //    ago (turn 4 against 9), and its earlier case goes; c1 (URGENT) and m1
  //    (no tier) are not compared. 2: clinic-a (9) before clinic-b (now 11).
  // 3, 4: c1 and m1 are alone in their tiers. 5, 6: d1 was beyond the window.
  EXPECT_EQ(order, (std::vector<std::string>{b1, a1, c1, m1, b2, d1}));
  EXPECT_EQ(dues, (std::vector<absl::Time>{kT0 + absl::Minutes(3), kT0, kT0 + absl::Minutes(1),
                                           kT0 + absl::Minutes(2), kT0 + absl::Minutes(4), kT0 + absl::Minutes(40)}));
  auto served = redis_->Command({"HGETALL", keys::PoolServed("general")});
  ASSERT_TRUE(served.ok()) << served.status();
  std::map<std::string, std::string> turns;
  for (size_t i = 0; i + 1 < served->elements.size(); i += 2) turns[served->elements[i].str] = served->elements[i + 1].str;
  EXPECT_EQ(turns, (std::map<std::string, std::string>{{"turn", "16"},
                                                       {"c:clinic-a", "12"},
                                                       {"c:clinic-b", "15"},
                                                       {"c:clinic-c", "13"},
                                                       {"c:", "14"},
                                                       {"c:clinic-d", "16"}}));
  auto empty = index.ClaimHead("general", "derm-1", kT0 + absl::Hours(1), absl::Minutes(30));
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_FALSE(empty->has_value());
}

TEST_F(ReferralTest, ClaimerThatDiedBeforeUpdatingTheRecordLeavesTheCaseToTheReaper) {
  const std::string case_id = AddTriagedCase(v1::URGENCY_URGENT, kT0);
  DrainTriaged();
  // The index claim is made, then the process dies before the record changes.
  QueueIndex index(redis_);
  auto orphan = index.ClaimHead("general", "derm-gone", clock_->Now() + options_.lease, absl::ZeroDuration());
  ASSERT_TRUE(orphan.ok() && orphan->has_value());
  Specialist derm(channel_, "derm-1");
  v1::ClaimNextResponse claimed;
  EXPECT_EQ(derm.Claim(&claimed).error_code(), grpc::StatusCode::NOT_FOUND);

  clock_->Advance(options_.lease + absl::Seconds(1));
  LeaseReaper reaper(redis_, clock_);
  ASSERT_TRUE(reaper.ReapOnce().ok());
  EXPECT_EQ(Integer({"HLEN", keys::PoolClaims("general")}), 0);
  ASSERT_TRUE(derm.Claim(&claimed).ok());
  EXPECT_EQ(claimed.case_().case_id(), case_id);
  EXPECT_GT(claimed.claim().fencing_token(), (*orphan)->fencing_token);
}

TEST_F(ReferralTest, ConcurrentReapersRequeueEachLapsedCaseOnce) {
  constexpr int kCases = 60, kReapers = 4;
  for (int i = 0; i < kCases; ++i) AddTriagedCase(v1::URGENCY_SOON, kT0 + absl::Seconds(i));
  DrainTriaged();
  Specialist derm(channel_, "derm-1");
  for (int i = 0; i < kCases; ++i) {
    v1::ClaimNextResponse claimed;
    ASSERT_TRUE(derm.Claim(&claimed).ok());
  }
  clock_->Advance(options_.lease);

  std::atomic<int> requeued{0};
  std::vector<std::thread> reapers;
  for (int r = 0; r < kReapers; ++r) {
    reapers.emplace_back([&] {
      LeaseReaper reaper(redis_, clock_);
      absl::StatusOr<int> n = reaper.ReapOnce();
      ASSERT_TRUE(n.ok()) << n.status();
      requeued += *n;
    });
  }
  for (auto& reaper : reapers) reaper.join();
  EXPECT_EQ(requeued.load(), kCases);
  EXPECT_EQ(Integer({"ZCARD", keys::PoolQueue("general")}), kCases);
  EXPECT_EQ(Integer({"ZCARD", keys::PoolLeases("general")}), 0);
  EXPECT_EQ(Integer({"HLEN", keys::PoolClaims("general")}), 0);
  v1::ListQueueResponse listed;
  v1::ListQueueRequest request;
  request.set_page_size(500);
  ASSERT_TRUE(derm.List(request, &listed).ok());
  EXPECT_EQ(listed.entries_size(), kCases);
}

TEST_F(ReferralTest, WorkerAndHousekeepingOnAnIoContextQueueCasesAndStopPromptly) {
  std::unique_ptr<StreamWorker> worker = TriagedWorker(redis_, clock_, options_, "referral-background");
  Housekeeping housekeeping(std::make_unique<LeaseReaper>(redis_, clock_), std::make_unique<Escalator>(redis_, clock_),
                            absl::Milliseconds(50));
  boost::asio::io_context io;
  auto work = boost::asio::make_work_guard(io);
  worker->Start(io);
  housekeeping.Start(io);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) threads.emplace_back([&io] { io.run(); });
  const std::string case_id = AddTriagedCase(v1::URGENCY_URGENT, kT0);
  // Real time here: the background threads block on Redis, not on the clock.
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (Record(case_id).status() != v1::CASE_STATUS_QUEUED && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_EQ(Record(case_id).status(), v1::CASE_STATUS_QUEUED);
  const absl::Time stop_started = absl::Now();
  worker->Stop();
  housekeeping.Stop();
  work.reset();
  for (std::thread& thread : threads) thread.join();
  EXPECT_LT(absl::Now() - stop_started, absl::Seconds(3));
}

TEST(ReferralWithoutRedisTest, RedisDownIsUnavailable) {
  redis::ClientOptions options;
  options.endpoint.port = testing::FreeLoopbackPort();
  options.connect_timeout = absl::Milliseconds(200);
  SpecialistQueue queue(redis::Client::Create(options), std::make_shared<SimulatedClock>(kT0), ReferralOptions(),
                        Codes());
  Reader caller;
  caller.id = "derm-1";
  caller.pools = {"general"};
  EXPECT_EQ(queue.ClaimNext(caller, v1::ClaimNextRequest()).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(ReferralTest, ABatchOfCasesFromSeveralClinicsIsQueuedOnceEachWithTheirEvents) {
  const std::string a = AddTriagedCase(v1::URGENCY_ROUTINE, kT0, true, "clinic-a");
  const std::string b = AddTriagedCase(v1::URGENCY_URGENT, kT0 + absl::Minutes(1), true, "clinic-b");
  const std::string c = AddTriagedCase(v1::URGENCY_SOON, kT0 + absl::Minutes(2), false, "clinic-a");
  // The same case twice in one batch (triage handed it on twice).
  ASSERT_TRUE(redis::StreamAppend(*redis_, keys::kTriagedStream, {{"case_id", a}}).ok());
  EXPECT_EQ(DrainTriaged(), 4);
  for (const std::string& id : {a, b, c}) {
    v1::Case stored = Record(id);
    EXPECT_EQ(stored.status(), v1::CASE_STATUS_QUEUED) << id;
    int queued_transitions = 0;
    for (const auto& change : stored.history()) queued_transitions += change.to() == v1::CASE_STATUS_QUEUED;
    EXPECT_EQ(queued_transitions, 1) << id;
  }
  EXPECT_EQ(Record(c).urgency(), v1::URGENCY_URGENT);  // not screened: urgent (invariant 4)
  EXPECT_EQ(Integer({"ZCARD", keys::PoolQueue("general")}), 3);
  EXPECT_EQ(Integer({"XLEN", keys::ClinicEvents("clinic-a")}), 2);  // a and c, each told once
  EXPECT_EQ(Integer({"XLEN", keys::ClinicEvents("clinic-b")}), 1);
  auto pending = redis_->Command({"XPENDING", keys::kTriagedStream, keys::kReferralGroup});
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->elements[0].integer, 0);
}

TEST_F(ReferralTest, ABatchWhileRedisIsAwayLeavesEveryEntryWithAnError) {
  redis::ClientOptions nowhere;
  nowhere.endpoint.port = 1;  // nothing listens there
  TriagedStreamHandler away(redis::Client::Create(nowhere), clock_, options_);
  std::vector<absl::Status> handled = away.HandleBatch(
      {{"1-0", {{"case_id", NewCaseId(kT0)}}}, {"2-0", {{"case_id", NewCaseId(kT0)}}}});
  ASSERT_EQ(handled.size(), 2u);
  EXPECT_TRUE(absl::IsUnavailable(handled[0])) << handled[0];
  EXPECT_TRUE(absl::IsUnavailable(handled[1])) << handled[1];
}

}  // namespace
}  // namespace telederm::referral
