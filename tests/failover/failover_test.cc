// Failover: Redis is a master and a replica watched by three sentinels
// (tests/harness/sentinel_redis.h), the services reach it as
// --redis=sentinel://...; clinics submit cases and specialists claim and
// report them while the master is killed (-9). The services must follow the
// promoted replica; at the end every acknowledged case has been reported
// exactly once, no case was held by two specialists at once, and one line
// says what happened and how long each service was without Redis (from the
// kill to the answer to the first call sent after it, the longest over the
// run):
//
//   failover: N failovers, N submitted, N acknowledged, N reported, N lost, N reported twice,
//   N duplicated claims; without service: intake max Xs, referral max Ys; promotion max Zs
//
// ctest runs one failover. The soak (deploy/failover-soak.sh) sets
// TELEDERM_FAILOVER_SECONDS to fail over again and again for that long.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/status/grpc_status.h"
#include "tests/e2e/api.h"
#include "tests/e2e/stack.h"

namespace telederm::testing {
namespace {

const std::string kImage = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0024311.jpg";

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* value = std::getenv(name);
  int64_t parsed = 0;
  return value != nullptr && absl::SimpleAtoi(value, &parsed) ? parsed : fallback;
}

// What the clinics and specialists saw.
class Outcome {
 public:
  enum class Side { kIntake, kReferral };

  void Submitted() { ++submitted_; }
  void Acknowledged(const std::string& clinic, const std::string& case_id) {
    absl::MutexLock lock(&mutex_);
    acknowledged_[case_id] = clinic;
  }
  // A call sent at `sent` that Redis's state answered (even "nothing to claim").
  void Served(Side side, absl::Time sent) {
    absl::MutexLock lock(&mutex_);
    served_[side].push_back({sent, absl::Now()});
  }
  void ClientError(std::string what) {
    absl::MutexLock lock(&mutex_);
    errors_.push_back(std::move(what));
  }
  struct Claim {
    std::string specialist;
    int64_t token = 0;
    absl::Time received;
    absl::Time until;  // reported, given up, or lease lapsed: whichever came first
  };
  void Claimed(const std::string& case_id, Claim claim, bool reported) {
    absl::MutexLock lock(&mutex_);
    claims_[case_id].push_back(claim);
    if (reported) ++reports_[case_id];
  }

  int submitted() const { return submitted_; }
  int acknowledged() {
    absl::MutexLock lock(&mutex_);
    return static_cast<int>(acknowledged_.size());
  }
  int Unreported() {
    absl::MutexLock lock(&mutex_);
    int n = 0;
    for (const auto& [case_id, clinic] : acknowledged_) n += reports_.count(case_id) == 0;
    return n;
  }
  // What the clients saw, once they have stopped.
  struct Totals {
    std::map<std::string, std::string> acknowledged;  // case id -> clinic
    std::map<std::string, int> reports;               // case id -> reports stored
    std::vector<std::string> errors;
  };
  Totals Total() {
    absl::MutexLock lock(&mutex_);
    return {acknowledged_, reports_, errors_};
  }
  // The time from `down` until `side` answered a call sent after it.
  absl::Duration OutageAfter(Side side, absl::Time down) {
    absl::MutexLock lock(&mutex_);
    absl::Duration outage = absl::InfiniteDuration();
    for (const auto& [sent, answered] : served_[side]) {
      if (sent >= down) outage = std::min(outage, answered - down);
    }
    return outage;
  }
  // Cases that a second claim reached while an earlier one still held them.
  int HeldTwice() {
    absl::MutexLock lock(&mutex_);
    int cases = 0;
    for (auto& [case_id, claims] : claims_) {
      std::sort(claims.begin(), claims.end(), [](const Claim& a, const Claim& b) { return a.received < b.received; });
      for (size_t i = 1; i < claims.size(); ++i) {
        if (claims[i].received < claims[i - 1].until) {
          std::cout << "failover: case " << case_id << " claimed by " << claims[i].specialist << " (token "
                    << claims[i].token << ") while " << claims[i - 1].specialist << " (token "
                    << claims[i - 1].token << ") held it" << std::endl;
          ++cases;
          break;
        }
      }
    }
    return cases;
  }

 private:
  std::atomic<int> submitted_{0};
  absl::Mutex mutex_;
  std::map<std::string, std::string> acknowledged_ ABSL_GUARDED_BY(mutex_);  // case id -> clinic
  std::map<Side, std::vector<std::pair<absl::Time, absl::Time>>> served_ ABSL_GUARDED_BY(mutex_);  // sent, answered
  std::map<std::string, std::vector<Claim>> claims_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, int> reports_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::string> errors_ ABSL_GUARDED_BY(mutex_);
};

// One clinic: one photo, then case after case, each retried under its
// idempotency key until acknowledged.
void RunClinic(const std::string& intake_address, const std::string& clinic, std::atomic<bool>& stop,
               Outcome& outcome) {
  auto intake = v1::IntakeService::NewStub(FastReconnectChannel(intake_address));
  absl::StatusOr<v1::ImageRef> image = UploadImageResumable(*intake, clinic, ReadFileBytes(kImage),
                                                            v1::MODALITY_DERMOSCOPY, 64 * 1024, absl::Minutes(1));
  if (!image.ok()) {
    outcome.ClientError(absl::StrCat(clinic, " upload: ", image.status().ToString()));
    return;
  }
  for (int n = 0; !stop; ++n) {
    v1::SubmitCaseRequest request;
    *request.mutable_submission() = QuietTumourSubmission(absl::StrCat("pt-", clinic, "-", n), *image);
    request.set_idempotency_key(absl::StrCat(clinic, "-case-", n));
    outcome.Submitted();
    const absl::Time give_up = absl::Now() + absl::Minutes(1);
    for (absl::Duration pause = absl::Milliseconds(50);; pause = std::min(pause * 2, absl::Milliseconds(500))) {
      v1::SubmitCaseResponse response;
      const absl::Time sent = absl::Now();
      absl::Status status =
          FromGrpcStatus(intake->SubmitCase(AsClinic(clinic, absl::Seconds(10)).get(), request, &response));
      if (status.ok()) {
        outcome.Served(Outcome::Side::kIntake, sent);
        outcome.Acknowledged(clinic, response.case_id());
        break;
      }
      if (!IsTransient(status) || absl::Now() > give_up) {
        outcome.ClientError(absl::StrCat(clinic, " case ", n, ": ", status.ToString()));
        break;
      }
      absl::SleepFor(pause);  // a clinic's retry pace, not synchronisation
    }
    absl::SleepFor(absl::Milliseconds(250));  // a clinic's pace: triage analyses each image
  }
}

// One dermatologist: claims the next case and reports it, retrying the
// report with the same fencing token while the lease lasts.
void RunSpecialist(const std::string& referral_address, const std::string& specialist, std::atomic<bool>& stop,
                   Outcome& outcome) {
  auto referral = v1::ReferralService::NewStub(FastReconnectChannel(referral_address));
  while (!stop) {
    v1::ClaimNextResponse claimed;
    const absl::Time sent = absl::Now();
    absl::Status status = FromGrpcStatus(referral->ClaimNext(
        AsSpecialist(specialist, "general", absl::Seconds(5)).get(), v1::ClaimNextRequest(), &claimed));
    if (status.ok() || absl::IsNotFound(status)) outcome.Served(Outcome::Side::kReferral, sent);
    if (!status.ok()) {
      if (!absl::IsNotFound(status) && !IsTransient(status)) {
        outcome.ClientError(absl::StrCat(specialist, " claim: ", status.ToString()));
      }
      absl::SleepFor(absl::Milliseconds(50));
      continue;
    }
    const google::protobuf::Timestamp& lease = claimed.claim().lease_expires_at();
    Outcome::Claim claim{specialist, claimed.claim().fencing_token(), absl::Now(),
                         absl::FromUnixSeconds(lease.seconds()) + absl::Nanoseconds(lease.nanos())};
    const std::string& case_id = claimed.case_().case_id();
    const absl::Status report =
        SubmitReportRetrying(*referral, specialist, BenignNaevusReport(case_id, claim.token), claim.until);
    if (!report.ok() && !IsTransient(report) && !absl::IsFailedPrecondition(report)) {
      outcome.ClientError(absl::StrCat(specialist, " report of ", case_id, ": ", report.ToString()));
    }
    if (report.ok() || !IsTransient(report)) claim.until = absl::Now();
    outcome.Claimed(case_id, claim, report.ok());
  }
}

v1::CaseStatus StatusOf(v1::IntakeService::Stub& intake, const std::string& clinic, const std::string& case_id) {
  v1::GetCaseRequest request;
  request.set_case_id(case_id);
  v1::Case c;
  grpc::Status status = intake.GetCase(AsClinic(clinic).get(), request, &c);
  return status.ok() ? c.status() : v1::CASE_STATUS_UNSPECIFIED;
}

TEST(FailoverTest, KillingTheRedisMasterLosesNoAcknowledgedCaseAndServesNoCaseTwice) {
  const absl::Duration soak = absl::Seconds(EnvInt("TELEDERM_FAILOVER_SECONDS", 0));
  StackOptions options;
  options.sentinel = SentinelRedisOptions();
  options.redis_appendfsync = "everysec";  // the replica, not the AOF, keeps what the master's death takes
  options.intake_flags = {"--redis_wait_replicas=1", "--redis_wait_timeout=1s"};
  options.triage_flags = {"--reclaim_idle=2s"};
  options.referral_flags = {"--reclaim_idle=2s", "--lease=15s", "--redis_wait_replicas=1", "--redis_wait_timeout=1s"};
  absl::StatusOr<std::unique_ptr<Stack>> started = Stack::Start(options);
  ASSERT_TRUE(started.ok()) << started.status();
  Stack& stack = **started;
  SentinelRedis& redis = *stack.sentinel_redis();

  Outcome outcome;
  std::atomic<bool> stop_clinics{false};
  std::atomic<bool> stop_specialists{false};
  std::vector<std::thread> clinics;
  for (int i = 0; i < 3; ++i) {
    clinics.emplace_back(RunClinic, stack.address(Service::kIntake), absl::StrCat("clinic-failover-", i),
                         std::ref(stop_clinics), std::ref(outcome));
  }
  std::vector<std::thread> specialists;
  for (const char* specialist : {"derm-failover-1", "derm-failover-2"}) {
    specialists.emplace_back(RunSpecialist, stack.address(Service::kReferral), specialist,
                             std::ref(stop_specialists), std::ref(outcome));
  }

  // Each round: cases flow, the master dies, a replica is promoted, cases
  // flow again. From this thread: the servers die with the thread that
  // started them.
  std::vector<absl::Time> kills;
  absl::Duration slowest_promotion;
  const absl::Time end = absl::Now() + soak;
  // A failure here still stops and joins the client threads below.
  do {
    const int before = outcome.acknowledged();
    if (!WaitUntil([&] { return outcome.acknowledged() >= before + 5; }, absl::Seconds(60))) {
      ADD_FAILURE() << "no cases acknowledged before failover " << kills.size() + 1 << "\n"
                    << stack.LogTail(Service::kIntake);
      break;
    }
    kills.push_back(absl::Now());
    if (absl::Status killed = redis.KillMaster(); !killed.ok()) {
      ADD_FAILURE() << killed;
      break;
    }
    absl::StatusOr<absl::Duration> promoted = redis.AwaitFailover(absl::Seconds(60));
    if (!promoted.ok()) {
      ADD_FAILURE() << promoted.status();
      break;
    }
    slowest_promotion = std::max(slowest_promotion, *promoted);
  } while (absl::Now() < end);
  const int before = outcome.acknowledged();
  EXPECT_TRUE(WaitUntil([&] { return outcome.acknowledged() >= before + 5; }, absl::Seconds(60)))
      << "intake did not follow the promoted replica\n" << stack.LogTail(Service::kIntake);
  stop_clinics = true;
  for (std::thread& t : clinics) t.join();
  // Settle: the backlog drains (triage analyses every image); give up only
  // when no acknowledged case has been reported for 30 s.
  for (int unreported = outcome.Unreported(); unreported > 0; unreported = outcome.Unreported()) {
    if (!WaitUntil([&] { return outcome.Unreported() < unreported; }, absl::Seconds(30))) break;
  }
  EXPECT_EQ(outcome.Unreported(), 0) << "acknowledged cases not reported\n"
                                     << stack.LogTail(Service::kTriage) << stack.LogTail(Service::kReferral);
  stop_specialists = true;
  for (std::thread& t : specialists) t.join();

  // Every acknowledged case is reported, once, and the record says so.
  auto intake = v1::IntakeService::NewStub(FastReconnectChannel(stack.address(Service::kIntake)));
  const Outcome::Totals totals = outcome.Total();
  const std::map<std::string, std::string>& acknowledged = totals.acknowledged;
  const std::map<std::string, int>& reports = totals.reports;
  int lost = 0;
  int reported_twice = 0;
  for (const auto& [case_id, clinic] : acknowledged) {
    auto found = reports.find(case_id);
    if (found == reports.end()) {
      ++lost;
      std::cout << "failover: case " << case_id << " of " << clinic << " acknowledged and never reported; now "
                << v1::CaseStatus_Name(StatusOf(*intake, clinic, case_id)) << std::endl;
      continue;
    }
    reported_twice += found->second > 1;
    EXPECT_EQ(StatusOf(*intake, clinic, case_id), v1::CASE_STATUS_REPORTED) << case_id;
  }
  const int held_twice = outcome.HeldTwice();
  absl::Duration intake_outage;
  absl::Duration referral_outage;
  for (absl::Time kill : kills) {
    intake_outage = std::max(intake_outage, outcome.OutageAfter(Outcome::Side::kIntake, kill));
    referral_outage = std::max(referral_outage, outcome.OutageAfter(Outcome::Side::kReferral, kill));
  }
  auto seconds = [](absl::Duration d) { return absl::FormatDuration(absl::Trunc(d, absl::Milliseconds(10))); };
  std::cout << "failover: " << kills.size() << " failovers, " << outcome.submitted() << " submitted, "
            << acknowledged.size() << " acknowledged, " << reports.size() << " reported, " << lost << " lost, "
            << reported_twice << " reported twice, " << held_twice
            << " duplicated claims; without service: intake max " << seconds(intake_outage) << ", referral max "
            << seconds(referral_outage) << "; promotion max " << seconds(slowest_promotion) << std::endl;
  for (const std::string& error : totals.errors) std::cout << "failover: client error: " << error << std::endl;
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(reported_twice, 0);
  EXPECT_EQ(held_twice, 0);
  EXPECT_TRUE(totals.errors.empty());
}

}  // namespace
}  // namespace telederm::testing
