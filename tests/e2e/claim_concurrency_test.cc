// Exclusive claims across processes: 8 specialist clients on 2 real
// telederm-referral processes claim from 1,000 queued cases. Every case is
// claimed exactly once; leases that lapse bring their cases back; a holder
// whose lease lapsed cannot report. Time moves through the referral
// processes' clock file (StackOptions::referral_clock_file, an offset added
// to their clock), never by sleeping out a lease.
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/case_state/state_machine.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/case_store.h"
#include "common/case_store/keys.h"
#include "common/ids/ids.h"
#include "common/redis/client.h"
#include "common/redis/stream.h"
#include "tests/e2e/api.h"
#include "tests/e2e/stack.h"
#include "tests/harness/temp_dir.h"

namespace telederm::testing {
namespace {

constexpr int kCases = 1000;
constexpr int kClients = 8;
constexpr int kAbandonEvery = 10;  // every 10th claim is left to lapse

struct Claimed {
  std::string case_id;
  int64_t token = 0;
  int client = 0;
};

v1::SubmitReportRequest Report(const std::string& case_id, int64_t token) {
  v1::SubmitReportRequest request;
  request.set_case_id(case_id);
  request.set_fencing_token(token);
  request.mutable_report()->set_diagnosis_text("Benign melanocytic naevus");
  request.mutable_report()->set_icd10_code("D22.5");
  request.mutable_report()->set_management(v1::MANAGEMENT_REASSURE);
  return request;
}

TEST(ClaimConcurrencyTest, EightClientsOnTwoReferralProcessesClaimEachOfAThousandCasesOnceAndLapsedLeasesReturn) {
  auto dir = MakeTempDir("claims-clock");
  ASSERT_TRUE(dir.ok());
  const std::string clock_file = *dir + "/offset_ms";
  auto set_offset = [&](absl::Duration offset) {
    std::ofstream out(clock_file, std::ios::trunc);
    out << absl::ToInt64Milliseconds(offset) << "\n";
  };
  set_offset(absl::ZeroDuration());
  StackOptions options;
  options.referral_processes = 2;
  options.referral_clock_file = clock_file;
  options.referral_flags = {"--reap_interval=200ms", "--lease=15m"};
  auto stack = Stack::Start(options);
  ASSERT_TRUE(stack.ok()) << stack.status();

  // 1,000 cases as triage leaves them, on stream:triaged for the two consumers.
  redis::ClientOptions redis_options;
  redis_options.endpoint.port = (*stack)->redis().port();
  redis_options.pool_size = 8;
  auto redis = redis::Client::Connect(redis_options);
  ASSERT_TRUE(redis.ok()) << redis.status();
  CaseStore store(*redis);
  const absl::Time t0 = absl::Now();
  for (int i = 0; i < kCases; ++i) {
    v1::Case c;
    const absl::Time received = t0 - absl::Minutes(kCases - i);
    c.set_case_id(NewCaseId(received));
    c.set_clinic_id(absl::StrCat("clinic-", i % 7));
    *c.mutable_received_at() = ToProtoTimestamp(received);
    c.mutable_submission()->set_type(v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
    c.mutable_submission()->mutable_patient()->set_age_years(40);
    c.mutable_triage()->set_tier(static_cast<v1::Urgency>(1 + i % 3));
    c.mutable_triage()->set_screened(true);
    ASSERT_TRUE(TransitionCase(c, v1::CASE_STATUS_RECEIVED, received, c.clinic_id()).ok());
    ASSERT_TRUE(TransitionCase(c, v1::CASE_STATUS_SCREENING, received, "triage").ok());
    ASSERT_TRUE(store.Create(c).ok());
    ASSERT_TRUE(redis::StreamAppend(**redis, keys::kTriagedStream, {{"case_id", c.case_id()}}).ok());
  }
  auto queued = [&] {
    auto n = (*redis)->Command({"ZCARD", keys::PoolQueue("general")});
    return n.ok() ? n->integer : -1;
  };
  ASSERT_TRUE(WaitUntil([&] { return queued() == kCases; }, absl::Seconds(60)))
      << queued() << (*stack)->LogTail(Service::kReferral, 0) << (*stack)->LogTail(Service::kReferral, 1);

  std::vector<std::unique_ptr<v1::ReferralService::Stub>> stubs;
  for (int p = 0; p < 2; ++p) {
    stubs.push_back(v1::ReferralService::NewStub(
        grpc::CreateChannel((*stack)->address(Service::kReferral, p), grpc::InsecureChannelCredentials())));
  }
  std::mutex mutex;
  std::map<std::string, int> claims_per_case;
  std::set<int64_t> tokens;
  std::vector<Claimed> abandoned;
  std::atomic<int> failures{0};
  auto run_clients = [&](bool abandon_some) {
    std::vector<std::thread> clients;
    for (int client = 0; client < kClients; ++client) {
      clients.emplace_back([&, client] {
        v1::ReferralService::Stub& stub = *stubs[client % 2];
        const std::string me = absl::StrCat("derm-", client);
        for (int n = 0;; ++n) {
          v1::ClaimNextResponse claim;
          grpc::Status status = stub.ClaimNext(AsSpecialist(me).get(), v1::ClaimNextRequest(), &claim);
          if (status.error_code() == grpc::StatusCode::NOT_FOUND) return;
          if (!status.ok()) {
            ++failures;
            return;
          }
          {
            std::lock_guard<std::mutex> lock(mutex);
            ++claims_per_case[claim.case_().case_id()];
            tokens.insert(claim.claim().fencing_token());
            if (abandon_some && n % kAbandonEvery == kAbandonEvery - 1) {
              abandoned.push_back({claim.case_().case_id(), claim.claim().fencing_token(), client});
              continue;
            }
          }
          v1::SubmitReportResponse reported;
          if (!stub.SubmitReport(AsSpecialist(me).get(), Report(claim.case_().case_id(), claim.claim().fencing_token()),
                                 &reported)
                   .ok()) {
            ++failures;
          }
        }
      });
    }
    for (std::thread& t : clients) t.join();
  };

  run_clients(/*abandon_some=*/true);
  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(claims_per_case.size(), static_cast<size_t>(kCases));
  for (const auto& [case_id, claims] : claims_per_case) EXPECT_EQ(claims, 1) << case_id;
  EXPECT_EQ(tokens.size(), static_cast<size_t>(kCases));
  ASSERT_FALSE(abandoned.empty());
  EXPECT_EQ(queued(), 0);

  // 16 minutes later the abandoned leases have lapsed: the reapers bring the cases back.
  set_offset(absl::Minutes(16));
  ASSERT_TRUE(WaitUntil([&] { return queued() == static_cast<int64_t>(abandoned.size()); }, absl::Seconds(30)))
      << queued() << " of " << abandoned.size();

  // The stale holders cannot report any more.
  for (const Claimed& stale : abandoned) {
    v1::SubmitReportResponse reported;
    grpc::Status status = stubs[stale.client % 2]->SubmitReport(
        AsSpecialist(absl::StrCat("derm-", stale.client)).get(), Report(stale.case_id, stale.token), &reported);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << stale.case_id;
  }
  // Claimed again, each once, and reported by the new holders.
  claims_per_case.clear();
  const size_t lapsed = abandoned.size();
  run_clients(/*abandon_some=*/false);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(claims_per_case.size(), lapsed);
  for (const Claimed& stale : abandoned) EXPECT_EQ(claims_per_case[stale.case_id], 1) << stale.case_id;

  int reported = 0;
  for (const auto& [case_id, unused] : claims_per_case) {
    auto c = store.Get(case_id);
    reported += c.ok() && c->has_value() && (*c)->status() == v1::CASE_STATUS_REPORTED;
  }
  EXPECT_EQ(reported, static_cast<int>(lapsed));
}

}  // namespace
}  // namespace telederm::testing
