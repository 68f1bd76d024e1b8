#ifndef TELEDERM_COMMON_METRICS_GAUGE_FAMILY_H_
#define TELEDERM_COMMON_METRICS_GAUGE_FAMILY_H_

// Gauges made at scrape time by a prometheus::Collectable (the pipeline's
// and the screening report's): a family, and one labelled value in it.

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>

namespace telederm::metrics {

inline prometheus::MetricFamily GaugeFamily(std::string name, std::string help) {
  prometheus::MetricFamily family;
  family.name = std::move(name);
  family.help = std::move(help);
  family.type = prometheus::MetricType::Gauge;
  return family;
}

inline void AddGauge(prometheus::MetricFamily& family, std::vector<prometheus::ClientMetric::Label> labels,
                     double value) {
  prometheus::ClientMetric metric;
  // Sorted by name, as the registry's own families are.
  std::sort(labels.begin(), labels.end());
  metric.label = std::move(labels);
  metric.gauge.value = value;
  family.metric.push_back(std::move(metric));
}

}  // namespace telederm::metrics

#endif  // TELEDERM_COMMON_METRICS_GAUGE_FAMILY_H_
