#include "services/referral/screening_report.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "services/referral/screening_cell.h"

namespace telederm::referral {
namespace {

constexpr double kZ95 = 1.959963984540054;
constexpr std::array<const char*, 4> kTiers = {"urgent", "soon", "routine", "not_screened"};
constexpr std::array<const char*, 7> kModalities = {"dermoscopy", "close_up",   "overview", "confocal",
                                                    "ultrasound", "unspecified", "none"};

// One group's counts while the report is built.
struct Tally {
  std::array<int64_t, kTiers.size()> cases{};
  std::array<int64_t, kTiers.size()> malignant{};

  void Add(const ScreeningCell& cell, int64_t n) {
    const size_t tier = std::find(kTiers.begin(), kTiers.end(), cell.tier) - kTiers.begin();
    if (tier == kTiers.size()) return;  // a tier this build does not know: counted nowhere
    cases[tier] += n;
    if (cell.malignant) malignant[tier] += n;
  }
  int64_t total() const { return cases[0] + cases[1] + cases[2] + cases[3]; }
};

v1::ScreeningGroup MakeGroup(const std::string& split, const std::string& name, const Tally& t) {
  v1::ScreeningGroup group;
  group.set_split(split);
  group.set_group(name);
  for (size_t i = 0; i < kTiers.size(); ++i) {
    v1::TierOutcomes* tier = group.add_tiers();
    tier->set_tier(kTiers[i]);
    tier->set_cases(t.cases[i]);
    tier->set_malignant(t.malignant[i]);
  }
  // Tiers 0 and 1 (URGENT, SOON) are the positive call; 2 (ROUTINE) the negative.
  const int64_t true_positives = t.malignant[0] + t.malignant[1];
  const int64_t malignant_screened = true_positives + t.malignant[2];
  const int64_t true_negatives = t.cases[2] - t.malignant[2];
  const int64_t benign_screened = (t.cases[0] - t.malignant[0]) + (t.cases[1] - t.malignant[1]) + true_negatives;
  *group.mutable_sensitivity() = WilsonInterval(true_positives, malignant_screened);
  *group.mutable_specificity() = WilsonInterval(true_negatives, benign_screened);
  return group;
}

}  // namespace

v1::Proportion WilsonInterval(int64_t successes, int64_t trials) {
  v1::Proportion p;
  p.set_successes(successes);
  p.set_trials(trials);
  if (trials <= 0) {
    p.set_lower(0);
    p.set_upper(1);
    return p;
  }
  const double n = static_cast<double>(trials);
  const double phat = static_cast<double>(successes) / n;
  const double z2 = kZ95 * kZ95;
  const double denominator = 1 + z2 / n;
  const double centre = (phat + z2 / (2 * n)) / denominator;
  const double half = kZ95 * std::sqrt(phat * (1 - phat) / n + z2 / (4 * n * n)) / denominator;
  p.set_estimate(phat);
  p.set_lower(std::max(0.0, centre - half));
  p.set_upper(std::min(1.0, centre + half));
  return p;
}

v1::ScreeningReport BuildScreeningReport(const ScreeningCounts& counts) {
  Tally all;
  std::array<Tally, 7> by_fitzpatrick;  // index: type, 0 unrecorded
  std::array<Tally, kModalities.size()> by_modality;
  std::map<std::string, Tally> by_analyzer;
  for (const auto& [field, n] : counts.cells) {
    std::optional<ScreeningCell> cell = DecodeCell(field);
    if (!cell.has_value() || n <= 0) continue;
    all.Add(*cell, n);
    by_fitzpatrick[cell->fitzpatrick].Add(*cell, n);
    const size_t modality = std::find(kModalities.begin(), kModalities.end(), cell->modality) - kModalities.begin();
    if (modality < kModalities.size()) by_modality[modality].Add(*cell, n);
    by_analyzer[cell->analyzer].Add(*cell, n);
  }

  v1::ScreeningReport report;
  report.set_reported_cases(counts.reported);
  report.set_cases_with_outcome(all.total());
  // Reports signed before the counts existed are not in `reported`: never below zero.
  report.set_cases_without_outcome(std::max<int64_t>(0, counts.reported - all.total()));
  *report.add_groups() = MakeGroup("all", "all", all);
  for (int type : {1, 2, 3, 4, 5, 6, 0}) {
    if (by_fitzpatrick[type].total() > 0) {
      *report.add_groups() = MakeGroup("fitzpatrick", FitzpatrickWord(type), by_fitzpatrick[type]);
    }
  }
  for (size_t i = 0; i < kModalities.size(); ++i) {
    if (by_modality[i].total() > 0) *report.add_groups() = MakeGroup("modality", kModalities[i], by_modality[i]);
  }
  for (const auto& [analyzer, tally] : by_analyzer) {
    if (tally.total() > 0) *report.add_groups() = MakeGroup("analyzer", analyzer, tally);
  }
  return report;
}

}  // namespace telederm::referral
