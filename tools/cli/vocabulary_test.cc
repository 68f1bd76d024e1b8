#include "tools/cli/vocabulary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/status/status.h"

namespace telederm::cli {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(VocabularyTest, CaseTypeWordsMapOntoTheContract) {
  EXPECT_EQ(*ParseCaseType("tumour"), v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
  EXPECT_EQ(*ParseCaseType("rash"), v1::CASE_TYPE_INFLAMMATORY_RASH);
  EXPECT_EQ(*ParseCaseType("acne"), v1::CASE_TYPE_ACNE);
  EXPECT_EQ(*ParseCaseType("other"), v1::CASE_TYPE_OTHER);
}

TEST(VocabularyTest, UnknownCaseTypeListsEveryAcceptedWord) {
  absl::StatusOr<v1::CaseType> type = ParseCaseType("tumor");
  ASSERT_EQ(type.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(type.status().message(),
            "unknown case type 'tumor'; expected one of: tumour, rash, acne, other");
}

TEST(VocabularyTest, SexWordsMapOntoTheContract) {
  EXPECT_EQ(*ParseSex("female"), v1::SEX_FEMALE);
  EXPECT_EQ(*ParseSex("male"), v1::SEX_MALE);
  EXPECT_EQ(*ParseSex("other"), v1::SEX_OTHER);
  EXPECT_EQ(*ParseSex("unknown"), v1::SEX_UNKNOWN);
  EXPECT_EQ(ParseSex("F").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(VocabularyTest, EveryBodySiteHasAWordThatParsesBack) {
  for (int value = v1::BodySite_MIN + 1; value <= v1::BodySite_MAX; ++value) {
    auto site = static_cast<v1::BodySite>(value);
    std::string word = BodySiteWord(site);
    ASSERT_NE(word, "-") << "no word for body site " << value;
    absl::StatusOr<v1::BodySite> parsed = ParseBodySite(word);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, site);
  }
  EXPECT_EQ(*ParseBodySite("upper-arm"), v1::BODY_SITE_UPPER_ARM);
  EXPECT_EQ(*ParseBodySite("lower-leg"), v1::BODY_SITE_LOWER_LEG);
}

TEST(VocabularyTest, UnknownBodySiteNamesTheWordAndTheChoices) {
  absl::Status status = ParseBodySite("bakc").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr("unknown body site 'bakc'"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("back"));
  EXPECT_THAT(std::string(status.message()), HasSubstr("upper-arm"));
}

TEST(VocabularyTest, ModalityWordsMapOntoTheContract) {
  EXPECT_EQ(*ParseModality("dermoscopy"), v1::MODALITY_DERMOSCOPY);
  EXPECT_EQ(*ParseModality("clinical-overview"), v1::MODALITY_CLINICAL_OVERVIEW);
  EXPECT_EQ(*ParseModality("clinical-close-up"), v1::MODALITY_CLINICAL_CLOSE_UP);
  EXPECT_EQ(*ParseModality("confocal"), v1::MODALITY_CONFOCAL_MICROSCOPY);
  EXPECT_EQ(*ParseModality("ultrasound"), v1::MODALITY_ULTRASOUND);
  EXPECT_EQ(ParseModality("Dermoscopy").status().message(),
            "unknown modality 'Dermoscopy'; expected one of: dermoscopy, clinical-overview, "
            "clinical-close-up, confocal, ultrasound");
}

TEST(VocabularyTest, ManagementWordsMapOntoTheContract) {
  EXPECT_EQ(*ParseManagement("reassure"), v1::MANAGEMENT_REASSURE);
  EXPECT_EQ(*ParseManagement("treat"), v1::MANAGEMENT_TREAT);
  EXPECT_EQ(*ParseManagement("biopsy"), v1::MANAGEMENT_BIOPSY);
  EXPECT_EQ(*ParseManagement("excise"), v1::MANAGEMENT_EXCISE);
  EXPECT_EQ(*ParseManagement("urgent-referral"), v1::MANAGEMENT_URGENT_IN_PERSON_REFERRAL);
  EXPECT_EQ(*ParseManagement("follow-up-photo"), v1::MANAGEMENT_FOLLOW_UP_PHOTO);
  EXPECT_EQ(ParseManagement("watch").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(VocabularyTest, RiskFactorListSetsEachNamedFactor) {
  absl::StatusOr<v1::RiskFactors> risk = ParseRiskFactors("personal-melanoma,many-naevi, sunburn");
  ASSERT_TRUE(risk.ok()) << risk.status();
  EXPECT_TRUE(risk->personal_history_of_melanoma());
  EXPECT_FALSE(risk->family_history_of_melanoma());
  EXPECT_FALSE(risk->immunosuppressed());
  EXPECT_TRUE(risk->many_naevi());
  EXPECT_TRUE(risk->sunburn_history());
  EXPECT_THAT(RiskFactorWords(*risk), ElementsAre("personal-melanoma", "many-naevi", "sunburn"));
}

TEST(VocabularyTest, UnknownRiskFactorIsRefusedWithTheChoices) {
  absl::Status status = ParseRiskFactors("family-melanoma,smoker").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "unknown risk factor 'smoker'; expected a comma-separated list of: personal-melanoma, "
            "family-melanoma, immunosuppressed, many-naevi, sunburn");
}

TEST(VocabularyTest, EvolutionAndSymptomListsSetTheirFields) {
  absl::StatusOr<v1::Evolution> evolution = ParseEvolution("size,colour");
  ASSERT_TRUE(evolution.ok());
  EXPECT_TRUE(evolution->size());
  EXPECT_FALSE(evolution->shape());
  EXPECT_TRUE(evolution->colour());
  EXPECT_EQ(ParseEvolution("color").status().code(), absl::StatusCode::kInvalidArgument);

  absl::StatusOr<v1::Symptoms> symptoms = ParseSymptoms("itch,bleeding,pain,ulceration,new,inflammation");
  ASSERT_TRUE(symptoms.ok());
  EXPECT_TRUE(symptoms->itch() && symptoms->bleeding() && symptoms->pain() && symptoms->ulceration() &&
              symptoms->new_lesion() && symptoms->inflammation());
  EXPECT_EQ(ParseSymptoms("fever").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(VocabularyTest, EmptyListSetsNothing) {
  absl::StatusOr<v1::Symptoms> symptoms = ParseSymptoms("");
  ASSERT_TRUE(symptoms.ok());
  EXPECT_TRUE(SymptomWords(*symptoms).empty());
}

TEST(VocabularyTest, OutputWordsForStatusesUrgenciesAndEvents) {
  EXPECT_EQ(UrgencyWord(v1::URGENCY_URGENT), "urgent");
  EXPECT_EQ(UrgencyWord(v1::URGENCY_UNSPECIFIED), "-");
  EXPECT_EQ(EventTypeWord(v1::EVENT_TYPE_INFO_REQUESTED), "info-requested");
  EXPECT_EQ(EventTypeWord(v1::EVENT_TYPE_REPORTED), "reported");
  EXPECT_EQ(CaseStatusWord(v1::CASE_STATUS_NEEDS_INFO), "needs_info");
  EXPECT_EQ(CaseStatusWord(v1::CASE_STATUS_UNSPECIFIED), "-");
}

}  // namespace
}  // namespace telederm::cli
