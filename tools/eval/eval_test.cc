#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "tools/eval/labels.h"
#include "tools/eval/metrics.h"

namespace telederm::eval {
namespace {

TEST(ParseLabelsTest, QuotedFieldsWithCommasAndOptionalColumns) {
  auto images = ParseLabels(
      "file,diagnosis,benign_malignant,source,age,sex\n"
      "mel/a.jpg,melanoma,malignant,\"github.com/x, path \"\"y\"\"\",55.0,male\r\n"
      "nv/b.jpg,nevus,benign,plain,,\n");
  ASSERT_TRUE(images.ok()) << images.status();
  ASSERT_EQ(images->size(), 2u);
  EXPECT_EQ((*images)[0].file, "mel/a.jpg");
  EXPECT_TRUE((*images)[0].malignant);
  EXPECT_EQ((*images)[0].age, 55);
  EXPECT_EQ((*images)[0].sex, "male");
  EXPECT_FALSE((*images)[1].malignant);
  EXPECT_FALSE((*images)[1].age.has_value());
}

TEST(ParseLabelsTest, MissingColumnAndBadTruthNameTheProblem) {
  auto no_column = ParseLabels("file,diagnosis\na.jpg,nevus\n");
  EXPECT_EQ(no_column.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(no_column.status().message(), "benign_malignant"));
  auto bad = ParseLabels("file,diagnosis,benign_malignant\na.jpg,nevus,benign\nb.jpg,nevus,maybe\n");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(bad.status().message(), "line 3:")) << bad.status().message();
}

Outcome O(bool malignant, double risk, v1::Urgency tier, const std::string& diagnosis = "x") {
  return Outcome{"f", diagnosis, malignant, risk, tier, true, 0.01};
}

TEST(SummariseTest, SensitivityAndSpecificityCountTheRightTiers) {
  Summary s = Summarise({O(true, 0.9, v1::URGENCY_URGENT), O(true, 0.5, v1::URGENCY_SOON),
                         O(false, 0.4, v1::URGENCY_SOON), O(false, 0.1, v1::URGENCY_ROUTINE)});
  EXPECT_EQ(s.urgent_sensitivity.hits, 1);
  EXPECT_EQ(s.urgent_sensitivity.total, 2);
  EXPECT_EQ(s.urgent_or_soon_sensitivity.hits, 2);
  EXPECT_EQ(s.urgent_specificity.hits, 2);
  EXPECT_EQ(s.urgent_or_soon_specificity.hits, 1);
}

TEST(SummariseTest, AucIsOneForPerfectOrderingHalfForTiesZeroForReversed) {
  EXPECT_DOUBLE_EQ(Summarise({O(true, 0.9, v1::URGENCY_URGENT), O(false, 0.1, v1::URGENCY_ROUTINE)}).roc_auc, 1.0);
  EXPECT_DOUBLE_EQ(Summarise({O(true, 0.5, v1::URGENCY_SOON), O(false, 0.5, v1::URGENCY_SOON)}).roc_auc, 0.5);
  EXPECT_DOUBLE_EQ(Summarise({O(true, 0.1, v1::URGENCY_ROUTINE), O(false, 0.9, v1::URGENCY_URGENT)}).roc_auc, 0.0);
}

TEST(SummariseTest, TierCountsPerDiagnosis) {
  Summary s = Summarise({O(true, 0.9, v1::URGENCY_URGENT, "melanoma"), O(true, 0.9, v1::URGENCY_URGENT, "melanoma"),
                         O(false, 0.1, v1::URGENCY_ROUTINE, "nevus")});
  EXPECT_EQ(s.tiers_by_diagnosis["melanoma"][v1::URGENCY_URGENT], 2);
  EXPECT_EQ(s.tiers_by_diagnosis["nevus"][v1::URGENCY_ROUTINE], 1);
}

// The binary on real sample images: one JSON line per image and a summary that counts them.
TEST(EvalToolTest, JsonOutputHasOneLinePerImageAndASummary) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("telederm-eval-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream labels(dir / "labels.csv");
  labels << "file,diagnosis,benign_malignant,age,sex\n";
  int n = 0;
  for (const char* group : {"mel", "nv"}) {
    for (const auto& entry : fs::directory_iterator(fs::path(TELEDERM_TEST_DATA_DIR) / "images/ham10000" / group)) {
      if (n >= 6 && std::string(group) == "mel") break;
      labels << entry.path().string() << "," << (std::string(group) == "mel" ? "melanoma,malignant" : "nevus,benign")
             << ",50,female\n";
      ++n;
    }
  }
  labels.close();
  std::string command = std::string(TELEDERM_EVAL_BIN) + " --json " + dir.string();
  FILE* pipe = ::popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (size_t got = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, got);
  EXPECT_EQ(::pclose(pipe), 0);
  fs::remove_all(dir);
  std::vector<std::string> lines = absl::StrSplit(output, '\n', absl::SkipEmpty());
  ASSERT_EQ(static_cast<int>(lines.size()), n + 1) << output;
  for (int i = 0; i < n; ++i) {
    EXPECT_TRUE(absl::StrContains(lines[i], "\"tier\":\"")) << lines[i];
    EXPECT_TRUE(absl::StrContains(lines[i], "\"screened\":")) << lines[i];
  }
  EXPECT_TRUE(absl::StrContains(lines[n], "\"summary\":true")) << lines[n];
  EXPECT_TRUE(absl::StrContains(lines[n], absl::StrCat("\"images\":", n))) << lines[n];
}

}  // namespace
}  // namespace telederm::eval
