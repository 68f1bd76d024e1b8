#include "tools/eval/metrics.h"

#include <algorithm>
#include <map>
#include <random>
#include <utility>

namespace telederm::eval {

Summary Summarise(const std::vector<Outcome>& outcomes) {
  Summary s;
  std::vector<double> seconds;
  for (const Outcome& o : outcomes) {
    ++s.images;
    s.not_screened += o.screened ? 0 : 1;
    ++s.tiers_by_diagnosis[o.diagnosis][o.tier];
    seconds.push_back(o.seconds);
    bool urgent = o.tier == v1::URGENCY_URGENT;
    bool urgent_or_soon = urgent || o.tier == v1::URGENCY_SOON;
    if (o.malignant) {
      ++s.malignant;
      ++s.urgent_sensitivity.total;
      ++s.urgent_or_soon_sensitivity.total;
      s.urgent_sensitivity.hits += urgent;
      s.urgent_or_soon_sensitivity.hits += urgent_or_soon;
    } else {
      ++s.benign;
      ++s.urgent_specificity.total;
      ++s.urgent_or_soon_specificity.total;
      s.urgent_specificity.hits += !urgent;
      s.urgent_or_soon_specificity.hits += !urgent_or_soon;
    }
  }
  s.roc_auc = RocAuc(outcomes);
  if (!seconds.empty()) {
    std::sort(seconds.begin(), seconds.end());
    size_t n = seconds.size();
    s.median_seconds = n % 2 ? seconds[n / 2] : (seconds[n / 2 - 1] + seconds[n / 2]) / 2;
    double total = 0;
    for (double x : seconds) total += x;
    s.mean_seconds = total / n;
  }
  return s;
}

double RocAuc(const std::vector<Outcome>& outcomes) {
  std::vector<std::pair<double, bool>> scored;
  scored.reserve(outcomes.size());
  double malignant = 0, benign = 0;
  for (const Outcome& o : outcomes) {
    scored.emplace_back(o.risk, o.malignant);
    (o.malignant ? malignant : benign) += 1;
  }
  if (malignant == 0 || benign == 0) return 0;
  std::sort(scored.begin(), scored.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  // Sum of the malignant images' ranks, ties given their average rank.
  double rank_sum = 0;
  for (size_t i = 0; i < scored.size();) {
    size_t j = i;
    while (j < scored.size() && scored[j].first == scored[i].first) ++j;
    const double average_rank = (i + 1 + j) / 2.0;
    for (size_t k = i; k < j; ++k) rank_sum += scored[k].second ? average_rank : 0;
    i = j;
  }
  return (rank_sum - malignant * (malignant + 1) / 2) / (malignant * benign);
}

Intervals Bootstrap(const std::vector<Outcome>& outcomes, int resamples) {
  Intervals intervals;
  if (outcomes.empty() || resamples < 1) return intervals;
  // Each group's images, in order of first appearance.
  std::vector<std::vector<size_t>> groups;
  std::map<std::string, size_t> group_index;
  for (size_t i = 0; i < outcomes.size(); ++i) {
    if (outcomes[i].group.empty()) {
      groups.push_back({i});
      continue;
    }
    auto [it, added] = group_index.emplace(outcomes[i].group, groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  std::mt19937_64 random(16);
  std::uniform_int_distribution<size_t> pick(0, groups.size() - 1);
  std::vector<double> values[5];
  std::vector<Outcome> sample;
  for (int r = 0; r < resamples; ++r) {
    sample.clear();
    for (size_t g = 0; g < groups.size(); ++g) {
      for (size_t i : groups[pick(random)]) sample.push_back(outcomes[i]);
    }
    Summary s = Summarise(sample);
    values[0].push_back(s.urgent_sensitivity.value());
    values[1].push_back(s.urgent_specificity.value());
    values[2].push_back(s.urgent_or_soon_sensitivity.value());
    values[3].push_back(s.urgent_or_soon_specificity.value());
    values[4].push_back(s.roc_auc);
  }
  Interval* out[5] = {&intervals.urgent_sensitivity, &intervals.urgent_specificity,
                      &intervals.urgent_or_soon_sensitivity, &intervals.urgent_or_soon_specificity,
                      &intervals.roc_auc};
  for (int i = 0; i < 5; ++i) {
    std::sort(values[i].begin(), values[i].end());
    auto at = [&](double q) { return values[i][static_cast<size_t>(q * (values[i].size() - 1) + 0.5)]; };
    *out[i] = {at(0.025), at(0.975)};
  }
  return intervals;
}

std::map<std::string, std::vector<Outcome>> GroupBy(const std::vector<Outcome>& outcomes,
                                                    std::string Outcome::*key) {
  std::map<std::string, std::vector<Outcome>> groups;
  for (const Outcome& o : outcomes) groups[o.*key].push_back(o);
  return groups;
}

}  // namespace telederm::eval
