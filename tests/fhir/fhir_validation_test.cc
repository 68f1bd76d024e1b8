// Every FHIR bundle the export answers is valid FHIR R4: a case is worked
// through the real processes (redis-server and the three services, public
// gRPC API) from received to closed, with a consult thread, a second opinion
// and a biopsy outcome; at each state intake and referral export it, and the
// HL7 definitions validate every bundle (tests/fhir/validate.mjs, docs/FHIR.md).
#include <filesystem>
#include <fstream>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "tests/e2e/api.h"
#include "tests/e2e/stack.h"
#include "tests/harness/child_process.h"
#include "tests/harness/temp_dir.h"
#include "telederm/v1/fhir.grpc.pb.h"

namespace telederm::testing {
namespace {

const std::string kCases = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/";
const std::string kMelanoma = kCases + "ISIC_0025248.jpg";  // URGENT: TDS highly suspicious, lesion model agrees
const std::string kNaevus = kCases + "ISIC_0024311.jpg";    // TDS in the benign range
const std::string kClinic = "clinic-lakeside-2";

// Runs the validator on `files`; its exit code, and its output in `output`.
int Validate(const std::vector<std::string>& files, const std::string& log, std::string* output) {
  const std::filesystem::path validator = TELEDERM_FHIR_VALIDATOR;
  if (!std::filesystem::exists(validator.parent_path() / "node_modules/@medplum/core")) {
    *output = "the FHIR validator's packages are missing from tests/fhir/node_modules: run deploy/install-deps.sh";
    return -1;
  }
  std::vector<std::string> argv = {TELEDERM_NODE, validator.string()};
  argv.insert(argv.end(), files.begin(), files.end());
  auto node = ChildProcess::Spawn(argv, {}, log);
  if (!node.ok()) {
    *output = node.status().ToString();
    return -1;
  }
  absl::StatusOr<int> exit_code = (*node)->Wait(absl::Seconds(120));
  *output = ReadFileBytes(log);
  return exit_code.ok() ? *exit_code : -1;
}

class FhirValidationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = MakeTempDir("telederm-fhir-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
    auto stack = Stack::Start();
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = std::move(*stack);
    auto intake = grpc::CreateChannel(stack_->address(Service::kIntake), grpc::InsecureChannelCredentials());
    auto referral = grpc::CreateChannel(stack_->address(Service::kReferral), grpc::InsecureChannelCredentials());
    intake_ = v1::IntakeService::NewStub(intake);
    referral_ = v1::ReferralService::NewStub(referral);
    intake_fhir_ = v1::FhirExportService::NewStub(intake);
    referral_fhir_ = v1::FhirExportService::NewStub(referral);
  }

  void TearDown() override {
    stack_.reset();
    std::filesystem::remove_all(dir_);
  }

  v1::Case Get(const std::string& case_id) {
    v1::GetCaseRequest request;
    request.set_case_id(case_id);
    v1::Case c;
    grpc::Status status = intake_->GetCase(AsClinic(kClinic).get(), request, &c);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return c;
  }

  bool WaitForStatus(const std::string& case_id, v1::CaseStatus status) {
    return WaitUntil([&] { return Get(case_id).status() == status; }, absl::Seconds(30));
  }

  // Exports the case as the clinic through intake, and, when `specialist` is
  // given, as that specialist of `pools` through referral; writes each bundle
  // to a file named after `state` and the exporter.
  void Export(const std::string& case_id, const std::string& state, const std::string& specialist = "",
              const std::string& pools = "") {
    v1::ExportCaseFhirRequest request;
    request.set_case_id(case_id);
    v1::ExportCaseFhirResponse clinic;
    grpc::Status status = intake_fhir_->ExportCaseFhir(AsClinic(kClinic).get(), request, &clinic);
    ASSERT_TRUE(status.ok()) << state << ": " << status.error_message();
    Write(absl::StrCat(state, "-by-clinic.json"), clinic.bundle_json());
    if (specialist.empty()) return;
    v1::ExportCaseFhirResponse staff;
    status = referral_fhir_->ExportCaseFhir(AsSpecialist(specialist, pools).get(), request, &staff);
    ASSERT_TRUE(status.ok()) << state << ": " << status.error_message();
    Write(absl::StrCat(state, "-by-", specialist, ".json"), staff.bundle_json());
  }

  void Write(const std::string& name, const std::string& json) {
    const std::string path = absl::StrCat(dir_, "/", name);
    std::ofstream(path) << json;
    bundles_.push_back(path);
  }

  v1::ClaimNextResponse Claim(const std::string& specialist, const std::string& pools, const std::string& case_id) {
    v1::ClaimNextResponse claim;
    grpc::Status status = referral_->ClaimNext(AsSpecialist(specialist, pools).get(), v1::ClaimNextRequest(), &claim);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(claim.case_().case_id(), case_id);
    return claim;
  }

  std::string dir_;
  std::unique_ptr<Stack> stack_;
  std::unique_ptr<v1::IntakeService::Stub> intake_;
  std::unique_ptr<v1::ReferralService::Stub> referral_;
  std::unique_ptr<v1::FhirExportService::Stub> intake_fhir_;
  std::unique_ptr<v1::FhirExportService::Stub> referral_fhir_;
  std::vector<std::string> bundles_;
};

TEST_F(FhirValidationTest, EveryStateFromReceivedToClosedWithSecondOpinionAndBiopsyExportsValidFhir) {
  // Received: triage is down, so the case waits where intake left it.
  ASSERT_TRUE(stack_->Kill9(Service::kTriage).ok());
  auto dermoscopy = UploadImage(*intake_, kClinic, ReadFileBytes(kMelanoma), v1::MODALITY_DERMOSCOPY);
  ASSERT_TRUE(dermoscopy.ok()) << dermoscopy.status();
  auto overview = UploadImage(*intake_, kClinic, ReadFileBytes(kNaevus), v1::MODALITY_CLINICAL_OVERVIEW);
  ASSERT_TRUE(overview.ok()) << overview.status();
  v1::SubmitCaseRequest submit;
  *submit.mutable_submission() = QuietTumourSubmission("pt-77", *dermoscopy);
  *submit.mutable_submission()->add_images() = *overview;
  submit.mutable_submission()->set_clinical_question("Dark lesion, grew this year. Melanoma?");
  v1::SubmitCaseResponse submitted;
  grpc::Status status = intake_->SubmitCase(AsClinic(kClinic).get(), submit, &submitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const std::string case_id = submitted.case_id();
  ASSERT_EQ(Get(case_id).status(), v1::CASE_STATUS_RECEIVED);
  Export(case_id, "received");

  // Queued, screened urgent.
  ASSERT_TRUE(stack_->Restart(Service::kTriage).ok());
  ASSERT_TRUE(WaitForStatus(case_id, v1::CASE_STATUS_QUEUED)) << stack_->LogTail(Service::kTriage);
  const std::string pool = Get(case_id).pool();
  Export(case_id, "queued", "derm-1", pool);

  // Claimed, then needs_info: the specialist asks the clinic.
  v1::ClaimNextResponse first = Claim("derm-1", pool, case_id);
  Export(case_id, "claimed", "derm-1", pool);
  v1::RequestInfoRequest ask;
  ask.set_case_id(case_id);
  ask.set_fencing_token(first.claim().fencing_token());
  ask.set_text("Has it bled or itched?");
  v1::RequestInfoResponse asked;
  status = referral_->RequestInfo(AsSpecialist("derm-1", pool).get(), ask, &asked);
  ASSERT_TRUE(status.ok()) << status.error_message();
  Export(case_id, "needs-info", "derm-1", pool);

  // Screening: the clinic reads and answers with a close-up while triage is down.
  ASSERT_TRUE(stack_->Kill9(Service::kTriage).ok());
  v1::ListMessagesRequest list;
  list.set_case_id(case_id);
  v1::ListMessagesResponse thread;
  ASSERT_TRUE(intake_->ListMessages(AsClinic(kClinic).get(), list, &thread).ok());
  ASSERT_EQ(thread.messages_size(), 1);
  v1::MarkReadRequest read;
  read.set_case_id(case_id);
  read.set_message_id(thread.messages(0).message_id());
  v1::MarkReadResponse marked;
  ASSERT_TRUE(intake_->MarkRead(AsClinic(kClinic).get(), read, &marked).ok());
  auto close_up = UploadImage(*intake_, kClinic, ReadFileBytes(kMelanoma), v1::MODALITY_CLINICAL_CLOSE_UP);
  ASSERT_TRUE(close_up.ok()) << close_up.status();
  v1::ClinicMessageRequest answer;
  answer.set_case_id(case_id);
  answer.set_text("It bled once last month. Close-up attached.");
  *answer.add_attachments() = *close_up;
  v1::ClinicMessageResponse answered;
  status = intake_->SendMessage(AsClinic(kClinic).get(), answer, &answered);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(answered.status(), v1::CASE_STATUS_SCREENING);
  Export(case_id, "screening");

  // Screened again and queued; claimed again; a second opinion from oncology.
  ASSERT_TRUE(stack_->Restart(Service::kTriage).ok());
  ASSERT_TRUE(WaitForStatus(case_id, v1::CASE_STATUS_QUEUED)) << stack_->LogTail(Service::kTriage);
  v1::ClaimNextResponse second = Claim("derm-1", pool, case_id);
  v1::SecondOpinionRequest opinion;
  opinion.set_case_id(case_id);
  opinion.set_fencing_token(second.claim().fencing_token());
  opinion.set_pool("oncology");
  opinion.set_note("Would you excise, or follow up with dermoscopy in 3 months?");
  v1::SecondOpinionResponse opined;
  status = referral_->RequestSecondOpinion(AsSpecialist("derm-1", pool).get(), opinion, &opined);
  ASSERT_TRUE(status.ok()) << status.error_message();
  Export(case_id, "second-opinion-queued", "derm-onco", "oncology");

  // The oncologist claims and reports: biopsy.
  v1::ClaimNextResponse onco = Claim("derm-onco", "oncology", case_id);
  v1::SubmitReportRequest report;
  report.set_case_id(case_id);
  report.set_fencing_token(onco.claim().fencing_token());
  report.mutable_report()->set_diagnosis_text("Melanoma of the upper limb, suspected");
  report.mutable_report()->set_icd10_code("C43.6");
  report.mutable_report()->set_management(v1::MANAGEMENT_BIOPSY);
  report.mutable_report()->set_follow_up("Excision biopsy with 2 mm margins at the district hospital");
  v1::SubmitReportResponse reported;
  status = referral_->SubmitReport(AsSpecialist("derm-onco", "oncology").get(), report, &reported);
  ASSERT_TRUE(status.ok()) << status.error_message();
  Export(case_id, "reported", "derm-onco", "oncology");

  // The histology comes back; the clinic acknowledges: closed.
  v1::RecordBiopsyOutcomeRequest biopsy;
  biopsy.set_case_id(case_id);
  biopsy.mutable_outcome()->set_histology_text("Melanoma in situ, margins clear");
  biopsy.mutable_outcome()->set_icd10_code("D03.6");
  v1::RecordBiopsyOutcomeResponse recorded;
  status = referral_->RecordBiopsyOutcome(AsSpecialist("derm-onco", "oncology").get(), biopsy, &recorded);
  ASSERT_TRUE(status.ok()) << status.error_message();
  Export(case_id, "reported-with-biopsy", "derm-onco", "oncology");
  v1::AcknowledgeReportRequest ack;
  ack.set_case_id(case_id);
  v1::AcknowledgeReportResponse acked;
  status = intake_->AcknowledgeReport(AsClinic(kClinic).get(), ack, &acked);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(acked.case_().status(), v1::CASE_STATUS_CLOSED);
  Export(case_id, "closed", "derm-onco", "oncology");
  const std::string closed_bundle = bundles_.back();

  // Another case the pre-screening cannot judge (an ultrasound image): not screened, urgent.
  auto ultrasound = UploadImage(*intake_, kClinic, ReadFileBytes(kNaevus), v1::MODALITY_ULTRASOUND);
  ASSERT_TRUE(ultrasound.ok()) << ultrasound.status();
  v1::SubmitCaseRequest unjudged;
  *unjudged.mutable_submission() = QuietTumourSubmission("pt-79", *ultrasound);
  v1::SubmitCaseResponse unjudged_submitted;
  status = intake_->SubmitCase(AsClinic(kClinic).get(), unjudged, &unjudged_submitted);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_TRUE(WaitForStatus(unjudged_submitted.case_id(), v1::CASE_STATUS_QUEUED)) << stack_->LogTail(Service::kTriage);
  ASSERT_FALSE(Get(unjudged_submitted.case_id()).triage().screened());
  Export(unjudged_submitted.case_id(), "not-screened");

  std::string output;
  const int exit_code = Validate(bundles_, absl::StrCat(dir_, "/validate.log"), &output);
  EXPECT_EQ(exit_code, 0) << output;
  EXPECT_NE(output.find(absl::StrCat("fhir-validate: ", bundles_.size(), " bundles, 0 errors")), std::string::npos)
      << output;
  // The closed case's bundle holds the whole story.
  const std::string closed = ReadFileBytes(closed_bundle);
  for (const char* expected : {"\"Communication\"", "Histology of the biopsy", "\"DiagnosticReport\"", "C43.6",
                               "D03.6", "\"Observation\"", "Second opinion requested"}) {
    EXPECT_NE(closed.find(expected), std::string::npos) << expected;
  }
}

// The validator fails a bundle that breaks FHIR, naming the element.
TEST_F(FhirValidationTest, ValidatorRejectsABundleWithAnInvalidElement) {
  auto image = UploadImage(*intake_, kClinic, ReadFileBytes(kNaevus), v1::MODALITY_DERMOSCOPY);
  ASSERT_TRUE(image.ok()) << image.status();
  v1::SubmitCaseRequest submit;
  *submit.mutable_submission() = QuietTumourSubmission("pt-78", *image);
  v1::SubmitCaseResponse submitted;
  ASSERT_TRUE(intake_->SubmitCase(AsClinic(kClinic).get(), submit, &submitted).ok());
  v1::ExportCaseFhirRequest request;
  request.set_case_id(submitted.case_id());
  v1::ExportCaseFhirResponse exported;
  ASSERT_TRUE(intake_fhir_->ExportCaseFhir(AsClinic(kClinic).get(), request, &exported).ok());
  std::string json = exported.bundle_json();
  const std::string gender = "\"gender\":\"";
  const size_t at = json.find(gender);
  ASSERT_NE(at, std::string::npos);
  json.insert(at + gender.size(), "not-a-");  // "not-a-male" and so on: no administrative gender
  Write("broken.json", json);
  std::string output;
  EXPECT_EQ(Validate(bundles_, absl::StrCat(dir_, "/validate.log"), &output), 1) << output;
  EXPECT_NE(output.find("ERROR broken.json: Bundle.entry[0].resource.gender: \"not-a-"), std::string::npos) << output;
  EXPECT_NE(output.find("is not in the required value set http://hl7.org/fhir/ValueSet/administrative-gender"),
            std::string::npos)
      << output;
}

}  // namespace
}  // namespace telederm::testing
