#include "tools/cli/output.h"

#include <algorithm>

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/case_state/timestamps.h"
#include "tools/cli/vocabulary.h"

namespace telederm::cli {

std::string ToJsonLine(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) {
    return "{}";  // Generated messages of this contract always convert.
  }
  return json;
}

std::string FormatTime(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return "-";
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", FromProtoTimestamp(timestamp), absl::UTCTimeZone());
}

std::string Quote(absl::string_view text) {
  std::string quoted = "\"";
  for (char c : text) {
    switch (c) {
      case '\\': quoted += "\\\\"; break;
      case '"': quoted += "\\\""; break;
      case '\n': quoted += "\\n"; break;
      case '\r': quoted += "\\r"; break;
      case '\t': quoted += "\\t"; break;
      default: quoted += c;
    }
  }
  quoted += '"';
  return quoted;
}

std::string YesNo(bool value) { return value ? "yes" : "no"; }

std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size(), 0);
  auto cell = [](const std::vector<std::string>& row, size_t i) -> std::string {
    if (i >= row.size() || row[i].empty()) return "-";
    return row[i];
  };
  for (size_t i = 0; i < header.size(); ++i) {
    widths[i] = header[i].size();
    for (const auto& row : rows) widths[i] = std::max(widths[i], cell(row, i).size());
  }
  auto format_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < header.size(); ++i) {
      std::string value = cell(row, i);
      if (i + 1 < header.size()) value.resize(widths[i], ' ');
      absl::StrAppend(&line, i == 0 ? "" : "  ", value);
    }
    return line;
  };
  std::string table = format_row(header);
  for (const auto& row : rows) absl::StrAppend(&table, "\n", format_row(row));
  return table;
}

std::string FormatEventLine(const v1::CaseEvent& event) {
  std::string line = absl::StrCat(event.event_id().empty() ? "-" : event.event_id(), " ",
                                  event.case_id().empty() ? "-" : event.case_id(), " ",
                                  EventTypeWord(event.type()), " ", CaseStatusWord(event.status()),
                                  " at=", FormatTime(event.at()));
  if (event.urgency() != v1::URGENCY_UNSPECIFIED) {
    absl::StrAppend(&line, " urgency=", UrgencyWord(event.urgency()));
  }
  if (event.has_report()) {
    const v1::Report& report = event.report();
    absl::StrAppend(&line, " diagnosis=", Quote(report.diagnosis_text()),
                    " icd10=", report.icd10_code().empty() ? "-" : report.icd10_code(),
                    " management=", ManagementWord(report.management()));
    if (report.management_interval() != 0) {
      absl::StrAppend(&line, " interval=", report.management_interval());
    }
  }
  if (event.has_message()) absl::StrAppend(&line, " message=", Quote(event.message().text()));
  return line;
}

std::vector<std::string> FormatUploadLines(const v1::UploadImageResponse& response) {
  const v1::ImageRef& image = response.image();
  std::vector<std::string> lines;
  lines.push_back(absl::StrCat("uploaded ", image.sha256(), " modality=", ModalityWord(image.modality()),
                               " type=", image.content_type().empty() ? "-" : image.content_type(),
                               " size=", image.size_bytes(),
                               " already_stored=", YesNo(response.already_stored())));
  for (const v1::QualityFinding& finding : response.warnings()) {
    lines.push_back(absl::StrFormat("warning %s: %s (measured %g, threshold %g)", finding.code(),
                                    finding.message(), finding.measured(), finding.threshold()));
  }
  return lines;
}

}  // namespace telederm::cli
