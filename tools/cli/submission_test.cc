#include "tools/cli/submission.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace telederm::cli {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::vector<std::string> MelanomaSuspicionFlags() {
  return {"submit",         "--type",     "tumour",
          "--patient",      "P-0042",     "--age",
          "58",             "--sex",      "female",
          "--fitzpatrick",  "2",          "--risk",
          "family-melanoma,many-naevi",   "--site",
          "back",           "--diameter-mm", "7.5",
          "--duration-days", "120",       "--evolved",
          "size,colour",    "--symptoms", "itch,bleeding",
          "--question",     "Melanoma?",  "--consent"};
}

absl::StatusOr<v1::CaseSubmission> Build(const std::vector<std::string>& args) {
  absl::StatusOr<CommandLine> line = ParseCommandLine(args);
  if (!line.ok()) return line.status();
  return BuildCaseSubmission(*line);
}

TEST(BuildCaseSubmissionTest, EveryFlagLandsInItsField) {
  absl::StatusOr<v1::CaseSubmission> submission = Build(MelanomaSuspicionFlags());
  ASSERT_TRUE(submission.ok()) << submission.status();
  EXPECT_EQ(submission->type(), v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
  EXPECT_EQ(submission->acne_severity_grade(), 0);
  EXPECT_EQ(submission->patient().reference(), "P-0042");
  EXPECT_EQ(submission->patient().age_years(), 58);
  EXPECT_EQ(submission->patient().sex(), v1::SEX_FEMALE);
  EXPECT_EQ(submission->patient().fitzpatrick_type(), 2);
  EXPECT_FALSE(submission->patient().risk_factors().personal_history_of_melanoma());
  EXPECT_TRUE(submission->patient().risk_factors().family_history_of_melanoma());
  EXPECT_TRUE(submission->patient().risk_factors().many_naevi());
  EXPECT_EQ(submission->lesion().body_site(), v1::BODY_SITE_BACK);
  EXPECT_FLOAT_EQ(submission->lesion().largest_diameter_mm(), 7.5f);
  EXPECT_EQ(submission->lesion().duration_days(), 120);
  EXPECT_TRUE(submission->lesion().evolution().size());
  EXPECT_FALSE(submission->lesion().evolution().shape());
  EXPECT_TRUE(submission->lesion().evolution().colour());
  EXPECT_TRUE(submission->lesion().symptoms().itch());
  EXPECT_TRUE(submission->lesion().symptoms().bleeding());
  EXPECT_FALSE(submission->lesion().symptoms().pain());
  EXPECT_EQ(submission->clinical_question(), "Melanoma?");
  EXPECT_TRUE(submission->consent_to_teleconsultation());
  EXPECT_TRUE(submission->images().empty());
}

TEST(BuildCaseSubmissionTest, AcneCaseCarriesItsGrade) {
  absl::StatusOr<v1::CaseSubmission> submission =
      Build({"submit", "--type", "acne", "--acne-grade", "3", "--patient", "P1", "--age", "17", "--sex", "male",
             "--site", "face", "--question", "Isotretinoin?", "--consent"});
  ASSERT_TRUE(submission.ok()) << submission.status();
  EXPECT_EQ(submission->type(), v1::CASE_TYPE_ACNE);
  EXPECT_EQ(submission->acne_severity_grade(), 3);
}

TEST(BuildCaseSubmissionTest, AcneWithoutGradeAndGradeWithoutAcneAreRefused) {
  EXPECT_THAT(std::string(Build({"submit", "--type", "acne", "--patient", "P1", "--age", "17", "--sex", "male",
                                 "--site", "face", "--question", "q", "--consent"})
                              .status()
                              .message()),
              StartsWith("--acne-grade: is required"));
  std::vector<std::string> args = MelanomaSuspicionFlags();
  args.insert(args.end(), {"--acne-grade", "2"});
  EXPECT_EQ(Build(args).status().message(), "--acne-grade: only applies to --type acne");
}

TEST(BuildCaseSubmissionTest, MissingConsentIsRefused) {
  std::vector<std::string> args = MelanomaSuspicionFlags();
  args.pop_back();  // --consent
  absl::Status status = Build(args).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith("--consent: is required"));
}

TEST(BuildCaseSubmissionTest, MissingRequiredFlagIsNamed) {
  EXPECT_EQ(Build({"submit", "--type", "rash", "--consent"}).status().message(), "--patient: is required");
}

TEST(BuildCaseSubmissionTest, UnknownSiteIsRefusedNamingTheFlag) {
  std::vector<std::string> args = MelanomaSuspicionFlags();
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--site") args[i + 1] = "shoulder";
  }
  absl::Status status = Build(args).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), StartsWith("--site: unknown body site 'shoulder'"));
}

TEST(ImageSpecTest, FileAndModality) {
  absl::StatusOr<ImageSpec> spec = ParseImageSpec("photos/lesion.jpg:dermoscopy");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->path, "photos/lesion.jpg");
  EXPECT_EQ(spec->modality, v1::MODALITY_DERMOSCOPY);
  EXPECT_EQ(spec->pixel_size_mm, 0);
}

TEST(ImageSpecTest, FileModalityAndPixelSize) {
  absl::StatusOr<ImageSpec> spec = ParseImageSpec("lesion.png:clinical-close-up:0.02");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->path, "lesion.png");
  EXPECT_EQ(spec->modality, v1::MODALITY_CLINICAL_CLOSE_UP);
  EXPECT_DOUBLE_EQ(spec->pixel_size_mm, 0.02);
}

TEST(ImageSpecTest, PathWithColonsIsSplitFromTheRight) {
  absl::StatusOr<ImageSpec> spec = ParseImageSpec("C:/scans/2024:05:lesion.jpg:ultrasound:0.1");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->path, "C:/scans/2024:05:lesion.jpg");
  EXPECT_EQ(spec->modality, v1::MODALITY_ULTRASOUND);
  EXPECT_DOUBLE_EQ(spec->pixel_size_mm, 0.1);
}

TEST(ImageSpecTest, MissingOrUnknownModalityIsRefused) {
  EXPECT_THAT(std::string(ParseImageSpec("lesion.jpg").status().message()), HasSubstr("no modality"));
  EXPECT_THAT(std::string(ParseImageSpec("lesion.jpg:0.02").status().message()), HasSubstr("no modality"));
  absl::Status status = ParseImageSpec("lesion.jpg:xray").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("unknown modality 'xray'"));
}

TEST(ImageSpecTest, PixelSizeOutsideTheContractIsRefused) {
  EXPECT_THAT(std::string(ParseImageSpec("a.jpg:dermoscopy:0").status().message()), HasSubstr("pixel size"));
  EXPECT_THAT(std::string(ParseImageSpec("a.jpg:dermoscopy:11").status().message()), HasSubstr("pixel size"));
  EXPECT_THAT(std::string(ParseImageSpec("a.jpg:dermoscopy:-1").status().message()), HasSubstr("pixel size"));
}

TEST(ImageSpecTest, EmptyFileIsRefused) {
  EXPECT_THAT(std::string(ParseImageSpec(":dermoscopy").status().message()), HasSubstr("no file"));
}

TEST(IdempotencyKeyTest, SameSubmissionGivesTheSameKey) {
  v1::CaseSubmission first = *Build(MelanomaSuspicionFlags());
  v1::CaseSubmission second = *Build(MelanomaSuspicionFlags());
  EXPECT_EQ(IdempotencyKeyFor("clinic-1", first), IdempotencyKeyFor("clinic-1", second));
}

TEST(IdempotencyKeyTest, KeyFitsTheContract) {
  std::string key = IdempotencyKeyFor("clinic-1", *Build(MelanomaSuspicionFlags()));
  EXPECT_THAT(key, StartsWith("cli-"));
  EXPECT_LE(key.size(), 128u);
  EXPECT_EQ(key.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-"),
            std::string::npos);
}

TEST(IdempotencyKeyTest, AnyChangeGivesANewKey) {
  v1::CaseSubmission base = *Build(MelanomaSuspicionFlags());
  const std::string base_key = IdempotencyKeyFor("clinic-1", base);

  v1::CaseSubmission other_question = base;
  other_question.set_clinical_question("Melanoma? Please advise.");
  EXPECT_NE(IdempotencyKeyFor("clinic-1", other_question), base_key);

  v1::CaseSubmission other_image = base;
  v1::ImageRef& image = *other_image.add_images();
  image.set_sha256(std::string(64, 'a'));
  image.set_modality(v1::MODALITY_DERMOSCOPY);
  EXPECT_NE(IdempotencyKeyFor("clinic-1", other_image), base_key);
  v1::CaseSubmission other_image_bytes = other_image;
  other_image_bytes.mutable_images(0)->set_sha256(std::string(64, 'b'));
  EXPECT_NE(IdempotencyKeyFor("clinic-1", other_image_bytes), IdempotencyKeyFor("clinic-1", other_image));

  EXPECT_NE(IdempotencyKeyFor("clinic-2", base), base_key);
}

}  // namespace
}  // namespace telederm::cli
