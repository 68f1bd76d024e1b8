// The screening report from recorded biopsy outcomes, against a real
// redis-server and a real gRPC client: cases go through the queue, are
// reported and get their histology; AdminService.GetScreeningReport and the
// gauges then show per-tier counts and sensitivity and specificity with
// Wilson intervals, which the test recomputes from the counts by another
// formula (the roots of the interval's quadratic).
#include <cmath>
#include <map>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <prometheus/metric_family.h>

#include "absl/strings/str_cat.h"
#include "common/caller/caller.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/case_store.h"
#include "common/case_store/keys.h"
#include "common/ids/ids.h"
#include "common/redis/stream.h"
#include "common/server/grpc_server.h"
#include "common/stream_worker/stream_worker.h"
#include "services/referral/referral_service.h"
#include "services/referral/screening_cell.h"
#include "services/referral/screening_metrics.h"
#include "services/referral/triaged_stream_handler.h"
#include "tests/harness/redis_test.h"

namespace telederm::referral {
namespace {

// Noon UTC of a fixed day, so "a few days earlier" stays on whole UTC days.
const absl::Time kDay = absl::FromCivil(absl::CivilSecond(2026, 11, 20, 12, 0, 0), absl::UTCTimeZone());
constexpr char kAnalyzerA[] = "clinical-7pt+lesion-model";
constexpr char kVersionA[] = "1.0+2.0";
constexpr char kVersionB[] = "1.0+1.0";

// Wilson's bounds as the roots of (phat - p)^2 = z^2 p (1 - p) / n in p, solved
// as a quadratic: the same interval by another route than the service's.
std::pair<double, double> WilsonRoots(int64_t successes, int64_t trials) {
  const double z = 1.959963984540054, n = static_cast<double>(trials), phat = successes / n;
  const double a = 1 + z * z / n, b = -(2 * phat + z * z / n), c = phat * phat;
  const double root = std::sqrt(b * b - 4 * a * c);
  return {(-b - root) / (2 * a), (-b + root) / (2 * a)};
}

void ExpectProportion(const v1::Proportion& p, int64_t successes, int64_t trials, const std::string& what) {
  SCOPED_TRACE(what);
  EXPECT_EQ(p.successes(), successes);
  EXPECT_EQ(p.trials(), trials);
  EXPECT_DOUBLE_EQ(p.estimate(), static_cast<double>(successes) / trials);
  const auto [lower, upper] = WilsonRoots(successes, trials);
  EXPECT_NEAR(p.lower(), lower, 1e-12);
  EXPECT_NEAR(p.upper(), upper, 1e-12);
}

// One planned case: how pre-screening saw it and what the histology said ("" none yet).
struct Planned {
  v1::Urgency tier;
  bool screened;
  int fitzpatrick;
  v1::Modality modality;
  const char* version;
  const char* histology;
  absl::Time received = kDay;
};

class ScreeningReportTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    clock_ = std::make_shared<SimulatedClock>(kDay + absl::Hours(1));
    parts_ = MakeReferralParts(redis_, clock_, options_, *Icd10Table::Load(DefaultIcd10TablePath()));
    service_ = std::make_unique<ReferralServiceImpl>(parts_);
    admin_ = std::make_unique<AdminServiceImpl>(parts_.directory, parts_.screening, parts_.redis);
    auto server = GrpcServer::Start("127.0.0.1:0", {service_.get(), admin_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    auto channel =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials());
    referral_ = v1::ReferralService::NewStub(channel);
    admin_stub_ = v1::AdminService::NewStub(channel);
    auto handler = std::make_shared<TriagedStreamHandler>(redis_, clock_, options_);
    worker_ = std::make_unique<StreamWorker>(
        std::make_unique<redis::StreamConsumer>(redis_, keys::kTriagedStream, keys::kReferralGroup, "screening"),
        [handler](const redis::StreamEntry& entry) { return handler->Handle(entry); }, StreamWorkerOptions());
    ASSERT_TRUE(worker_->Recover().ok());
  }

  void TearDown() override { server_->Shutdown(absl::Seconds(1)); }

  static void Prepare(grpc::ClientContext& context, const char* header, const std::string& id) {
    context.AddMetadata(header, id);
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  }

  // A case as triage leaves it, placed in the queue, claimed and reported by
  // derm-1, with its histology recorded when the plan has one. The case id.
  std::string ReportedCase(const Planned& plan) {
    v1::Case c;
    c.set_case_id(NewCaseId(plan.received));
    c.set_clinic_id("clinic-a");
    c.set_status(v1::CASE_STATUS_SCREENING);
    *c.mutable_received_at() = ToProtoTimestamp(plan.received);
    c.mutable_submission()->set_type(v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
    c.mutable_submission()->mutable_patient()->set_fitzpatrick_type(plan.fitzpatrick);
    c.mutable_submission()->add_images()->set_modality(v1::MODALITY_CLINICAL_OVERVIEW);
    c.mutable_submission()->add_images()->set_modality(plan.modality);
    c.mutable_triage()->set_tier(plan.screened ? plan.tier : v1::URGENCY_URGENT);
    c.mutable_triage()->set_screened(plan.screened);
    c.mutable_triage()->set_analyzer_name(kAnalyzerA);
    c.mutable_triage()->set_analyzer_version(plan.version);
    EXPECT_TRUE(CaseStore(redis_).Create(c).ok());
    EXPECT_TRUE(redis::StreamAppend(*redis_, keys::kTriagedStream, {{"case_id", c.case_id()}}).ok());
    EXPECT_TRUE(worker_->PollOnce(absl::ZeroDuration()).ok());

    v1::ClaimNextResponse claimed;
    grpc::ClientContext claim;
    Prepare(claim, kSpecialistIdHeader, "derm-1");
    grpc::Status status = referral_->ClaimNext(&claim, v1::ClaimNextRequest(), &claimed);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(claimed.case_().case_id(), c.case_id());
    v1::SubmitReportRequest report;
    report.set_case_id(c.case_id());
    report.set_fencing_token(claimed.claim().fencing_token());
    report.mutable_report()->set_diagnosis_text("Lesion to excise");
    report.mutable_report()->set_icd10_code("D48.5");
    report.mutable_report()->set_management(v1::MANAGEMENT_EXCISE);
    v1::SubmitReportResponse reported;
    grpc::ClientContext submit;
    Prepare(submit, kSpecialistIdHeader, "derm-1");
    status = referral_->SubmitReport(&submit, report, &reported);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (*plan.histology != '\0') {
      EXPECT_TRUE(RecordOutcome(c.case_id(), plan.histology).ok());
    }
    return c.case_id();
  }

  grpc::Status RecordOutcome(const std::string& case_id, const std::string& icd10) {
    v1::RecordBiopsyOutcomeRequest request;
    request.set_case_id(case_id);
    request.mutable_outcome()->set_histology_text(absl::StrCat("Histology: ", icd10));
    request.mutable_outcome()->set_icd10_code(icd10);
    v1::RecordBiopsyOutcomeResponse response;
    grpc::ClientContext context;
    Prepare(context, kSpecialistIdHeader, "derm-1");
    return referral_->RecordBiopsyOutcome(&context, request, &response);
  }

  grpc::Status Report(v1::ScreeningReport* report, const std::string& from = "", const std::string& to = "",
                      const char* header = kAdminIdHeader, const std::string& caller = "ops-1") {
    v1::ScreeningReportRequest request;
    request.set_from_date(from);
    request.set_to_date(to);
    grpc::ClientContext context;
    Prepare(context, header, caller);
    return admin_stub_->GetScreeningReport(&context, request, report);
  }

  v1::ScreeningReport ReportOrFail(const std::string& from = "", const std::string& to = "") {
    v1::ScreeningReport report;
    grpc::Status status = Report(&report, from, to);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return report;
  }

  static const v1::ScreeningGroup* Group(const v1::ScreeningReport& report, const std::string& split,
                                         const std::string& group) {
    for (const v1::ScreeningGroup& g : report.groups()) {
      if (g.split() == split && g.group() == group) return &g;
    }
    return nullptr;
  }

  // The tiers' {cases, malignant} in the report's order: urgent, soon, routine, not_screened.
  static std::vector<std::pair<int64_t, int64_t>> Tiers(const v1::ScreeningGroup& group) {
    std::vector<std::pair<int64_t, int64_t>> tiers;
    for (const v1::TierOutcomes& t : group.tiers()) tiers.emplace_back(t.cases(), t.malignant());
    return tiers;
  }

  // Fourteen cases over three skin types, two modalities and two analyzer
  // versions; twelve with histology.
  void ReportTheCohort() {
    using U = v1::Urgency;
    constexpr v1::Modality kDermoscopy = v1::MODALITY_DERMOSCOPY, kCloseUp = v1::MODALITY_CLINICAL_CLOSE_UP;
    const Planned cohort[] = {
        {U::URGENCY_URGENT, true, 2, kDermoscopy, kVersionA, "C43.5"},   // 1: true positive
        {U::URGENCY_URGENT, true, 2, kDermoscopy, kVersionA, "D22.5"},   // 2: false positive
        {U::URGENCY_URGENT, true, 5, kCloseUp, kVersionA, "C44.3"},      // 3: true positive
        {U::URGENCY_SOON, true, 3, kDermoscopy, kVersionA, "D03.5"},     // 4: true positive (in situ)
        {U::URGENCY_SOON, true, 3, kCloseUp, kVersionB, "L82"},          // 5: false positive
        {U::URGENCY_SOON, true, 5, kCloseUp, kVersionB, "D22.5"},        // 6: false positive
        {U::URGENCY_ROUTINE, true, 2, kDermoscopy, kVersionA, "D22.5"},  // 7: true negative
        {U::URGENCY_ROUTINE, true, 2, kDermoscopy, kVersionA, "L82"},    // 8: true negative
        {U::URGENCY_ROUTINE, true, 5, kCloseUp, kVersionB, "C44.3"},     // 9: false negative
        {U::URGENCY_ROUTINE, true, 0, kDermoscopy, kVersionB, "D22.5"},  // 10: true negative
        {U::URGENCY_ROUTINE, true, 3, kCloseUp, kVersionA, "D23.4"},     // 11: true negative
        {U::URGENCY_URGENT, false, 6, kCloseUp, kVersionB, "C43.9"},     // 12: not screened
        {U::URGENCY_URGENT, true, 3, kDermoscopy, kVersionB, ""},        // 13: no histology yet
        {U::URGENCY_ROUTINE, true, 2, kDermoscopy, kVersionA, ""},       // 14: no histology yet
    };
    for (const Planned& plan : cohort) case_ids_.push_back(ReportedCase(plan));
  }

  ReferralOptions options_;
  std::shared_ptr<SimulatedClock> clock_;
  ReferralParts parts_;
  std::unique_ptr<ReferralServiceImpl> service_;
  std::unique_ptr<AdminServiceImpl> admin_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::ReferralService::Stub> referral_;
  std::unique_ptr<v1::AdminService::Stub> admin_stub_;
  std::unique_ptr<StreamWorker> worker_;
  std::vector<std::string> case_ids_;
};

TEST(ScreeningCellTest, MalignantMeansAMalignantOrInSituNeoplasm) {
  for (const char* code : {"C43", "C43.5", "C44.3", "C46.0", "C84.0", "D03.9", "D04.5", "D09"}) {
    EXPECT_TRUE(IsMalignantHistology(code)) << code;
  }
  for (const char* code : {"D10", "D18.0", "D22.5", "D23.4", "D48.5", "L57.0", "L82", "Q82.5", "C98", ""}) {
    EXPECT_FALSE(IsMalignantHistology(code)) << code;
  }
}

TEST(ScreeningCellTest, CellSurvivesItsEncodingWithABarInTheAnalyzerName) {
  ScreeningCell cell{"soon", true, 4, "dermoscopy", "rules|model 1.0"};
  EXPECT_EQ(EncodeCell(cell), "soon|1|4|dermoscopy|rules|model 1.0");
  EXPECT_EQ(DecodeCell(EncodeCell(cell)), cell);
  EXPECT_FALSE(DecodeCell("reported").has_value());
  EXPECT_FALSE(DecodeCell("soon|2|4|dermoscopy|x").has_value());
  EXPECT_FALSE(DecodeCell("soon|1|7|dermoscopy|x").has_value());
}

TEST_F(ScreeningReportTest, TiersAndSensitivityAndSpecificityPerSkinTypeModalityAndAnalyzer) {
  ReportTheCohort();
  const v1::ScreeningReport report = ReportOrFail();
  EXPECT_EQ(report.reported_cases(), 14);
  EXPECT_EQ(report.cases_with_outcome(), 12);
  EXPECT_EQ(report.cases_without_outcome(), 2);

  const v1::ScreeningGroup* all = Group(report, "all", "all");
  ASSERT_NE(all, nullptr);
  EXPECT_EQ(&report.groups(0), all);
  using Counts = std::vector<std::pair<int64_t, int64_t>>;
  EXPECT_EQ(Tiers(*all), (Counts{{3, 2}, {3, 1}, {5, 1}, {1, 1}}));
  EXPECT_EQ(all->tiers(3).tier(), "not_screened");
  ExpectProportion(all->sensitivity(), 3, 4, "all: sensitivity");  // cases 1, 3, 4 of 1, 3, 4, 9
  ExpectProportion(all->specificity(), 4, 7, "all: specificity");  // 7, 8, 10, 11 of 2, 5-8, 10, 11

  const v1::ScreeningGroup* type_ii = Group(report, "fitzpatrick", "II");
  ASSERT_NE(type_ii, nullptr);
  EXPECT_EQ(Tiers(*type_ii), (Counts{{2, 1}, {0, 0}, {2, 0}, {0, 0}}));
  ExpectProportion(type_ii->sensitivity(), 1, 1, "type II: sensitivity");
  ExpectProportion(type_ii->specificity(), 2, 3, "type II: specificity");
  const v1::ScreeningGroup* type_v = Group(report, "fitzpatrick", "V");
  ASSERT_NE(type_v, nullptr);
  ExpectProportion(type_v->sensitivity(), 1, 2, "type V: sensitivity");
  ExpectProportion(type_v->specificity(), 0, 1, "type V: specificity");
  const v1::ScreeningGroup* type_vi = Group(report, "fitzpatrick", "VI");  // only a not-screened case
  ASSERT_NE(type_vi, nullptr);
  EXPECT_EQ(type_vi->sensitivity().trials(), 0);
  EXPECT_EQ(type_vi->sensitivity().upper(), 1);
  ASSERT_NE(Group(report, "fitzpatrick", "unrecorded"), nullptr);
  EXPECT_EQ(Group(report, "fitzpatrick", "I"), nullptr);  // no case: no group

  const v1::ScreeningGroup* close_up = Group(report, "modality", "close_up");
  ASSERT_NE(close_up, nullptr);
  EXPECT_EQ(Tiers(*close_up), (Counts{{1, 1}, {2, 0}, {2, 1}, {1, 1}}));
  ExpectProportion(close_up->sensitivity(), 1, 2, "close-up: sensitivity");
  ExpectProportion(close_up->specificity(), 1, 3, "close-up: specificity");
  const v1::ScreeningGroup* dermoscopy = Group(report, "modality", "dermoscopy");
  ASSERT_NE(dermoscopy, nullptr);
  ExpectProportion(dermoscopy->sensitivity(), 2, 2, "dermoscopy: sensitivity");
  ExpectProportion(dermoscopy->specificity(), 3, 4, "dermoscopy: specificity");
  EXPECT_EQ(Group(report, "modality", "overview"), nullptr);  // every case has a more specific image

  const v1::ScreeningGroup* version_b = Group(report, "analyzer", absl::StrCat(kAnalyzerA, " ", kVersionB));
  ASSERT_NE(version_b, nullptr);
  ExpectProportion(version_b->sensitivity(), 0, 1, "version B: sensitivity");
  ExpectProportion(version_b->specificity(), 1, 3, "version B: specificity");
  const v1::ScreeningGroup* version_a = Group(report, "analyzer", absl::StrCat(kAnalyzerA, " ", kVersionA));
  ASSERT_NE(version_a, nullptr);
  ExpectProportion(version_a->sensitivity(), 3, 3, "version A: sensitivity");
  ExpectProportion(version_a->specificity(), 3, 4, "version A: specificity");
}

TEST_F(ScreeningReportTest, SameOutcomeTwiceCountsOnceAndACorrectionMovesTheCase) {
  ReportTheCohort();
  ASSERT_TRUE(RecordOutcome(case_ids_[0], "C43.5").ok());  // case 1 again, the same histology
  v1::ScreeningReport report = ReportOrFail();
  EXPECT_EQ(report.cases_with_outcome(), 12);
  ExpectProportion(report.groups(0).sensitivity(), 3, 4, "the same outcome again");

  ASSERT_TRUE(RecordOutcome(case_ids_[1], "C43.5").ok());  // case 2: the naevus proved a melanoma
  report = ReportOrFail();
  EXPECT_EQ(report.cases_with_outcome(), 12);
  using Counts = std::vector<std::pair<int64_t, int64_t>>;
  EXPECT_EQ(Tiers(report.groups(0)), (Counts{{3, 3}, {3, 1}, {5, 1}, {1, 1}}));
  ExpectProportion(report.groups(0).sensitivity(), 4, 5, "corrected: sensitivity");
  ExpectProportion(report.groups(0).specificity(), 4, 6, "corrected: specificity");
  // The totals and the day agree after the move.
  report = ReportOrFail("2026-11-20", "2026-11-20");
  ExpectProportion(report.groups(0).sensitivity(), 4, 5, "corrected, that day: sensitivity");
}

TEST_F(ScreeningReportTest, WindowCountsOnlyCasesReceivedOnItsDays) {
  using U = v1::Urgency;
  ReportedCase({U::URGENCY_URGENT, true, 2, v1::MODALITY_DERMOSCOPY, kVersionA, "C43.5", kDay - absl::Hours(72)});
  ReportedCase({U::URGENCY_ROUTINE, true, 2, v1::MODALITY_DERMOSCOPY, kVersionA, "C43.5", kDay - absl::Hours(48)});
  ReportedCase({U::URGENCY_ROUTINE, true, 2, v1::MODALITY_DERMOSCOPY, kVersionA, "D22.5", kDay});
  ReportedCase({U::URGENCY_SOON, true, 2, v1::MODALITY_DERMOSCOPY, kVersionA, "", kDay});

  v1::ScreeningReport report = ReportOrFail("2026-11-17", "2026-11-18");  // the first two
  EXPECT_EQ(report.from_date(), "2026-11-17");
  EXPECT_EQ(report.reported_cases(), 2);
  EXPECT_EQ(report.cases_with_outcome(), 2);
  ExpectProportion(report.groups(0).sensitivity(), 1, 2, "17th-18th");
  EXPECT_EQ(report.groups(0).specificity().trials(), 0);

  report = ReportOrFail("2026-11-19", "");  // from the 19th on: the last two
  EXPECT_EQ(report.reported_cases(), 2);
  EXPECT_EQ(report.cases_with_outcome(), 1);
  EXPECT_EQ(report.cases_without_outcome(), 1);
  ExpectProportion(report.groups(0).specificity(), 1, 1, "from the 19th");

  report = ReportOrFail("", "2026-11-17");  // up to the 17th: the first
  EXPECT_EQ(report.cases_with_outcome(), 1);
  EXPECT_EQ(ReportOrFail().cases_with_outcome(), 3);
  EXPECT_EQ(ReportOrFail("2026-12-01", "2026-12-31").groups(0).tiers(0).cases(), 0);
}

TEST_F(ScreeningReportTest, MalformedDatesAndABackwardWindowAreInvalid) {
  v1::ScreeningReport report;
  grpc::Status status = Report(&report, "20-11-2026");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "from_date: must be a date YYYY-MM-DD, got '20-11-2026'");
  status = Report(&report, "", "2026-02-30");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "to_date: must be a date YYYY-MM-DD, got '2026-02-30'");
  status = Report(&report, "2026-11-20", "2026-11-19");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "to_date: 2026-11-19 is before from_date 2026-11-20");
}

TEST_F(ScreeningReportTest, OnlyAnAdministratorGetsTheReport) {
  v1::ScreeningReport report;
  grpc::Status status = Report(&report, "", "", kSpecialistIdHeader, "derm-1");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(), "only an administrator may call this");
}

TEST_F(ScreeningReportTest, GaugesShowTheCountsAndTheRatesWithTheirBounds) {
  ReportTheCohort();
  std::map<std::string, const prometheus::MetricFamily*> families;
  const std::vector<prometheus::MetricFamily> collected = ScreeningGauges(parts_.screening).Collect();
  for (const prometheus::MetricFamily& family : collected) families[family.name] = &family;
  auto value = [&](const std::string& name, std::vector<prometheus::ClientMetric::Label> labels) -> double {
    std::sort(labels.begin(), labels.end());
    if (!families.contains(name)) return -1;
    for (const prometheus::ClientMetric& metric : families[name]->metric) {
      if (metric.label == labels) return metric.gauge.value;
    }
    return -1;
  };
  const std::string version_a = absl::StrCat(kAnalyzerA, " ", kVersionA);
  EXPECT_EQ(value("telederm_screening_outcome_cases", {{"tier", "urgent"},
                                                       {"malignant", "true"},
                                                       {"fitzpatrick", "II"},
                                                       {"modality", "dermoscopy"},
                                                       {"analyzer", version_a}}),
            1);
  EXPECT_EQ(value("telederm_screening_outcome_cases", {{"tier", "routine"},
                                                       {"malignant", "false"},
                                                       {"fitzpatrick", "II"},
                                                       {"modality", "dermoscopy"},
                                                       {"analyzer", version_a}}),
            2);
  EXPECT_EQ(families["telederm_screening_outcome_cases"]->metric.size(), 11u);  // cells with cases
  EXPECT_EQ(value("telederm_screening_reported_cases", {}), 14);
  EXPECT_EQ(value("telederm_screening_cases_without_outcome", {}), 2);
  const auto [lower, upper] = WilsonRoots(3, 4);
  EXPECT_DOUBLE_EQ(value("telederm_screening_sensitivity", {{"split", "all"}, {"group", "all"}}), 0.75);
  EXPECT_NEAR(value("telederm_screening_sensitivity_lower", {{"split", "all"}, {"group", "all"}}), lower, 1e-12);
  EXPECT_NEAR(value("telederm_screening_sensitivity_upper", {{"split", "all"}, {"group", "all"}}), upper, 1e-12);
  EXPECT_DOUBLE_EQ(value("telederm_screening_specificity", {{"split", "fitzpatrick"}, {"group", "V"}}), 0);
  EXPECT_EQ(value("telederm_screening_sensitivity", {{"split", "fitzpatrick"}, {"group", "VI"}}), -1);  // no trials
}

}  // namespace
}  // namespace telederm::referral
