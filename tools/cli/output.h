#ifndef TELEDERM_TOOLS_CLI_OUTPUT_H_
#define TELEDERM_TOOLS_CLI_OUTPUT_H_

#include <string>
#include <vector>

#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>

#include "absl/strings/string_view.h"
#include "telederm/v1/case.pb.h"
#include "telederm/v1/intake.pb.h"

namespace telederm::cli {

// The line formats of the CLI's text output. docs/CLI.md documents each one; end-to-end
// tests parse them, so a change here is a change of the CLI's contract.
// Every function returns lines without the trailing newline.

// One line of JSON (proto field names, enums as names, default values included).
std::string ToJsonLine(const google::protobuf::Message& message);

// RFC 3339 in UTC to the second, e.g. "2024-05-01T09:30:00Z"; "-" when unset.
std::string FormatTime(const google::protobuf::Timestamp& timestamp);
// Double-quoted, with backslash, quote, newline, carriage return and tab escaped.
std::string Quote(absl::string_view text);
std::string YesNo(bool value);

// Columns padded to their widest cell and separated by two spaces; an empty cell is "-",
// so every row splits on whitespace into the same number of fields (the last column,
// if free text, excepted).
std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

// "<event_id> <case_id> <type> <status> at=<time>[ urgency=<u>]
//  [ diagnosis="<text>" icd10=<code> management=<m>[ interval=<n>]][ message="<text>"]"
std::string FormatEventLine(const v1::CaseEvent& event);

// "uploaded <sha256> modality=<m> type=<content type> size=<bytes> already_stored=<yes|no>"
// then one "warning <code>: <message> (measured <x>, threshold <y>)" per finding.
std::vector<std::string> FormatUploadLines(const v1::UploadImageResponse& response);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_OUTPUT_H_
