#include "services/referral/screening_metrics.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include <prometheus/metric_family.h>

#include "absl/strings/str_cat.h"
#include "common/logging/log.h"
#include "common/metrics/gauge_family.h"
#include "services/referral/screening_cell.h"
#include "services/referral/screening_report.h"

namespace telederm::referral {
namespace {

using metrics::AddGauge;
using metrics::GaugeFamily;

// `counts` with every analyzer but the kMaxAnalyzers with most cases renamed "other".
ScreeningCounts BoundAnalyzers(const ScreeningCounts& counts) {
  std::map<std::string, int64_t> per_analyzer;
  for (const auto& [field, n] : counts.cells) {
    if (std::optional<ScreeningCell> cell = DecodeCell(field)) per_analyzer[cell->analyzer] += n;
  }
  std::vector<std::pair<int64_t, std::string>> ranked;
  for (const auto& [analyzer, n] : per_analyzer) ranked.emplace_back(-n, analyzer);
  std::sort(ranked.begin(), ranked.end());
  std::set<std::string> kept;
  const size_t limit = std::min<size_t>(ranked.size(), ScreeningGauges::kMaxAnalyzers);
  for (size_t i = 0; i < limit; ++i) kept.insert(ranked[i].second);
  ScreeningCounts bounded;
  bounded.reported = counts.reported;
  for (const auto& [field, n] : counts.cells) {
    std::optional<ScreeningCell> cell = DecodeCell(field);
    if (!cell.has_value()) continue;
    if (!kept.contains(cell->analyzer)) cell->analyzer = "other";
    bounded.cells[EncodeCell(*cell)] += n;
  }
  return bounded;
}

}  // namespace

ScreeningGauges::ScreeningGauges(std::shared_ptr<ScreeningTally> tally) : tally_(std::move(tally)) {}

std::vector<prometheus::MetricFamily> ScreeningGauges::Collect() const {
  absl::StatusOr<ScreeningCounts> totals = tally_->Totals();
  if (!totals.ok()) {
    LogWarning(absl::StrCat("screening gauges not read: ", totals.status().ToString()));
    return {};
  }
  const ScreeningCounts counts = BoundAnalyzers(*totals);
  prometheus::MetricFamily cases = GaugeFamily("telederm_screening_outcome_cases",
                                         "Cases with a recorded biopsy outcome, by pre-screening tier and histology");
  for (const auto& [field, n] : counts.cells) {
    std::optional<ScreeningCell> cell = DecodeCell(field);
    if (!cell.has_value() || n <= 0) continue;
    AddGauge(cases,
        {{"tier", cell->tier},
         {"malignant", cell->malignant ? "true" : "false"},
         {"fitzpatrick", FitzpatrickWord(cell->fitzpatrick)},
         {"modality", cell->modality},
         {"analyzer", cell->analyzer}},
        static_cast<double>(n));
  }
  const v1::ScreeningReport report = BuildScreeningReport(counts);
  prometheus::MetricFamily reported =
      GaugeFamily("telederm_screening_reported_cases", "Reports signed (since the screening counts exist)");
  AddGauge(reported, {}, static_cast<double>(report.reported_cases()));
  prometheus::MetricFamily without =
      GaugeFamily("telederm_screening_cases_without_outcome", "Reported cases without a recorded biopsy outcome");
  AddGauge(without, {}, static_cast<double>(report.cases_without_outcome()));

  std::vector<prometheus::MetricFamily> families = {cases, reported, without};
  const struct {
    const char* name;
    const char* help;
    const v1::Proportion& (v1::ScreeningGroup::*of)() const;
  } kRates[] = {
      {"telederm_screening_sensitivity", "Malignant screened cases sent URGENT or SOON",
       &v1::ScreeningGroup::sensitivity},
      {"telederm_screening_specificity", "Benign screened cases left ROUTINE", &v1::ScreeningGroup::specificity},
  };
  for (const auto& rate : kRates) {
    prometheus::MetricFamily estimate = GaugeFamily(rate.name, absl::StrCat(rate.help, " (proportion)"));
    prometheus::MetricFamily lower =
        GaugeFamily(absl::StrCat(rate.name, "_lower"), absl::StrCat(rate.help, ": 95% Wilson lower bound"));
    prometheus::MetricFamily upper =
        GaugeFamily(absl::StrCat(rate.name, "_upper"), absl::StrCat(rate.help, ": 95% Wilson upper bound"));
    for (const v1::ScreeningGroup& group : report.groups()) {
      const v1::Proportion& p = (group.*rate.of)();
      if (p.trials() == 0) continue;
      std::vector<prometheus::ClientMetric::Label> labels = {{"split", group.split()}, {"group", group.group()}};
      AddGauge(estimate, labels, p.estimate());
      AddGauge(lower, labels, p.lower());
      AddGauge(upper, labels, p.upper());
    }
    families.insert(families.end(), {estimate, lower, upper});
  }
  return families;
}

}  // namespace telederm::referral
