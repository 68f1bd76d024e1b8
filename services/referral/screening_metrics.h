#ifndef TELEDERM_SERVICES_REFERRAL_SCREENING_METRICS_H_
#define TELEDERM_SERVICES_REFERRAL_SCREENING_METRICS_H_

#include <memory>
#include <vector>

#include <prometheus/collectable.h>

#include "services/referral/screening_tally.h"

namespace telederm::referral {

// The screening report over every day, as gauges read from Redis at each
// scrape (one HGETALL), so every referral process reports the same values:
// aggregate with max(), not sum().
//   telederm_screening_outcome_cases{tier,malignant,fitzpatrick,modality,analyzer}
//   telederm_screening_reported_cases
//   telederm_screening_cases_without_outcome
//   telederm_screening_sensitivity{split,group}   and _lower, _upper (95% Wilson)
//   telederm_screening_specificity{split,group}   and _lower, _upper
// Labels come from fixed sets (tier, malignant, fitzpatrick, modality, split)
// except the analyzer: the kMaxAnalyzers analyzers with most cases keep their
// name, the rest are "other". Sensitivity and specificity are absent for a
// group without the cases to compute them. Nothing is reported while Redis
// does not answer (telederm_redis_scrape_ok says so). Thread-safe.
class ScreeningGauges final : public prometheus::Collectable {
 public:
  static constexpr int kMaxAnalyzers = 8;

  explicit ScreeningGauges(std::shared_ptr<ScreeningTally> tally);

  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::shared_ptr<ScreeningTally> tally_;
};

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_SCREENING_METRICS_H_
