// Prints figures for docs/IMAGING.md from the sample datasets: segmentation
// Dice against the HAM10000 masks, quality findings, ABCD scores and risk per
// image, and the median risk of each diagnosis group.
//
//   telederm_imaging_validate <datasets dir> [--verbose]
//
// <datasets dir> holds ham10000-sample/ and pad-ufes-20-subset/. This is a
// sanity check on a tiny sample, not an accuracy claim.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/imaging/decode.h"
#include "common/imaging/lesion_analyzer.h"
#include "common/imaging/quality.h"
#include "common/imaging/segmentation.h"
#include "opencv2/imgproc.hpp"

namespace {

namespace fs = std::filesystem;
using namespace telederm::imaging;

std::string ReadFile(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: telederm_imaging_validate <datasets dir> [--verbose]\n";
    return 2;
  }
  const fs::path root = argv[1];
  const bool verbose = argc > 2 && std::string(argv[2]) == "--verbose";
  const fs::path ham = root / "ham10000-sample";

  std::cout << "Segmentation Dice vs HAM10000 masks\n";
  std::vector<double> dice;
  for (const auto& entry : fs::directory_iterator(ham / "masks")) {
    const std::string id = entry.path().stem().string();
    fs::path image_path;
    for (const auto& d : fs::recursive_directory_iterator(ham)) {
      if (d.path().filename() == id + ".jpg") image_path = d.path();
    }
    absl::StatusOr<cv::Mat> image = DecodeImage(ReadFile(image_path));
    absl::StatusOr<cv::Mat> truth = DecodeImage(ReadFile(entry.path()));
    if (!image.ok() || !truth.ok()) continue;
    cv::Mat truth_grey;
    cv::cvtColor(*truth, truth_grey, cv::COLOR_BGR2GRAY);
    const cv::Mat working = ToWorkingSize(*image, QualityThresholds().working_long_side);
    const LesionSegmentation s = SegmentLesion(working, Modality::kDermoscopy);
    cv::Mat mask = cv::Mat::zeros(truth_grey.size(), CV_8U);
    if (s.found) cv::resize(s.mask, mask, truth_grey.size(), 0, 0, cv::INTER_NEAREST);
    dice.push_back(DiceCoefficient(mask, truth_grey > 127));
    std::cout << absl::StrFormat("  %s  %.3f\n", id, dice.back());
  }
  std::cout << absl::StrFormat("  median %.3f, min %.3f over %d masks\n\n",
                               Median(dice),
                               dice.empty() ? 0 : *std::min_element(dice.begin(), dice.end()),
                               dice.size());

  absl::StatusOr<LesionAnalyzerPtr> analyzer = LesionAnalyzer::Create({});
  if (!analyzer.ok()) {
    std::cerr << analyzer.status() << "\n";
    return 1;
  }
  std::map<std::string, std::vector<double>> risk_by_group, tds_by_group;
  std::map<std::string, int> not_analysable;
  std::map<std::string, std::map<std::string, int>> findings_by_group;
  auto run = [&](const fs::path& path, const std::string& group, Modality modality) {
    absl::StatusOr<ImageAssessment> a = (*analyzer)->Analyze(ReadFile(path), modality);
    if (!a.ok()) {
      std::cout << path.filename().string() << " ERROR " << a.status() << "\n";
      return;
    }
    for (const QualityFinding& f : a->quality.findings) {
      ++findings_by_group[group][f.code + "/" + std::string(SeverityName(f.severity))];
    }
    if (!a->analysable) {
      ++not_analysable[group];
      if (verbose) {
        std::cout << absl::StrFormat("%-6s %s not analysable: %s\n", group,
                                     path.filename().string(), a->not_analysable_reason);
      }
      return;
    }
    risk_by_group[group].push_back(a->risk);
    if (a->dermoscopy.has_value()) {
      tds_by_group[group].push_back(a->dermoscopy->TotalDermoscopyScore());
    }
    if (verbose && a->dermoscopy.has_value()) {
      const DermoscopyFindings& d = *a->dermoscopy;
      std::cout << absl::StrFormat(
          "  shape %.2f/%.2f colour %.1f/%.1f border [%s] colours [%s] "
          "compactness %.2f\n",
          d.shape_asymmetry[0], d.shape_asymmetry[1], d.colour_asymmetry[0],
          d.colour_asymmetry[1],
          absl::StrJoin(d.border_sharpness, " ",
                        [](std::string* out, double v) {
                          absl::StrAppend(out, absl::StrFormat("%.2f", v));
                        }),
          absl::StrJoin(d.colour_fractions, " ",
                        [](std::string* out, double v) {
                          absl::StrAppend(out, absl::StrFormat("%.2f", v));
                        }),
          d.compactness);
    }
    if (verbose) {
      std::cout << absl::StrFormat("%-6s %s focus %.1f | %s\n", group,
                                   path.filename().string(),
                                   a->quality.measurements.focus,
                                   absl::StrJoin(a->explanation, " | "));
    }
  };
  for (const char* group : {"mel", "bcc", "akiec", "nv", "bkl", "df", "vasc"}) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(ham / group)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) run(f, group, Modality::kDermoscopy);
  }
  {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(root / "pad-ufes-20-subset")) {
      if (e.path().extension() == ".png") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) run(f, "pad-nv", Modality::kClinicalCloseUp);
  }
  std::cout << "\nGroup    n  not-analysable  median-risk  median-TDS  quality findings\n";
  for (const char* group : {"mel", "bcc", "akiec", "nv", "bkl", "df", "vasc", "pad-nv"}) {
    std::vector<std::string> findings;
    for (const auto& [code, n] : findings_by_group[group]) {
      findings.push_back(absl::StrCat(code, "=", n));
    }
    std::cout << absl::StrFormat("%-7s %2d  %14d  %11.3f  %10.2f  %s\n", group,
                                 risk_by_group[group].size() + not_analysable[group],
                                 not_analysable[group], Median(risk_by_group[group]),
                                 Median(tds_by_group[group]),
                                 absl::StrJoin(findings, " "));
  }
  return 0;
}
