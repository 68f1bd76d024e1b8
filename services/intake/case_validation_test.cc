#include "services/intake/case_validation.h"

#include <functional>

#include <cmath>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "services/intake/test_submissions.h"

namespace telederm::intake {
namespace {

const std::string kSha(64, 'a');

TEST(CaseValidationTest, CompleteSubmissionIsAccepted) {
  EXPECT_TRUE(ValidateSubmission(ValidTumourSubmission(kSha)).ok());
}

struct BadField {
  const char* name;
  std::function<void(v1::CaseSubmission&)> spoil;
  const char* field;  // the message must start with this
};
void PrintTo(const BadField& bad, std::ostream* os) { *os << bad.name; }

class CaseValidationBadFieldTest : public ::testing::TestWithParam<BadField> {};

TEST_P(CaseValidationBadFieldTest, IsInvalidArgumentNamingTheField) {
  v1::CaseSubmission submission = ValidTumourSubmission(kSha);
  GetParam().spoil(submission);
  absl::Status status = ValidateSubmission(submission);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(status.message(), absl::StrCat(GetParam().field, ": "))) << status.message();
}

INSTANTIATE_TEST_SUITE_P(
    EveryField, CaseValidationBadFieldTest,
    ::testing::Values(
        BadField{"NoType", [](auto& s) { s.set_type(v1::CASE_TYPE_UNSPECIFIED); }, "type"},
        BadField{"UnknownType", [](auto& s) { s.set_type(static_cast<v1::CaseType>(99)); }, "type"},
        BadField{"AcneWithoutGrade", [](auto& s) { s.set_type(v1::CASE_TYPE_ACNE); }, "acne_severity_grade"},
        BadField{"GradeOnTumour", [](auto& s) { s.set_acne_severity_grade(2); }, "acne_severity_grade"},
        BadField{"NoConsent", [](auto& s) { s.set_consent_to_teleconsultation(false); },
                 "consent_to_teleconsultation"},
        BadField{"NoReference", [](auto& s) { s.mutable_patient()->clear_reference(); }, "patient.reference"},
        BadField{"NameAsReference", [](auto& s) { s.mutable_patient()->set_reference("Jane Doe"); },
                 "patient.reference"},
        BadField{"AgeTooHigh", [](auto& s) { s.mutable_patient()->set_age_years(150); }, "patient.age_years"},
        BadField{"NegativeAge", [](auto& s) { s.mutable_patient()->set_age_years(-1); }, "patient.age_years"},
        BadField{"NoSex", [](auto& s) { s.mutable_patient()->set_sex(v1::SEX_UNSPECIFIED); }, "patient.sex"},
        BadField{"Fitzpatrick7", [](auto& s) { s.mutable_patient()->set_fitzpatrick_type(7); },
                 "patient.fitzpatrick_type"},
        BadField{"NoBodySite", [](auto& s) { s.mutable_lesion()->set_body_site(v1::BODY_SITE_UNSPECIFIED); },
                 "lesion.body_site"},
        BadField{"HugeDiameter", [](auto& s) { s.mutable_lesion()->set_largest_diameter_mm(900); },
                 "lesion.largest_diameter_mm"},
        BadField{"NanDiameter", [](auto& s) { s.mutable_lesion()->set_largest_diameter_mm(NAN); },
                 "lesion.largest_diameter_mm"},
        BadField{"DurationCenturies", [](auto& s) { s.mutable_lesion()->set_duration_days(40000); },
                 "lesion.duration_days"},
        BadField{"NoQuestion", [](auto& s) { s.clear_clinical_question(); }, "clinical_question"},
        BadField{"NoImages", [](auto& s) { s.clear_images(); }, "images"},
        BadField{"TooManyImages",
                 [](auto& s) {
                   for (int i = 0; i < 16; ++i) *s.add_images() = s.images(0);
                 },
                 "images"},
        BadField{"ShortDigest", [](auto& s) { s.mutable_images(0)->set_sha256("abc"); }, "images[0].sha256"},
        BadField{"UpperCaseDigest", [](auto& s) { s.mutable_images(0)->set_sha256(std::string(64, 'A')); },
                 "images[0].sha256"},
        BadField{"NoModality", [](auto& s) { s.mutable_images(0)->set_modality(v1::MODALITY_UNSPECIFIED); },
                 "images[0].modality"},
        BadField{"NegativePixelSize", [](auto& s) { s.mutable_images(0)->set_pixel_size_mm(-0.1); },
                 "images[0].pixel_size_mm"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(CaseValidationTest, AcneWithGradeIsAccepted) {
  v1::CaseSubmission submission = ValidTumourSubmission(kSha);
  submission.set_type(v1::CASE_TYPE_ACNE);
  submission.set_acne_severity_grade(3);
  EXPECT_TRUE(ValidateSubmission(submission).ok());
}

}  // namespace
}  // namespace telederm::intake
