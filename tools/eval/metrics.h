#ifndef TELEDERM_TOOLS_EVAL_METRICS_H_
#define TELEDERM_TOOLS_EVAL_METRICS_H_

#include <map>
#include <string>
#include <vector>

#include "telederm/v1/case.pb.h"

namespace telederm::eval {

// What the screener decided for one labelled image.
struct Outcome {
  std::string file;
  std::string diagnosis;
  bool malignant = false;
  double risk = 0;
  v1::Urgency tier = v1::URGENCY_UNSPECIFIED;
  bool screened = false;
  double seconds = 0;
  std::string source;       // may be empty
  std::string fitzpatrick;  // may be empty
  // The lesion or patient the image belongs to (labels column group); images
  // of one group are resampled together. Empty: a group of its own.
  std::string group;
};

struct Rate {
  int hits = 0;
  int total = 0;
  double value() const { return total == 0 ? 0 : static_cast<double>(hits) / total; }
};

struct Summary {
  int images = 0, malignant = 0, benign = 0, not_screened = 0;
  // Malignant images sent URGENT (sensitivity); benign images not sent URGENT (specificity).
  Rate urgent_sensitivity, urgent_specificity;
  // The same with URGENT or SOON counted as positive.
  Rate urgent_or_soon_sensitivity, urgent_or_soon_specificity;
  // ROC AUC of the risk score for malignant vs benign (Mann-Whitney; ties count half).
  double roc_auc = 0;
  std::map<std::string, std::map<v1::Urgency, int>> tiers_by_diagnosis;
  double median_seconds = 0, mean_seconds = 0;
};

Summary Summarise(const std::vector<Outcome>& outcomes);

// ROC AUC of risk for malignant vs benign (Mann-Whitney, ties count half);
// 0 when either class is empty. O(n log n).
double RocAuc(const std::vector<Outcome>& outcomes);

// A 95% interval (2.5th and 97.5th percentiles of the bootstrap).
struct Interval {
  double low = 0, high = 0;
};

struct Intervals {
  Interval urgent_sensitivity, urgent_specificity;
  Interval urgent_or_soon_sensitivity, urgent_or_soon_specificity;
  Interval roc_auc;
};

// Percentile bootstrap over groups (Outcome::group: lesions or patients; an
// image without one is its own group), resampled with replacement
// `resamples` times from a fixed seed: the same outcomes give the same
// intervals. Resampling whole groups keeps a lesion's several images from
// narrowing the interval as if they were independent.
Intervals Bootstrap(const std::vector<Outcome>& outcomes, int resamples);

// The outcomes whose `key` (diagnosis, source or fitzpatrick) is each value.
std::map<std::string, std::vector<Outcome>> GroupBy(const std::vector<Outcome>& outcomes,
                                                    std::string Outcome::*key);

}  // namespace telederm::eval

#endif  // TELEDERM_TOOLS_EVAL_METRICS_H_
