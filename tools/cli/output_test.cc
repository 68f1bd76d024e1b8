#include "tools/cli/output.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/case_state/timestamps.h"
#include "tools/cli/case_summary.h"
#include "tools/cli/tables.h"

namespace telederm::cli {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;

google::protobuf::Timestamp At(const char* rfc3339) {
  absl::Time time;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &time, &error)) << error;
  return ToProtoTimestamp(time);
}

v1::QueueEntry Entry(const std::string& case_id, v1::Urgency urgency, const char* due, bool overdue,
                     double risk, bool screened, const std::string& clinic) {
  v1::QueueEntry entry;
  entry.set_case_id(case_id);
  entry.set_urgency(urgency);
  *entry.mutable_due_at() = At(due);
  entry.set_overdue(overdue);
  entry.set_risk_score(risk);
  entry.set_screened(screened);
  entry.set_clinic_id(clinic);
  entry.set_pool("general");
  return entry;
}

TEST(QueueTableTest, RowsAreNumberedAlignedAndSplitIntoFixedFields) {
  std::string table = FormatQueueTable({
      Entry("c-melanoma", v1::URGENCY_URGENT, "2024-05-01T10:00:00Z", true, 0.873, true, "clinic-north"),
      Entry("c-2", v1::URGENCY_ROUTINE, "2024-05-07T09:30:00Z", false, 0.1, false, "c9"),
  });
  EXPECT_EQ(table,
            "POS  CASE        URGENCY  DUE                   OVERDUE  RISK  SCREENED  CLINIC        POOL\n"
            "1    c-melanoma  urgent   2024-05-01T10:00:00Z  yes      0.87  yes       clinic-north  general\n"
            "2    c-2         routine  2024-05-07T09:30:00Z  no       0.10  no        c9            general");
  for (absl::string_view line : absl::StrSplit(table, '\n')) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
    EXPECT_EQ(fields.size(), 9u) << line;
  }
}

TEST(QueueTableTest, EmptyQueueIsOnlyTheHeader) {
  EXPECT_EQ(FormatQueueTable({}), "POS  CASE  URGENCY  DUE  OVERDUE  RISK  SCREENED  CLINIC  POOL");
}

TEST(QueueTableTest, MissingValuesShowAsDashSoFieldsStayAligned) {
  v1::QueueEntry entry;
  entry.set_case_id("c-1");
  std::string table = FormatQueueTable({entry});
  std::vector<std::string> lines = absl::StrSplit(table, '\n');
  ASSERT_EQ(lines.size(), 2u);
  std::vector<absl::string_view> fields = absl::StrSplit(lines[1], ' ', absl::SkipEmpty());
  EXPECT_THAT(fields, ElementsAre("1", "c-1", "-", "-", "no", "0.00", "no", "-", "-"));
}

TEST(EventLineTest, ReportEventCarriesDiagnosisCodeAndManagement) {
  v1::CaseEvent event;
  event.set_event_id("1714557600000-0");
  event.set_case_id("c-1");
  event.set_type(v1::EVENT_TYPE_REPORTED);
  event.set_status(v1::CASE_STATUS_REPORTED);
  *event.mutable_at() = At("2024-05-01T10:00:00Z");
  event.set_urgency(v1::URGENCY_URGENT);
  event.mutable_report()->set_diagnosis_text("Superficial spreading \"melanoma\"");
  event.mutable_report()->set_icd10_code("C43.5");
  event.mutable_report()->set_management(v1::MANAGEMENT_URGENT_IN_PERSON_REFERRAL);
  event.mutable_report()->set_management_interval(14);
  EXPECT_EQ(FormatEventLine(event),
            "1714557600000-0 c-1 reported reported at=2024-05-01T10:00:00Z urgency=urgent "
            "diagnosis=\"Superficial spreading \\\"melanoma\\\"\" icd10=C43.5 management=urgent-referral "
            "interval=14");
}

TEST(EventLineTest, PlainEventHasFourPositionalFieldsAndTheTime) {
  v1::CaseEvent event;
  event.set_event_id("1-0");
  event.set_case_id("c-1");
  event.set_type(v1::EVENT_TYPE_RECEIVED);
  event.set_status(v1::CASE_STATUS_RECEIVED);
  EXPECT_EQ(FormatEventLine(event), "1-0 c-1 received received at=-");
}

TEST(EventLineTest, InfoRequestCarriesTheQuestionOnOneLine) {
  v1::CaseEvent event;
  event.set_event_id("2-0");
  event.set_case_id("c-1");
  event.set_type(v1::EVENT_TYPE_INFO_REQUESTED);
  event.set_status(v1::CASE_STATUS_NEEDS_INFO);
  event.mutable_message()->set_text("Close-up please.\nWith a ruler.");
  EXPECT_EQ(FormatEventLine(event),
            "2-0 c-1 info-requested needs_info at=- message=\"Close-up please.\\nWith a ruler.\"");
}

TEST(UploadLinesTest, DigestThenOneLinePerWarning) {
  v1::UploadImageResponse response;
  response.mutable_image()->set_sha256("ab12");
  response.mutable_image()->set_modality(v1::MODALITY_DERMOSCOPY);
  response.mutable_image()->set_content_type("image/jpeg");
  response.mutable_image()->set_size_bytes(1234);
  v1::QualityFinding& finding = *response.add_warnings();
  finding.set_code("blurred");
  finding.set_severity(v1::QUALITY_SEVERITY_WARNING);
  finding.set_message("The image is slightly blurred; hold the camera still.");
  finding.set_measured(80);
  finding.set_threshold(100);
  EXPECT_THAT(FormatUploadLines(response),
              ElementsAre("uploaded ab12 modality=dermoscopy type=image/jpeg size=1234 already_stored=no",
                          "warning blurred: The image is slightly blurred; hold the camera still. "
                          "(measured 80, threshold 100)"));
}

TEST(ClaimLineTest, CaseTokenLeaseAndPool) {
  v1::Claim claim;
  claim.set_fencing_token(42);
  claim.set_pool("general");
  *claim.mutable_lease_expires_at() = At("2024-05-01T10:15:00Z");
  EXPECT_EQ(FormatClaimLine("claimed", "c-1", claim),
            "claimed c-1 token=42 lease_expires=2024-05-01T10:15:00Z pool=general");
}

TEST(CaseSummaryTest, ReadsAsADermatologistWouldAskForIt) {
  v1::Case c;
  c.set_case_id("c-1");
  v1::CaseSubmission& submission = *c.mutable_submission();
  submission.set_type(v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
  submission.mutable_patient()->set_reference("P-1");
  submission.mutable_patient()->set_age_years(58);
  submission.mutable_patient()->set_sex(v1::SEX_FEMALE);
  submission.mutable_patient()->mutable_risk_factors()->set_many_naevi(true);
  submission.mutable_lesion()->set_body_site(v1::BODY_SITE_BACK);
  submission.mutable_lesion()->set_largest_diameter_mm(7.5);
  submission.mutable_lesion()->mutable_evolution()->set_size(true);
  submission.set_clinical_question("Melanoma?");
  v1::TriageResult& triage = *c.mutable_triage();
  triage.set_risk_score(0.8);
  triage.set_tier(v1::URGENCY_URGENT);
  triage.set_screened(true);
  v1::ExplanationItem& item = *triage.add_explanation();
  item.set_source("clinical");
  item.set_text("changed in size");
  item.set_weight(2);
  std::vector<std::string> lines = FormatCaseSummary(c);
  EXPECT_THAT(lines, Contains("type: tumour"));
  EXPECT_THAT(lines, Contains("patient: P-1, 58 y, female; risk: many-naevi"));
  EXPECT_THAT(lines, Contains("lesion: back, 7.5 mm; evolved: size; symptoms: none"));
  EXPECT_THAT(lines, Contains("question: Melanoma?"));
  EXPECT_THAT(lines, Contains("  risk: 0.80"));
  EXPECT_THAT(lines, Contains("  tier: urgent"));
  EXPECT_THAT(lines, Contains("  screened: yes"));
  EXPECT_THAT(lines, Contains("  explanation: [clinical] +2.00 changed in size"));
}

TEST(TriageLinesTest, NotScreenedShowsTheReason) {
  v1::TriageResult triage;
  triage.set_tier(v1::URGENCY_URGENT);
  triage.set_screened(false);
  triage.set_not_screened_reason("images could not be judged");
  EXPECT_THAT(FormatTriageLines(triage), Contains("screened: no (images could not be judged)"));
}

TEST(JsonLineTest, OneLineWithProtoFieldNamesAndDefaults) {
  v1::SubmitCaseResponse response;
  response.set_case_id("c-1");
  response.set_status(v1::CASE_STATUS_RECEIVED);
  EXPECT_EQ(ToJsonLine(response), R"({"case_id":"c-1","status":"CASE_STATUS_RECEIVED","duplicate":false})");
}

}  // namespace
}  // namespace telederm::cli
