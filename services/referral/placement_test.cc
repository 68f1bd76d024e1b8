#include "services/referral/placement.h"

#include <gtest/gtest.h>

#include "common/case_state/timestamps.h"

namespace telederm::referral {
namespace {

const absl::Time kReceived = absl::FromUnixSeconds(1'800'000'000);

v1::Case ScreenedCase(v1::Urgency tier, bool screened) {
  v1::Case c;
  c.set_clinic_id("clinic-a");
  *c.mutable_received_at() = ToProtoTimestamp(kReceived);
  c.mutable_triage()->set_tier(tier);
  c.mutable_triage()->set_screened(screened);
  return c;
}

TEST(PlacementTest, ScreenedCaseKeepsItsTierAndIsDueAfterTheTierTarget) {
  Placement placement = PlaceCase(ScreenedCase(v1::URGENCY_SOON, true), {}, ReferralOptions());
  EXPECT_EQ(placement.pool, "general");
  EXPECT_EQ(placement.urgency, v1::URGENCY_SOON);
  EXPECT_EQ(placement.due, kReceived + absl::Hours(72));
}

TEST(PlacementTest, NotScreenedRoutineCaseIsUrgent) {
  Placement placement = PlaceCase(ScreenedCase(v1::URGENCY_ROUTINE, false), {}, ReferralOptions());
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
  EXPECT_EQ(PlaceCase(ScreenedCase(v1::URGENCY_ROUTINE, true), {}, options).pool, "north");
}

v1::PoolProfile Pool(const std::string& name, v1::Specialty specialty, std::vector<std::string> regions = {},
                     std::vector<std::string> languages = {}) {
  v1::PoolProfile pool;
  pool.set_name(name);
  pool.set_specialty(specialty);
  for (const auto& r : regions) pool.add_regions(r);
  for (const auto& l : languages) pool.add_languages(l);
  return pool;
}

Routing RoutingFor(const std::string& region, const std::string& language) {
  Routing directory;
  directory.pools = {Pool("general", v1::SPECIALTY_GENERAL_DERMATOLOGY),
                     Pool("general-north-sw", v1::SPECIALTY_GENERAL_DERMATOLOGY, {"north"}, {"sw"}),
                     Pool("onco", v1::SPECIALTY_DERMATO_ONCOLOGY),
                     Pool("onco-north", v1::SPECIALTY_DERMATO_ONCOLOGY, {"north"}),
                     Pool("paeds", v1::SPECIALTY_PAEDIATRIC_DERMATOLOGY, {}, {"en"})};
  v1::ClinicProfile clinic;
  clinic.set_clinic_id("clinic-a");
  clinic.set_region(region);
  clinic.set_language(language);
  directory.clinics[clinic.clinic_id()] = clinic;
  return directory;
}

v1::Case AdultCase(v1::Urgency tier) {
  v1::Case c = ScreenedCase(tier, true);
  c.mutable_submission()->set_type(v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
  c.mutable_submission()->mutable_patient()->set_age_years(45);
  return c;
}

TEST(RoutingTest, SuspectedMalignancyGoesToTheClinicsRegionalOncologyPool) {
  EXPECT_EQ(RoutePool(AdultCase(v1::URGENCY_URGENT), RoutingFor("north", "sw"), ReferralOptions()), "onco-north");
  EXPECT_EQ(RoutePool(AdultCase(v1::URGENCY_URGENT), RoutingFor("south", "sw"), ReferralOptions()), "onco");
  v1::Case melanoma = AdultCase(v1::URGENCY_SOON);
  v1::SuspectedDiagnosis* d = melanoma.mutable_triage()->add_suspected_diagnoses();
  d->set_name("melanoma");
  d->set_score(0.7);
  EXPECT_EQ(WantedSpecialty(melanoma), v1::SPECIALTY_DERMATO_ONCOLOGY);
}

TEST(RoutingTest, RoutineAdultCaseGoesToTheMostSpecificGeneralPool) {
  EXPECT_EQ(RoutePool(AdultCase(v1::URGENCY_ROUTINE), RoutingFor("north", "sw"), ReferralOptions()),
            "general-north-sw");
  // Same region, other language: the regional pool does not serve the clinic.
  EXPECT_EQ(RoutePool(AdultCase(v1::URGENCY_ROUTINE), RoutingFor("north", "en"), ReferralOptions()), "general");
}

TEST(RoutingTest, ChildGoesToPaediatricsWhenItSpeaksTheClinicsLanguageElseGeneral) {
  v1::Case child = AdultCase(v1::URGENCY_ROUTINE);
  child.mutable_submission()->mutable_patient()->set_age_years(7);
  EXPECT_EQ(RoutePool(child, RoutingFor("north", "en"), ReferralOptions()), "paeds");
  EXPECT_EQ(RoutePool(child, RoutingFor("north", "sw"), ReferralOptions()), "general-north-sw");
}

TEST(RoutingTest, NoPoolsDefinedMeansTheDefaultPool) {
  ReferralOptions options;
  options.default_pool = "everyone";
  EXPECT_EQ(RoutePool(AdultCase(v1::URGENCY_URGENT), Routing(), options), "everyone");
}

TEST(PlacementTest, RescreenedCaseKeepsItsPoolAndDueTimeUnlessTheNewTierIsSooner) {
  ReferralOptions options;
  v1::Case c = AdultCase(v1::URGENCY_ROUTINE);
  c.set_pool("general-north-sw");
  c.set_urgency(v1::URGENCY_ROUTINE);
  c.mutable_paused()->set_seconds(3 * 3600);
  // Routine: due 7 days after receipt, plus 3 h waiting for the clinic's answer.
  *c.mutable_due_at() = ToProtoTimestamp(kReceived + absl::Hours(168 + 3));
  Placement same = PlaceRescreenedCase(c, options);
  EXPECT_EQ(same.pool, "general-north-sw");
  EXPECT_EQ(same.due, kReceived + absl::Hours(171));
  EXPECT_EQ(same.urgency, v1::URGENCY_ROUTINE);
  // The new image looks malignant: due 24 h after receipt, plus the pause.
  c.mutable_triage()->set_tier(v1::URGENCY_URGENT);
  Placement sooner = PlaceRescreenedCase(c, options);
  EXPECT_EQ(sooner.pool, "general-north-sw");
  EXPECT_EQ(sooner.due, kReceived + absl::Hours(24 + 3));
  EXPECT_EQ(sooner.urgency, v1::URGENCY_URGENT);
}

TEST(PlacementTest, AnswerClosesThePauseFromTheQuestionToTheAnswerOnce) {
  v1::Case c = AdultCase(v1::URGENCY_URGENT);
  *c.mutable_due_at() = ToProtoTimestamp(kReceived + absl::Hours(24));
  c.mutable_paused()->set_seconds(2 * 3600);  // an earlier question
  *c.mutable_info_requested_at() = ToProtoTimestamp(kReceived + absl::Hours(1));
  v1::StatusChange* answer = c.add_history();
  answer->set_from(v1::CASE_STATUS_NEEDS_INFO);
  answer->set_to(v1::CASE_STATUS_QUEUED);
  *answer->mutable_at() = ToProtoTimestamp(kReceived + absl::Hours(31));
  ASSERT_TRUE(ResumeAfterAnswer(c));
  EXPECT_EQ(FromProtoTimestamp(c.due_at()), kReceived + absl::Hours(24 + 30));
  EXPECT_EQ(c.paused().seconds(), (2 + 30) * 3600);
  EXPECT_FALSE(c.has_info_requested_at());
  const v1::Case resumed = c;
  EXPECT_FALSE(ResumeAfterAnswer(c));  // no pause open: nothing moves
  EXPECT_EQ(c.SerializeAsString(), resumed.SerializeAsString());
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
