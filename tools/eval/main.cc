// telederm-eval DIR: runs the pre-screening on every image of a labelled
// directory (DIR/labels.csv) and prints how well the tiers separate malignant
// from benign lesions. Each image is screened as the only image of a
// suspected-tumour case of its own, with its modality (dermoscopy unless the
// labels say clinical_close_up) and the form the labels give: age, sex, and
// when present the diameter and history items (labels.h).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/blob/blob_store.h"
#include "services/triage/lesion_image_analyzer.h"
#include "services/triage/screener.h"
#include "tools/eval/labels.h"
#include "tools/eval/metrics.h"

ABSL_FLAG(bool, json, false, "print one JSON object per image, then one with the summary");
ABSL_FLAG(std::string, model, "",
          "ONNX lesion model for dermoscopy as for telederm-triage (default: the shipped one; none: rules only)");
ABSL_FLAG(std::string, model_sidecar, "", "the dermoscopy model's sidecar (default MODEL.sidecar)");
ABSL_FLAG(std::string, closeup_model, "",
          "ONNX lesion model for clinical close-ups as for telederm-triage (default: the shipped one; none: rules "
          "only)");
ABSL_FLAG(bool, downsized, false,
          "the images were downsized for research (e.g. 84-224 px): do not refuse them for resolution or focus, "
          "which downsizing lowers (the other quality checks apply)");
ABSL_FLAG(bool, bootstrap, false, "95% bootstrap intervals (2000 resamples of the images, fixed seed)");

constexpr int kBootstrapResamples = 2000;

namespace telederm::eval {
namespace {

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += absl::StrFormat("\\u%04x", c);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// A rate with no cases has no value: JSON null rather than a misleading 0.
std::string JsonRate(const Rate& r) { return r.total == 0 ? "null" : absl::StrFormat("%.4f", r.value()); }

const char* TierName(v1::Urgency tier) {
  switch (tier) {
    case v1::URGENCY_URGENT: return "URGENT";
    case v1::URGENCY_SOON: return "SOON";
    case v1::URGENCY_ROUTINE: return "ROUTINE";
    default: return "UNSPECIFIED";
  }
}

v1::Case CaseFor(const LabelledImage& image, const std::string& sha256) {
  v1::Case c;
  c.set_case_id("c-00000000000000000000000000");
  v1::CaseSubmission* s = c.mutable_submission();
  s->set_type(v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
  if (image.age) s->mutable_patient()->set_age_years(*image.age);
  s->mutable_patient()->set_sex(image.sex == "female" ? v1::SEX_FEMALE
                                : image.sex == "male" ? v1::SEX_MALE
                                                      : v1::SEX_UNKNOWN);
  v1::Lesion* lesion = s->mutable_lesion();
  if (image.diameter_mm) lesion->set_largest_diameter_mm(static_cast<float>(*image.diameter_mm));
  lesion->mutable_symptoms()->set_itch(image.itch);
  lesion->mutable_evolution()->set_size(image.grew);
  lesion->mutable_symptoms()->set_pain(image.hurt);
  lesion->mutable_evolution()->set_shape(image.changed);
  lesion->mutable_symptoms()->set_bleeding(image.bleed);
  v1::ImageRef* ref = s->add_images();
  ref->set_sha256(sha256);
  ref->set_modality(image.modality == "clinical_close_up" ? v1::MODALITY_CLINICAL_CLOSE_UP
                                                          : v1::MODALITY_DERMOSCOPY);
  return c;
}

int Run(const std::string& dir) {
  std::ifstream labels_file(dir + "/labels.csv");
  if (!labels_file) {
    std::fprintf(stderr, "error: cannot read %s/labels.csv\n", dir.c_str());
    return 1;
  }
  std::ostringstream text;
  text << labels_file.rdbuf();
  absl::StatusOr<std::vector<LabelledImage>> images = ParseLabels(text.str());
  if (!images.ok()) {
    std::fprintf(stderr, "error: %s/labels.csv: %s\n", dir.c_str(), std::string(images.status().message()).c_str());
    return 1;
  }
  std::string blob_dir = (std::filesystem::temp_directory_path() / absl::StrCat("telederm-eval-", ::getpid())).string();
  absl::StatusOr<BlobStorePtr> blobs = OpenDirectoryBlobStore(blob_dir);
  imaging::AnalyzerOptions options;
  if (absl::GetFlag(FLAGS_downsized)) {
    options.quality.refuse_long_side = 0;
    options.quality.refuse_short_side = 0;
    options.quality.blur_refusal_below = 0;
  }
  absl::StatusOr<triage::AnalyzerPtr> analyzer = triage::NewLesionImageAnalyzer(
      options, {.dermoscopy = absl::GetFlag(FLAGS_model),
                .dermoscopy_sidecar = absl::GetFlag(FLAGS_model_sidecar),
                .close_up = absl::GetFlag(FLAGS_closeup_model)});
  if (!blobs.ok() || !analyzer.ok()) {
    std::fprintf(stderr, "error: %s\n",
                 std::string((blobs.ok() ? analyzer.status() : blobs.status()).message()).c_str());
    return 1;
  }
  triage::Screener screener(*analyzer, *blobs, {});
  const bool json = absl::GetFlag(FLAGS_json);

  std::vector<Outcome> outcomes;
  for (const LabelledImage& image : *images) {
    std::ifstream in(dir + "/" + image.file, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    Outcome outcome{image.file, image.diagnosis, image.malignant};
    outcome.source = image.source;
    outcome.fitzpatrick = image.fitzpatrick;
    outcome.group = image.group;
    std::string sha = Sha256Hex(bytes.str());
    if (in) {
      auto writer = (*blobs)->NewWriter();
      if (writer.ok() && (*writer)->Append(bytes.str()).ok()) (void)(*writer)->Commit(sha);
    }
    auto start = std::chrono::steady_clock::now();
    v1::TriageResult result = screener.Screen(CaseFor(image, sha), absl::Now());
    outcome.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    outcome.risk = result.risk_score();
    outcome.tier = result.tier();
    outcome.screened = result.screened();
    outcomes.push_back(outcome);
    if (json) {
      std::string explanation;
      for (const v1::ExplanationItem& item : result.explanation()) {
        absl::StrAppend(&explanation, explanation.empty() ? "" : ",", JsonString(item.text()));
      }
      std::printf("{\"file\":%s,\"diagnosis\":%s,\"malignant\":%s,\"source\":%s,\"risk\":%.4f,\"tier\":\"%s\","
                  "\"screened\":%s,\"seconds\":%.4f,\"explanation\":[%s]}\n",
                  JsonString(image.file).c_str(), JsonString(image.diagnosis).c_str(),
                  image.malignant ? "true" : "false", JsonString(image.source).c_str(), outcome.risk,
                  TierName(outcome.tier), outcome.screened ? "true" : "false", outcome.seconds, explanation.c_str());
    }
  }
  std::filesystem::remove_all(blob_dir);

  Summary s = Summarise(outcomes);
  const bool bootstrap = absl::GetFlag(FLAGS_bootstrap);
  const Intervals ci = bootstrap ? Bootstrap(outcomes, kBootstrapResamples) : Intervals{};
  const std::map<std::string, std::vector<Outcome>> by_source = GroupBy(outcomes, &Outcome::source);
  const std::map<std::string, std::vector<Outcome>> by_fitzpatrick = GroupBy(outcomes, &Outcome::fitzpatrick);
  // A column that is absent (or empty throughout) gives one group named "": no table.
  auto has_groups = [](const auto& groups) { return !(groups.size() == 1 && groups.begin()->first.empty()); };
  if (json) {
    std::string tiers;
    for (const auto& [diagnosis, counts] : s.tiers_by_diagnosis) {
      absl::StrAppend(&tiers, tiers.empty() ? "" : ",", JsonString(diagnosis), ":{");
      bool first = true;
      for (const auto& [tier, n] : counts) {
        absl::StrAppend(&tiers, first ? "" : ",", "\"", TierName(tier), "\":", n);
        first = false;
      }
      absl::StrAppend(&tiers, "}");
    }
    auto interval = [&](const char* name, const Interval& i) {
      return bootstrap ? absl::StrFormat(",\"%s_ci\":[%.4f,%.4f]", name, i.low, i.high) : std::string();
    };
    auto groups_json = [&](const std::map<std::string, std::vector<Outcome>>& groups) {
      std::string out;
      for (const auto& [name, members] : groups) {
        Summary g = Summarise(members);
        absl::StrAppend(&out, out.empty() ? "" : ",", JsonString(name),
                        absl::StrFormat(":{\"images\":%d,\"malignant\":%d,\"benign\":%d,"
                                        "\"urgent_or_soon_sensitivity\":%s,\"urgent_or_soon_specificity\":%s,"
                                        "\"roc_auc\":%s}",
                                        g.images, g.malignant, g.benign,
                                        JsonRate(g.urgent_or_soon_sensitivity),
                                        JsonRate(g.urgent_or_soon_specificity),
                                        g.malignant > 0 && g.benign > 0 ? absl::StrFormat("%.4f", g.roc_auc)
                                                                        : std::string("null")));
      }
      return out;
    };
    std::printf("{\"summary\":true,\"images\":%d,\"malignant\":%d,\"benign\":%d,\"not_screened\":%d,"
                "\"urgent_sensitivity\":%s,\"urgent_specificity\":%s,"
                "\"urgent_or_soon_sensitivity\":%s,\"urgent_or_soon_specificity\":%s,\"roc_auc\":%s%s%s%s%s%s,"
                "\"median_seconds\":%.4f,\"mean_seconds\":%.4f,\"tiers_by_diagnosis\":{%s},"
                "\"by_source\":{%s},\"by_fitzpatrick\":{%s}}\n",
                s.images, s.malignant, s.benign, s.not_screened, JsonRate(s.urgent_sensitivity).c_str(),
                JsonRate(s.urgent_specificity).c_str(), JsonRate(s.urgent_or_soon_sensitivity).c_str(),
                JsonRate(s.urgent_or_soon_specificity).c_str(),
                (s.malignant > 0 && s.benign > 0 ? absl::StrFormat("%.4f", s.roc_auc) : std::string("null")).c_str(),
                interval("urgent_sensitivity", ci.urgent_sensitivity).c_str(),
                interval("urgent_specificity", ci.urgent_specificity).c_str(),
                interval("urgent_or_soon_sensitivity", ci.urgent_or_soon_sensitivity).c_str(),
                interval("urgent_or_soon_specificity", ci.urgent_or_soon_specificity).c_str(),
                interval("roc_auc", ci.roc_auc).c_str(), s.median_seconds, s.mean_seconds, tiers.c_str(),
                has_groups(by_source) ? groups_json(by_source).c_str() : "",
                has_groups(by_fitzpatrick) ? groups_json(by_fitzpatrick).c_str() : "");
    return 0;
  }
  auto rate = [](const Rate& r) {
    return r.total == 0 ? std::string("n/a (0/0)") : absl::StrFormat("%.3f (%d/%d)", r.value(), r.hits, r.total);
  };
  auto with_ci = [&](const Rate& r, const Interval& i) {
    return bootstrap && r.total > 0 ? absl::StrFormat("%s [%.3f, %.3f]", rate(r), i.low, i.high) : rate(r);
  };
  std::printf("telederm-eval %s: %d images, %d malignant, %d benign, %d not screened\n", dir.c_str(), s.images,
              s.malignant, s.benign, s.not_screened);
  if (bootstrap) {
    const bool grouped = std::any_of(outcomes.begin(), outcomes.end(), [](const Outcome& o) { return !o.group.empty(); });
    std::printf("[95%% bootstrap intervals, %d resamples of the %s]\n", kBootstrapResamples,
                grouped ? "lesions or patients (column group)" : "images");
  }
  std::printf("URGENT         sensitivity %s  specificity %s\n", with_ci(s.urgent_sensitivity, ci.urgent_sensitivity).c_str(),
              with_ci(s.urgent_specificity, ci.urgent_specificity).c_str());
  std::printf("URGENT+SOON    sensitivity %s  specificity %s\n",
              with_ci(s.urgent_or_soon_sensitivity, ci.urgent_or_soon_sensitivity).c_str(),
              with_ci(s.urgent_or_soon_specificity, ci.urgent_or_soon_specificity).c_str());
  if (s.malignant > 0 && s.benign > 0) {
    std::printf("ROC AUC of the risk score: %.3f%s\n", s.roc_auc,
                bootstrap ? absl::StrFormat(" [%.3f, %.3f]", ci.roc_auc.low, ci.roc_auc.high).c_str() : "");
  } else {
    std::printf("ROC AUC of the risk score: n/a (needs malignant and benign images)\n");
  }
  std::printf("time per image: median %.1f ms, mean %.1f ms\n", 1000 * s.median_seconds, 1000 * s.mean_seconds);
  // Per diagnosis: the tiers, and the share in URGENT+SOON (malignant) or ROUTINE (benign).
  std::printf("%-32s %7s %7s %7s  %s\n", "diagnosis", "URGENT", "SOON", "ROUTINE",
              "URGENT+SOON (malignant) / ROUTINE (benign)");
  for (const auto& [diagnosis, members] : GroupBy(outcomes, &Outcome::diagnosis)) {
    Summary g = Summarise(members);
    const auto& counts = g.tiers_by_diagnosis[diagnosis];
    auto count = [&](v1::Urgency t) { auto it = counts.find(t); return it == counts.end() ? 0 : it->second; };
    Intervals gi = bootstrap ? Bootstrap(members, kBootstrapResamples) : Intervals{};
    const bool malignant = g.malignant > 0;
    std::printf("%-32s %7d %7d %7d  %s\n", diagnosis.c_str(), count(v1::URGENCY_URGENT), count(v1::URGENCY_SOON),
                count(v1::URGENCY_ROUTINE),
                malignant ? with_ci(g.urgent_or_soon_sensitivity, gi.urgent_or_soon_sensitivity).c_str()
                          : with_ci(g.urgent_or_soon_specificity, gi.urgent_or_soon_specificity).c_str());
  }
  auto group_table = [&](const char* title, const std::map<std::string, std::vector<Outcome>>& groups) {
    if (!has_groups(groups)) return;
    std::printf("%-20s %6s  %-34s  %-34s  %s\n", title, "images", "malignant URGENT+SOON", "benign ROUTINE",
                "ROC AUC");
    for (const auto& [name, members] : groups) {
      Summary g = Summarise(members);
      Intervals gi = bootstrap ? Bootstrap(members, kBootstrapResamples) : Intervals{};
      std::printf("%-20s %6d  %-34s  %-34s  %s\n", name.empty() ? "(none)" : name.c_str(), g.images,
                  with_ci(g.urgent_or_soon_sensitivity, gi.urgent_or_soon_sensitivity).c_str(),
                  with_ci(g.urgent_or_soon_specificity, gi.urgent_or_soon_specificity).c_str(),
                  g.malignant > 0 && g.benign > 0
                      ? absl::StrFormat("%.3f%s", g.roc_auc,
                                        bootstrap ? absl::StrFormat(" [%.3f, %.3f]", gi.roc_auc.low, gi.roc_auc.high)
                                                  : std::string())
                            .c_str()
                      : "n/a");
    }
  };
  group_table("source", by_source);
  group_table("Fitzpatrick type", by_fitzpatrick);
  return 0;
}

}  // namespace
}  // namespace telederm::eval

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("telederm-eval DIR [--json] [--bootstrap]: measure the pre-screening on DIR/labels.csv");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() != 2) {
    std::fprintf(stderr, "usage: telederm-eval DIR [--json] [--bootstrap] [--model FILE|none] [--closeup_model FILE|none]\n");
    return 2;
  }
  return telederm::eval::Run(args[1]);
}
