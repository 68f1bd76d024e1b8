#include "tools/cli/tables.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tools/cli/output.h"
#include "tools/cli/vocabulary.h"

namespace telederm::cli {

std::string FormatQueueTable(const std::vector<v1::QueueEntry>& entries, int first_position) {
  std::vector<std::vector<std::string>> rows;
  int position = first_position;
  for (const v1::QueueEntry& entry : entries) {
    rows.push_back({absl::StrCat(position++), entry.case_id(), UrgencyWord(entry.urgency()),
                    FormatTime(entry.due_at()), YesNo(entry.overdue()),
                    absl::StrFormat("%.2f", entry.risk_score()), YesNo(entry.screened()), entry.clinic_id(),
                    entry.pool()});
  }
  return FormatTable({"POS", "CASE", "URGENCY", "DUE", "OVERDUE", "RISK", "SCREENED", "CLINIC", "POOL"},
                     rows);
}

std::string FormatCasesTable(const std::vector<v1::Case>& cases) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::Case& c : cases) {
    rows.push_back({c.case_id(), CaseStatusWord(c.status()), CaseTypeWord(c.submission().type()),
                    UrgencyWord(c.urgency()), FormatTime(c.received_at()), FormatTime(c.due_at()),
                    c.submission().patient().reference()});
  }
  return FormatTable({"CASE", "STATUS", "TYPE", "URGENCY", "RECEIVED", "DUE", "PATIENT"}, rows);
}

std::string FormatAnalyzersTable(const v1::ListAnalyzersResponse& response) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::AnalyzerInfo& analyzer : response.analyzers()) {
    rows.push_back({analyzer.name(), analyzer.version(), analyzer.description()});
  }
  return FormatTable({"NAME", "VERSION", "DESCRIPTION"}, rows);
}

}  // namespace telederm::cli
