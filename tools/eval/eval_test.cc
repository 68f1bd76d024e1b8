#include <cstdio>
#include <cstdlib>
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

TEST(ParseLabelsTest, ModalitySourceAndFitzpatrickColumns) {
  auto images = ParseLabels(
      "file,diagnosis,benign_malignant,modality,source,fitzpatrick\n"
      "a.jpg,nevus,benign,clinical_close_up,pad,2\n"
      "b.jpg,nevus,benign,,ham,\n");
  ASSERT_TRUE(images.ok()) << images.status();
  EXPECT_EQ((*images)[0].modality, "clinical_close_up");
  EXPECT_EQ((*images)[0].source, "pad");
  EXPECT_EQ((*images)[0].fitzpatrick, "2");
  EXPECT_EQ((*images)[1].modality, "dermoscopy");
  auto bad = ParseLabels("file,diagnosis,benign_malignant,modality\na.jpg,nevus,benign,xray\n");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "line 2: modality must be 'dermoscopy' or 'clinical_close_up', not 'xray'");
}

TEST(ParseLabelsTest, DiameterAndHistoryColumnsBecomeTheForm) {
  auto images = ParseLabels(
      "file,diagnosis,benign_malignant,diameter_mm,itch,grew,hurt,changed,bleed\n"
      "a.jpg,basal_cell_carcinoma,malignant,7.5,true,false,1,0,TRUE\n"
      "b.jpg,nevus,benign,,,,,,\n");
  ASSERT_TRUE(images.ok()) << images.status();
  const LabelledImage& a = (*images)[0];
  EXPECT_EQ(a.diameter_mm, 7.5);
  EXPECT_TRUE(a.itch);
  EXPECT_FALSE(a.grew);
  EXPECT_TRUE(a.hurt);
  EXPECT_FALSE(a.changed);
  EXPECT_TRUE(a.bleed);
  const LabelledImage& b = (*images)[1];
  EXPECT_FALSE(b.diameter_mm.has_value());
  EXPECT_FALSE(b.itch || b.grew || b.hurt || b.changed || b.bleed);
  auto bad = ParseLabels("file,diagnosis,benign_malignant,bleed\na.jpg,nevus,benign,UNK\n");
  EXPECT_EQ(bad.status().message(), "line 2: bleed must be true or false, not 'unk'");
  auto bad_diameter = ParseLabels("file,diagnosis,benign_malignant,diameter_mm\na.jpg,nevus,benign,big\n");
  EXPECT_EQ(bad_diameter.status().message(), "line 2: diameter_mm must be a number of millimetres, not 'big'");
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

TEST(SummariseTest, RankAucAveragesTies) {
  // Malignant 0.9, 0.5; benign 0.5, 0.1: pairs (0.9>0.5, 0.9>0.1, 0.5=0.5, 0.5>0.1) -> 3.5 / 4.
  EXPECT_DOUBLE_EQ(RocAuc({O(true, 0.9, v1::URGENCY_URGENT), O(true, 0.5, v1::URGENCY_SOON),
                           O(false, 0.5, v1::URGENCY_SOON), O(false, 0.1, v1::URGENCY_ROUTINE)}),
                   0.875);
  EXPECT_DOUBLE_EQ(RocAuc({O(true, 0.9, v1::URGENCY_URGENT)}), 0.0);
}

TEST(BootstrapTest, IntervalsHoldTheEstimateAndAreReproducible) {
  std::vector<Outcome> outcomes;
  for (int i = 0; i < 100; ++i) {
    // 80 of 100 malignant images URGENT or SOON, 60 of 100 benign ROUTINE.
    outcomes.push_back(O(true, 0.5 + i / 1000.0, i < 80 ? v1::URGENCY_SOON : v1::URGENCY_ROUTINE));
    outcomes.push_back(O(false, 0.45 + i / 1000.0, i < 60 ? v1::URGENCY_ROUTINE : v1::URGENCY_SOON));
  }
  Intervals a = Bootstrap(outcomes, 500);
  Intervals b = Bootstrap(outcomes, 500);
  EXPECT_EQ(a.urgent_or_soon_sensitivity.low, b.urgent_or_soon_sensitivity.low);
  EXPECT_LT(a.urgent_or_soon_sensitivity.low, 0.80);
  EXPECT_GT(a.urgent_or_soon_sensitivity.high, 0.80);
  EXPECT_GT(a.urgent_or_soon_sensitivity.low, 0.65);  // about 0.80 +- 2 * 0.04
  EXPECT_LT(a.urgent_or_soon_specificity.low, 0.60);
  EXPECT_GT(a.urgent_or_soon_specificity.high, 0.60);
  const double auc = Summarise(outcomes).roc_auc;
  EXPECT_LT(a.roc_auc.low, auc);
  EXPECT_GT(a.roc_auc.high, auc);
}

// Every image twice, both copies one lesion: resampling lesions gives the
// intervals of the images without their copies; resampling images as if the
// copies were independent gives narrower ones.
TEST(BootstrapTest, ImagesOfOneLesionAreResampledTogether) {
  std::vector<Outcome> distinct, copied, copied_ungrouped;
  for (int i = 0; i < 40; ++i) {
    Outcome o = O(i % 2 == 0, 0.3 + i / 100.0, i % 3 == 0 ? v1::URGENCY_ROUTINE : v1::URGENCY_SOON);
    distinct.push_back(o);
    o.group = "lesion-" + std::to_string(i);
    copied.push_back(o);
    copied.push_back(o);
    o.group.clear();
    copied_ungrouped.push_back(o);
    copied_ungrouped.push_back(o);
  }
  const Intervals by_lesion = Bootstrap(copied, 500);
  const Intervals alone = Bootstrap(distinct, 500);
  EXPECT_EQ(by_lesion.urgent_or_soon_sensitivity.low, alone.urgent_or_soon_sensitivity.low);
  EXPECT_EQ(by_lesion.urgent_or_soon_sensitivity.high, alone.urgent_or_soon_sensitivity.high);
  EXPECT_EQ(by_lesion.roc_auc.low, alone.roc_auc.low);
  const Intervals by_image = Bootstrap(copied_ungrouped, 500);
  EXPECT_LT(by_image.urgent_or_soon_sensitivity.high - by_image.urgent_or_soon_sensitivity.low,
            by_lesion.urgent_or_soon_sensitivity.high - by_lesion.urgent_or_soon_sensitivity.low);
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

std::string RunEval(const std::string& flags) {
  std::string command = std::string(TELEDERM_EVAL_BIN) + " " + flags;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return "";
  std::string output;
  char buffer[4096];
  while (size_t got = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, got);
  EXPECT_EQ(::pclose(pipe), 0) << command;
  return output;
}

// The number after `key` in `text` (a JSON summary or a docs line), or -1.
double NumberAfter(const std::string& text, const std::string& key) {
  const size_t at = text.find(key);
  if (at == std::string::npos) return -1;
  return std::strtod(text.c_str() + at + key.size(), nullptr);
}

// The figures docs/MODEL.md states as a fixed set's floors: the line that
// starts with `prefix` (malignant URGENT+SOON, benign ROUTINE, ROC AUC).
struct Floors {
  double sensitivity = 0, specificity = 0, auc = 0;
};
Floors ModelCardFloors(absl::string_view prefix) {
  std::ifstream card_file(std::string(TELEDERM_SOURCE_DIR) + "/docs/MODEL.md");
  std::ostringstream card_text;
  card_text << card_file.rdbuf();
  std::string floors;
  for (absl::string_view line : absl::StrSplit(card_text.str(), '\n')) {
    if (absl::StartsWith(line, prefix)) floors = std::string(line);
  }
  EXPECT_FALSE(floors.empty()) << "docs/MODEL.md has no '" << prefix << "' line";
  Floors f{NumberAfter(floors, "malignant URGENT+SOON >= "), NumberAfter(floors, "benign ROUTINE >= "),
           NumberAfter(floors, "ROC AUC >= ")};
  EXPECT_GT(f.sensitivity, 0) << floors;
  EXPECT_GT(f.specificity, 0) << floors;
  EXPECT_GT(f.auc, 0) << floors;
  return f;
}

// Runs the shipped models (loaded by default) over a committed set of
// `images` and checks that the model ran on every screened image and that
// the summary reaches `floors`.
void ExpectShippedModelMeets(const std::string& set, int images, const Floors& floors) {
  std::string output = RunEval("--json --downsized " + std::string(TELEDERM_TEST_DATA_DIR) + "/" + set);
  std::vector<std::string> lines = absl::StrSplit(output, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), static_cast<size_t>(images) + 1) << output.substr(0, 2000);
  int screened = 0;
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    if (!absl::StrContains(lines[i], "\"screened\":true")) continue;  // Not screened: URGENT, no model.
    ++screened;
    ASSERT_TRUE(absl::StrContains(lines[i], "lesion model: malignant ")) << "the model did not run: " << lines[i];
  }
  EXPECT_GT(screened, images * 5 / 6);
  const std::string& summary = lines.back();
  EXPECT_GE(NumberAfter(summary, "\"urgent_or_soon_sensitivity\":"), floors.sensitivity) << summary;
  EXPECT_GE(NumberAfter(summary, "\"urgent_or_soon_specificity\":"), floors.specificity) << summary;
  EXPECT_GE(NumberAfter(summary, "\"roc_auc\":"), floors.auc) << summary;
}

// The shipped dermoscopy model on the committed sample of its validation
// split must do at least what docs/MODEL.md states for that set.
TEST(EvalToolTest, ShippedModelOnTheFixedValidationSetMeetsTheModelCard) {
  ExpectShippedModelMeets("model-validation", 240, ModelCardFloors("| fixed set floor |"));
}

// The same for the close-up model, its photos screened as clinical close-ups
// with their form (history items), as the service would.
TEST(EvalToolTest, ShippedCloseUpModelOnTheFixedValidationSetMeetsTheModelCard) {
  ExpectShippedModelMeets("closeup-validation", 80, ModelCardFloors("| close-up fixed set floor |"));
}

TEST(EvalToolTest, ModelNoneScreensWithTheRulesAlone) {
  std::string output = RunEval("--json --downsized --model=none " + std::string(TELEDERM_TEST_DATA_DIR) +
                               "/model-validation");
  EXPECT_FALSE(absl::StrContains(output, "lesion model")) << output.substr(0, 2000);
  EXPECT_TRUE(absl::StrContains(output, "\"images\":240")) << output.substr(output.size() > 2000 ? output.size() - 2000 : 0);
}

}  // namespace
}  // namespace telederm::eval
