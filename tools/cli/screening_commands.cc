#include "tools/cli/screening_commands.h"

#include <vector>

#include <grpcpp/client_context.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "telederm/v1/referral.grpc.pb.h"
#include "tools/cli/output.h"

namespace telederm::cli {
namespace {

std::string Percent(double proportion) { return absl::StrFormat("%.1f%%", 100 * proportion); }

// "3/4=75.0%", or "" (printed "-") when there is nothing to divide.
std::string Rate(const v1::Proportion& p) {
  if (p.trials() == 0) return "";
  return absl::StrCat(p.successes(), "/", p.trials(), "=", Percent(p.estimate()));
}

// "30.1-95.4%", or "".
std::string Interval(const v1::Proportion& p) {
  if (p.trials() == 0) return "";
  return absl::StrFormat("%.1f-%.1f%%", 100 * p.lower(), 100 * p.upper());
}

}  // namespace

std::string FormatScreeningReport(const v1::ScreeningReport& report) {
  std::string window = "on any day";
  if (!report.from_date().empty() && !report.to_date().empty()) {
    window = absl::StrCat(report.from_date(), " to ", report.to_date());
  } else if (!report.from_date().empty()) {
    window = absl::StrCat("from ", report.from_date());
  } else if (!report.to_date().empty()) {
    window = absl::StrCat("until ", report.to_date());
  }
  std::string text = absl::StrCat("cases received ", window, " (UTC)\n", "reported=", report.reported_cases(),
                                  " with_outcome=", report.cases_with_outcome(),
                                  " without_outcome=", report.cases_without_outcome(),
                                  " (cases without a biopsy outcome are not counted below)\n\n");
  std::vector<std::vector<std::string>> tiers;
  if (report.groups_size() > 0) {
    for (const v1::TierOutcomes& t : report.groups(0).tiers()) {
      tiers.push_back({t.tier(), absl::StrCat(t.cases()), absl::StrCat(t.malignant())});
    }
  }
  absl::StrAppend(&text, FormatTable({"TIER", "CASES", "MALIGNANT"}, tiers), "\n\n");
  std::vector<std::vector<std::string>> groups;
  for (const v1::ScreeningGroup& g : report.groups()) {
    int64_t cases = 0, malignant = 0;
    for (const v1::TierOutcomes& t : g.tiers()) {
      cases += t.cases();
      malignant += t.malignant();
    }
    groups.push_back({g.split(), absl::StrCat(cases), absl::StrCat(malignant), Rate(g.sensitivity()),
                      Interval(g.sensitivity()), Rate(g.specificity()), Interval(g.specificity()), g.group()});
  }
  absl::StrAppend(&text, FormatTable({"SPLIT", "CASES", "MALIGNANT", "SENSITIVITY", "95%CI", "SPECIFICITY",
                                      "95%CI", "GROUP"},
                                     groups));
  return text;
}

int RunScreeningReport(const CommandLine& line, const CommandContext& context) {
  v1::ScreeningReportRequest request;
  request.set_from_date(line.Value("from").value_or(""));
  request.set_to_date(line.Value("to").value_or(""));
  Endpoint referral = OpenEndpoint("referral", context.options.referral_address);
  v1::ScreeningReport report;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  grpc::Status status = v1::AdminService::NewStub(referral.channel)->GetScreeningReport(&call, request, &report);
  if (!status.ok()) return CallFailure(context, status, referral);
  context.Print(context.options.json ? ToJsonLine(report) : FormatScreeningReport(report));
  return kExitOk;
}

}  // namespace telederm::cli
