#ifndef TELEDERM_TOOLS_CLI_TABLES_H_
#define TELEDERM_TOOLS_CLI_TABLES_H_

#include <string>
#include <vector>

#include "telederm/v1/case.pb.h"
#include "telederm/v1/referral.pb.h"
#include "telederm/v1/triage.pb.h"

namespace telederm::cli {

// Human-readable tables (see FormatTable for the layout). The header line is always
// printed, also when there are no rows.

// POS CASE URGENCY DUE OVERDUE RISK SCREENED CLINIC POOL, numbered from `first_position`.
// RISK has two decimals; OVERDUE and SCREENED are yes/no; DUE as FormatTime.
std::string FormatQueueTable(const std::vector<v1::QueueEntry>& entries, int first_position = 1);

// CASE STATUS TYPE URGENCY RECEIVED DUE PATIENT
std::string FormatCasesTable(const std::vector<v1::Case>& cases);

// NAME VERSION DESCRIPTION
std::string FormatAnalyzersTable(const v1::ListAnalyzersResponse& response);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_TABLES_H_
