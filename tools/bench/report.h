#ifndef TELEDERM_TOOLS_BENCH_REPORT_H_
#define TELEDERM_TOOLS_BENCH_REPORT_H_

#include <string>
#include <vector>

#include "tools/bench/stats.h"

namespace telederm::bench {

// One measured scenario, with the ceiling it is compared to (0: none).
struct Row {
  std::string scenario;
  std::string unit = "calls/s";  // of throughput and ceiling
  LatencySummary latency;
  double throughput = 0;
  std::string ceiling_name;
  double ceiling = 0;
  double ratio() const { return ceiling > 0 ? throughput / ceiling : 0; }
};

// A single figure (memory per case, round trips per case, ...).
struct Figure {
  std::string name;
  double value = 0;
  std::string unit;
  std::string note;
};

// One of issue 7's targets.
struct Target {
  std::string name;
  double measured = 0;
  std::string comparison;  // ">=" or "<="
  double limit = 0;
  std::string unit;
  bool met() const { return comparison == ">=" ? measured >= limit : measured <= limit; }
};

struct Report {
  std::string machine;  // cores, load average
  std::vector<Row> rows;
  std::vector<Figure> figures;
  std::vector<Target> targets;
};

// The human-readable tables.
std::string FormatTables(const Report& report);
// One line of JSON: {"telederm_bench":1,"machine":...,"rows":[...],"figures":[...],"targets":[...]}.
std::string FormatJson(const Report& report);

}  // namespace telederm::bench

#endif  // TELEDERM_TOOLS_BENCH_REPORT_H_
