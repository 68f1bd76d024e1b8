#include "tools/cli/submission.h"

#include <cmath>
#include <cstdint>
#include <optional>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/blob/blob_store.h"
#include "tools/cli/vocabulary.h"

namespace telederm::cli {
namespace {

// Prefixes a value error with the flag it came from.
absl::Status ForFlag(absl::string_view flag, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat("--", flag, ": ", status.message()));
}

}  // namespace

absl::StatusOr<ImageSpec> ParseImageSpec(absl::string_view text) {
  const absl::string_view kForm = "expected FILE:MODALITY or FILE:MODALITY:PIXEL_MM";
  size_t last = text.rfind(':');
  if (last == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("--image '", text, "': no modality; ", kForm));
  }
  ImageSpec spec;
  absl::string_view tail = text.substr(last + 1);
  absl::string_view head = text.substr(0, last);
  // With three parts the last one is the pixel size; a modality word never parses as a number.
  double pixel = 0;
  if (absl::SimpleAtod(tail, &pixel)) {
    if (!std::isfinite(pixel) || pixel <= 0 || pixel > 10) {
      return absl::InvalidArgumentError(
          absl::StrCat("--image '", text, "': pixel size must be a number of millimetres in (0, 10]"));
    }
    spec.pixel_size_mm = pixel;
    last = head.rfind(':');
    if (last == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("--image '", text, "': no modality; ", kForm));
    }
    tail = head.substr(last + 1);
    head = head.substr(0, last);
  }
  absl::StatusOr<v1::Modality> modality = ParseModality(tail);
  if (!modality.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--image '", text, "': ", modality.status().message()));
  }
  if (head.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("--image '", text, "': no file; ", kForm));
  }
  spec.modality = *modality;
  spec.path = std::string(head);
  return spec;
}

absl::StatusOr<v1::CaseSubmission> BuildCaseSubmission(const CommandLine& line) {
  v1::CaseSubmission submission;

  absl::StatusOr<std::string> type_word = RequiredValue(line, "type");
  if (!type_word.ok()) return type_word.status();
  absl::StatusOr<v1::CaseType> type = ParseCaseType(*type_word);
  if (!type.ok()) return ForFlag("type", type.status());
  submission.set_type(*type);

  absl::StatusOr<int64_t> grade = IntValue(line, "acne-grade", 0, 1, 4);
  if (!grade.ok()) return grade.status();
  if (*type == v1::CASE_TYPE_ACNE && *grade == 0) {
    return absl::InvalidArgumentError("--acne-grade: is required with --type acne (1 mild .. 4 severe)");
  }
  if (*type != v1::CASE_TYPE_ACNE && *grade != 0) {
    return absl::InvalidArgumentError("--acne-grade: only applies to --type acne");
  }
  submission.set_acne_severity_grade(static_cast<int32_t>(*grade));

  v1::Patient& patient = *submission.mutable_patient();
  absl::StatusOr<std::string> reference = RequiredValue(line, "patient");
  if (!reference.ok()) return reference.status();
  patient.set_reference(*reference);
  if (!line.Has("age")) return absl::InvalidArgumentError("--age: is required");
  absl::StatusOr<int64_t> age = IntValue(line, "age", 0, INT32_MIN, INT32_MAX);
  if (!age.ok()) return age.status();
  patient.set_age_years(static_cast<int32_t>(*age));
  absl::StatusOr<std::string> sex_word = RequiredValue(line, "sex");
  if (!sex_word.ok()) return sex_word.status();
  absl::StatusOr<v1::Sex> sex = ParseSex(*sex_word);
  if (!sex.ok()) return ForFlag("sex", sex.status());
  patient.set_sex(*sex);
  absl::StatusOr<int64_t> fitzpatrick = IntValue(line, "fitzpatrick", 0, INT32_MIN, INT32_MAX);
  if (!fitzpatrick.ok()) return fitzpatrick.status();
  patient.set_fitzpatrick_type(static_cast<int32_t>(*fitzpatrick));
  if (std::optional<std::string> risk_list = line.Value("risk")) {
    absl::StatusOr<v1::RiskFactors> risk = ParseRiskFactors(*risk_list);
    if (!risk.ok()) return ForFlag("risk", risk.status());
    *patient.mutable_risk_factors() = *risk;
  }

  v1::Lesion& lesion = *submission.mutable_lesion();
  absl::StatusOr<std::string> site_word = RequiredValue(line, "site");
  if (!site_word.ok()) return site_word.status();
  absl::StatusOr<v1::BodySite> site = ParseBodySite(*site_word);
  if (!site.ok()) return ForFlag("site", site.status());
  lesion.set_body_site(*site);
  absl::StatusOr<double> diameter = DoubleValue(line, "diameter-mm", 0);
  if (!diameter.ok()) return diameter.status();
  lesion.set_largest_diameter_mm(static_cast<float>(*diameter));
  absl::StatusOr<int64_t> duration = IntValue(line, "duration-days", 0, INT32_MIN, INT32_MAX);
  if (!duration.ok()) return duration.status();
  lesion.set_duration_days(static_cast<int32_t>(*duration));
  if (std::optional<std::string> evolved_list = line.Value("evolved")) {
    absl::StatusOr<v1::Evolution> evolution = ParseEvolution(*evolved_list);
    if (!evolution.ok()) return ForFlag("evolved", evolution.status());
    *lesion.mutable_evolution() = *evolution;
  }
  if (std::optional<std::string> symptom_list = line.Value("symptoms")) {
    absl::StatusOr<v1::Symptoms> symptoms = ParseSymptoms(*symptom_list);
    if (!symptoms.ok()) return ForFlag("symptoms", symptoms.status());
    *lesion.mutable_symptoms() = *symptoms;
  }

  absl::StatusOr<std::string> question = RequiredValue(line, "question");
  if (!question.ok()) return question.status();
  submission.set_clinical_question(*question);

  if (!line.Has("consent")) {
    return absl::InvalidArgumentError(
        "--consent: is required; confirm that the patient consented to a teleconsultation");
  }
  submission.set_consent_to_teleconsultation(true);
  return submission;
}

std::string IdempotencyKeyFor(absl::string_view clinic_id, const v1::CaseSubmission& submission) {
  std::string bytes(clinic_id);
  bytes.push_back('\0');
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    submission.SerializeToCodedStream(&coded);
  }
  return absl::StrCat("cli-", Sha256Hex(bytes));
}

}  // namespace telederm::cli
