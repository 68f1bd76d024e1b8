#include "tools/bench/report.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace telederm::bench {
namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppendFormat(&out, "\\u%04x", c);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Number(double v) {
  if (!std::isfinite(v)) return "null";
  return absl::StrFormat("%.6g", v);
}

std::string Ms(double us) { return absl::StrFormat("%.2f", us / 1000); }

}  // namespace

std::string FormatTables(const Report& report) {
  std::string out = absl::StrCat("telederm-bench on ", report.machine, "\n\n");
  absl::StrAppendFormat(&out, "%-34s %8s %6s %12s %-8s %8s %8s %8s %8s %12s %7s  %s\n", "scenario", "n", "errors",
                        "throughput", "unit", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "ceiling", "ratio",
                        "ceiling is");
  for (const Row& r : report.rows) {
    absl::StrAppendFormat(&out, "%-34s %8d %6d %12.1f %-8s %8s %8s %8s %8s %12s %7s  %s\n", r.scenario,
                          r.latency.count, r.latency.errors, r.throughput, r.unit, Ms(r.latency.p50_us),
                          Ms(r.latency.p90_us), Ms(r.latency.p99_us), Ms(r.latency.p999_us),
                          r.ceiling > 0 ? absl::StrFormat("%.1f", r.ceiling) : "-",
                          r.ceiling > 0 ? absl::StrFormat("%.3f", r.ratio()) : "-", r.ceiling_name);
  }
  out += "\n";
  for (const Figure& f : report.figures) {
    absl::StrAppendFormat(&out, "%-52s %14.2f %-10s %s\n", f.name, f.value, f.unit, f.note);
  }
  out += "\ntargets (issue 7)\n";
  for (const Target& t : report.targets) {
    absl::StrAppendFormat(&out, "  %-4s %-60s %12.3f %s %-10.3f %s\n", t.met() ? "MET" : "MISS", t.name, t.measured,
                          t.comparison, t.limit, t.unit);
  }
  return out;
}

std::string FormatJson(const Report& report) {
  std::vector<std::string> rows, figures, targets;
  for (const Row& r : report.rows) {
    const LatencySummary& l = r.latency;
    rows.push_back(absl::StrCat(
        "{\"scenario\":", Quote(r.scenario), ",\"unit\":", Quote(r.unit), ",\"count\":", l.count,
        ",\"errors\":", l.errors, ",\"seconds\":", Number(l.seconds), ",\"throughput\":", Number(r.throughput),
        ",\"p50_ms\":", Number(l.p50_us / 1000), ",\"p90_ms\":", Number(l.p90_us / 1000), ",\"p99_ms\":",
        Number(l.p99_us / 1000), ",\"p999_ms\":", Number(l.p999_us / 1000), ",\"max_ms\":", Number(l.max_us / 1000),
        ",\"ceiling\":", Quote(r.ceiling_name), ",\"ceiling_value\":", Number(r.ceiling), ",\"ratio\":",
        Number(r.ratio()), "}"));
  }
  for (const Figure& f : report.figures) {
    figures.push_back(absl::StrCat("{\"name\":", Quote(f.name), ",\"value\":", Number(f.value), ",\"unit\":",
                                   Quote(f.unit), ",\"note\":", Quote(f.note), "}"));
  }
  for (const Target& t : report.targets) {
    targets.push_back(absl::StrCat("{\"name\":", Quote(t.name), ",\"measured\":", Number(t.measured),
                                   ",\"comparison\":", Quote(t.comparison), ",\"limit\":", Number(t.limit),
                                   ",\"unit\":", Quote(t.unit), ",\"met\":", t.met() ? "true" : "false", "}"));
  }
  return absl::StrCat("{\"telederm_bench\":1,\"machine\":", Quote(report.machine), ",\"rows\":[",
                      absl::StrJoin(rows, ","), "],\"figures\":[", absl::StrJoin(figures, ","), "],\"targets\":[",
                      absl::StrJoin(targets, ","), "]}");
}

}  // namespace telederm::bench
