#include "common/case_state/state_machine.h"

#include <set>

#include <gtest/gtest.h>

#include "common/case_state/due_time.h"
#include "common/case_state/timestamps.h"

namespace telederm {
namespace {

using v1::CaseStatus;

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

v1::Case CaseIn(CaseStatus status) {
  v1::Case c;
  c.set_case_id("c-01JAAAAAAAAAAAAAAAAAAAAAAA");
  c.set_status(status);
  return c;
}

TEST(StateMachineTest, HappyPathFromReceivedToClosedRecordsHistory) {
  v1::Case c = CaseIn(v1::CASE_STATUS_UNSPECIFIED);
  const CaseStatus path[] = {v1::CASE_STATUS_RECEIVED, v1::CASE_STATUS_SCREENING, v1::CASE_STATUS_QUEUED,
                             v1::CASE_STATUS_CLAIMED,  v1::CASE_STATUS_NEEDS_INFO, v1::CASE_STATUS_QUEUED,
                             v1::CASE_STATUS_CLAIMED,  v1::CASE_STATUS_REPORTED,  v1::CASE_STATUS_CLOSED};
  for (CaseStatus to : path) ASSERT_TRUE(TransitionCase(c, to, kT0, "test").ok()) << StatusName(to);
  EXPECT_EQ(c.status(), v1::CASE_STATUS_CLOSED);
  ASSERT_EQ(c.history_size(), 9);
  EXPECT_EQ(c.history(4).from(), v1::CASE_STATUS_CLAIMED);
  EXPECT_EQ(c.history(4).to(), v1::CASE_STATUS_NEEDS_INFO);
  EXPECT_EQ(c.history(4).actor(), "test");
  EXPECT_EQ(FromProtoTimestamp(c.history(4).at()), kT0);
}

TEST(StateMachineTest, IllegalTransitionIsFailedPreconditionAndChangesNothing) {
  v1::Case c = CaseIn(v1::CASE_STATUS_QUEUED);
  absl::Status status = TransitionCase(c, v1::CASE_STATUS_REPORTED, kT0, "specialist-1");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "case c-01JAAAAAAAAAAAAAAAAAAAAAAA is queued; it cannot become reported");
  EXPECT_EQ(c.status(), v1::CASE_STATUS_QUEUED);
  EXPECT_EQ(c.history_size(), 0);
}

TEST(StateMachineTest, ExactlyTheDocumentedTransitionsAreAllowed) {
  const std::set<std::pair<int, int>> allowed = {
      {v1::CASE_STATUS_UNSPECIFIED, v1::CASE_STATUS_RECEIVED},
      {v1::CASE_STATUS_RECEIVED, v1::CASE_STATUS_SCREENING},
      {v1::CASE_STATUS_SCREENING, v1::CASE_STATUS_QUEUED},
      {v1::CASE_STATUS_QUEUED, v1::CASE_STATUS_CLAIMED},
      {v1::CASE_STATUS_CLAIMED, v1::CASE_STATUS_QUEUED},
      {v1::CASE_STATUS_CLAIMED, v1::CASE_STATUS_NEEDS_INFO},
      {v1::CASE_STATUS_CLAIMED, v1::CASE_STATUS_REPORTED},
      {v1::CASE_STATUS_NEEDS_INFO, v1::CASE_STATUS_QUEUED},
      {v1::CASE_STATUS_NEEDS_INFO, v1::CASE_STATUS_SCREENING},
      {v1::CASE_STATUS_REPORTED, v1::CASE_STATUS_CLOSED},
  };
  for (int from = v1::CASE_STATUS_UNSPECIFIED; from <= v1::CASE_STATUS_CLOSED; ++from) {
    for (int to = v1::CASE_STATUS_UNSPECIFIED; to <= v1::CASE_STATUS_CLOSED; ++to) {
      EXPECT_EQ(IsAllowedTransition(static_cast<CaseStatus>(from), static_cast<CaseStatus>(to)),
                allowed.count({from, to}) == 1)
          << StatusName(static_cast<CaseStatus>(from)) << " -> " << StatusName(static_cast<CaseStatus>(to));
    }
  }
}

TEST(DueTimeTest, UrgentCaseReceivedLaterIsStillDueBeforeRoutineCaseReceivedEarlier) {
  ServiceLevelTargets targets;
  absl::Time routine_due = DueTime(kT0, v1::URGENCY_ROUTINE, targets);
  // Any urgent case received within the routine target minus the urgent target is due first.
  absl::Time urgent_due = DueTime(kT0 + absl::Hours(24 * 6) - absl::Minutes(1), v1::URGENCY_URGENT, targets);
  EXPECT_LT(urgent_due, routine_due);
  EXPECT_LT(DueTime(kT0, v1::URGENCY_URGENT, targets), DueTime(kT0, v1::URGENCY_SOON, targets));
  EXPECT_LT(DueTime(kT0, v1::URGENCY_SOON, targets), routine_due);
}

TEST(DueTimeTest, UnknownTierIsTreatedAsUrgent) {
  ServiceLevelTargets targets;
  EXPECT_EQ(DueTime(kT0, v1::URGENCY_UNSPECIFIED, targets), DueTime(kT0, v1::URGENCY_URGENT, targets));
}

TEST(TimestampsTest, RoundTripKeepsNanosecondsIncludingBeforeEpoch) {
  for (absl::Time t : {kT0 + absl::Nanoseconds(123456789), absl::FromUnixNanos(-1500000000)}) {
    EXPECT_EQ(FromProtoTimestamp(ToProtoTimestamp(t)), t);
  }
  EXPECT_GE(ToProtoTimestamp(absl::FromUnixNanos(-1500000000)).nanos(), 0);
}

}  // namespace
}  // namespace telederm
