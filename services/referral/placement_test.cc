#include "services/referral/placement.h"

#include <gtest/gtest.h>

#include "common/case_state/timestamps.h"

namespace telederm::referral {
namespace {

const absl::Time kReceived = absl::FromUnixSeconds(1'800'000'000);

v1::Case ScreenedCase(v1::Urgency tier, bool screened) {
  v1::Case c;
  *c.mutable_received_at() = ToProtoTimestamp(kReceived);
  c.mutable_triage()->set_tier(tier);
  c.mutable_triage()->set_screened(screened);
  return c;
}

TEST(PlacementTest, ScreenedCaseKeepsItsTierAndIsDueAfterTheTierTarget) {
  Placement placement = PlaceCase(ScreenedCase(v1::URGENCY_SOON, true), ReferralOptions());
  EXPECT_EQ(placement.pool, "general");
  EXPECT_EQ(placement.urgency, v1::URGENCY_SOON);
  EXPECT_EQ(placement.due, kReceived + absl::Hours(72));
}

TEST(PlacementTest, NotScreenedRoutineCaseIsUrgent) {
  Placement placement = PlaceCase(ScreenedCase(v1::URGENCY_ROUTINE, false), ReferralOptions());
  EXPECT_EQ(placement.urgency, v1::URGENCY_URGENT);
  EXPECT_EQ(placement.due, kReceived + absl::Hours(24));
}

TEST(PlacementTest, CaseWithoutTriageOrTierIsUrgent) {
  v1::Case no_triage;
  *no_triage.mutable_received_at() = ToProtoTimestamp(kReceived);
  EXPECT_EQ(QueueUrgency(no_triage), v1::URGENCY_URGENT);
  EXPECT_EQ(QueueUrgency(ScreenedCase(v1::URGENCY_UNSPECIFIED, true)), v1::URGENCY_URGENT);
}

TEST(PlacementTest, ConfiguredDefaultPoolIsUsed) {
  ReferralOptions options;
  options.default_pool = "north";
  EXPECT_EQ(PlaceCase(ScreenedCase(v1::URGENCY_ROUTINE, true), options).pool, "north");
}

TEST(PlacementTest, OptionsWithTargetsOutOfOrderAreRefused) {
  ReferralOptions options;
  options.targets.soon = absl::Hours(200);
  absl::Status status = ValidateOptions(options);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("soon_target"), absl::string_view::npos);
  EXPECT_TRUE(ValidateOptions(ReferralOptions()).ok());
}

}  // namespace
}  // namespace telederm::referral
