#include "tools/eval/metrics.h"

#include <algorithm>

namespace telederm::eval {

Summary Summarise(const std::vector<Outcome>& outcomes) {
  Summary s;
  std::vector<double> malignant_risks, benign_risks, seconds;
  for (const Outcome& o : outcomes) {
    ++s.images;
    s.not_screened += o.screened ? 0 : 1;
    ++s.tiers_by_diagnosis[o.diagnosis][o.tier];
    seconds.push_back(o.seconds);
    bool urgent = o.tier == v1::URGENCY_URGENT;
    bool urgent_or_soon = urgent || o.tier == v1::URGENCY_SOON;
    if (o.malignant) {
      ++s.malignant;
      malignant_risks.push_back(o.risk);
      ++s.urgent_sensitivity.total;
      ++s.urgent_or_soon_sensitivity.total;
      s.urgent_sensitivity.hits += urgent;
      s.urgent_or_soon_sensitivity.hits += urgent_or_soon;
    } else {
      ++s.benign;
      benign_risks.push_back(o.risk);
      ++s.urgent_specificity.total;
      ++s.urgent_or_soon_specificity.total;
      s.urgent_specificity.hits += !urgent;
      s.urgent_or_soon_specificity.hits += !urgent_or_soon;
    }
  }
  if (!malignant_risks.empty() && !benign_risks.empty()) {
    double wins = 0;
    for (double m : malignant_risks) {
      for (double b : benign_risks) wins += m > b ? 1.0 : (m == b ? 0.5 : 0.0);
    }
    s.roc_auc = wins / (static_cast<double>(malignant_risks.size()) * benign_risks.size());
  }
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

}  // namespace telederm::eval
