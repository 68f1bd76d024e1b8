#include "services/referral/icd10_table.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/referral/report_rules.h"

namespace telederm::referral {

absl::StatusOr<std::shared_ptr<const Icd10Table>> Icd10Table::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("ICD-10 table ", path, " cannot be read"));
  std::ostringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::shared_ptr<const Icd10Table>> table = Parse(text.str());
  if (!table.ok()) return absl::Status(table.status().code(), absl::StrCat(path, ": ", table.status().message()));
  return table;
}

absl::StatusOr<std::shared_ptr<const Icd10Table>> Icd10Table::Parse(absl::string_view text) {
  auto table = std::make_shared<Icd10Table>();
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripTrailingAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> fields = absl::StrSplit(line, absl::MaxSplits('\t', 1));
    if (fields.size() != 2 || !IsIcd10Shaped(fields[0]) || fields[1].empty()) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line_number, ": expected code<TAB>title, got '",
                                                     line, "'"));
    }
    table->titles_.emplace(std::string(fields[0]), std::string(fields[1]));
  }
  if (table->titles_.empty()) return absl::InvalidArgumentError("the ICD-10 table has no codes");
  return std::shared_ptr<const Icd10Table>(std::move(table));
}

std::optional<std::string> Icd10Table::Title(absl::string_view code) const {
  auto it = titles_.find(code);
  if (it == titles_.end()) return std::nullopt;
  return it->second;
}

std::string DefaultIcd10TablePath() { return TELEDERM_ICD10_TABLE; }

}  // namespace telederm::referral
