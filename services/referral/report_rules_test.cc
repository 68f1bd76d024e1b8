#include "services/referral/report_rules.h"

#include <string>

#include <gtest/gtest.h>

#include "absl/strings/match.h"

namespace telederm::referral {
namespace {

const Icd10Table& Codes() {
  static const Icd10TablePtr table = *Icd10Table::Load(DefaultIcd10TablePath());
  return *table;
}

v1::Report GoodReport() {
  v1::Report report;
  report.set_diagnosis_text("Superficial spreading melanoma, suspected");
  report.set_icd10_code("C43.5");
  report.set_management(v1::MANAGEMENT_EXCISE);
  return report;
}

TEST(ReportRulesTest, Icd10ShapesAcceptedAndRefused) {
  for (const char* good : {"L82", "C43.5", "D22.5", "L40.0", "S72.001A"}) EXPECT_TRUE(IsIcd10Shaped(good)) << good;
  for (const char* bad : {"", "l82", "C4", "C435", "C43.", "C43.12345", "C43-5", "43.5", "C43.5 "}) {
    EXPECT_FALSE(IsIcd10Shaped(bad)) << bad;
  }
}

TEST(ReportRulesTest, GoodReportPasses) { EXPECT_TRUE(ValidateReport(GoodReport(), Codes()).ok()); }

TEST(ReportRulesTest, EachBadFieldIsNamed) {
  struct Case {
    std::string field;
    void (*spoil)(v1::Report&);
  };
  const Case cases[] = {
      {"report.diagnosis_text", [](v1::Report& r) { r.set_diagnosis_text("  "); }},
      {"report.diagnosis_text", [](v1::Report& r) { r.set_diagnosis_text(std::string(2001, 'a')); }},
      {"report.icd10_code", [](v1::Report& r) { r.set_icd10_code("melanoma"); }},
      {"report.icd10_code", [](v1::Report& r) { r.set_icd10_code("S72.0"); }},  // a hip fracture
      {"report.icd10_code", [](v1::Report& r) { r.set_icd10_code("C43.A"); }},
      {"report.management", [](v1::Report& r) { r.set_management(v1::MANAGEMENT_UNSPECIFIED); }},
      {"report.management_interval", [](v1::Report& r) { r.set_management_interval(366); }},
      {"report.management_interval", [](v1::Report& r) { r.set_management_interval(-1); }},
      {"report.follow_up", [](v1::Report& r) { r.set_follow_up(std::string(2001, 'a')); }},
      {"report.free_text", [](v1::Report& r) { r.set_free_text(std::string(4001, 'a')); }},
  };
  for (const Case& c : cases) {
    v1::Report report = GoodReport();
    c.spoil(report);
    absl::Status status = ValidateReport(report, Codes());
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.field;
    EXPECT_TRUE(absl::StartsWith(status.message(), c.field + ":")) << status.message();
  }
}

TEST(ReportRulesTest, LimitsCountCharactersNotBytes) {
  v1::Report report = GoodReport();
  std::string greek;
  for (int i = 0; i < 2000; ++i) greek += "\xce\xb1";  // alpha: 2 bytes, 1 character
  report.set_diagnosis_text(greek);
  EXPECT_TRUE(ValidateReport(report, Codes()).ok());
}

TEST(Icd10TableTest, BundledTableHasTheSkinCodesTheIssueNames) {
  EXPECT_GT(Codes().size(), 150u);
  for (const char* code : {"C43.5", "C44.3", "D03.9", "D22.5", "D23.4", "L57.0", "L82", "L70.0", "L20.9", "L40.0",
                           "L30.9", "B35.4", "B07", "L72.0", "L81.4", "D18.0"}) {
    EXPECT_TRUE(Codes().Title(code).has_value()) << code;
  }
  EXPECT_EQ(Codes().Title("L57.0").value_or(""), "Actinic keratosis");
  EXPECT_FALSE(Codes().Title("I10").has_value());
}

TEST(Icd10TableTest, MalformedLineIsRefusedWithItsNumber) {
  auto table = Icd10Table::Parse("# comment\nL82\tSeborrhoeic keratosis\nmelanoma\n");
  EXPECT_EQ(table.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(table.status().message(), "line 3")) << table.status();
}

TEST(ReportRulesTest, BiopsyOutcomeNeedsTextAndATableCode) {
  v1::BiopsyOutcome outcome;
  outcome.set_histology_text("Superficial spreading melanoma, Breslow 0.6 mm");
  outcome.set_icd10_code("C43.5");
  EXPECT_TRUE(ValidateBiopsyOutcome(outcome, Codes()).ok());
  outcome.set_icd10_code("Z00");
  EXPECT_TRUE(absl::StartsWith(ValidateBiopsyOutcome(outcome, Codes()).message(), "outcome.icd10_code:"));
}

}  // namespace
}  // namespace telederm::referral
