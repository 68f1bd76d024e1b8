#include "tools/eval/labels.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace telederm::eval {
namespace {

// Splits CSV text into records of fields; returns the line each record starts on.
absl::StatusOr<std::vector<std::pair<int, std::vector<std::string>>>> SplitCsv(absl::string_view csv) {
  std::vector<std::pair<int, std::vector<std::string>>> records;
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false, record_open = false;
  int line = 1, record_line = 1;
  for (size_t i = 0; i < csv.size(); ++i) {
    char c = csv[i];
    if (quoted) {
      if (c == '"' && i + 1 < csv.size() && csv[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (!record_open) {
      record_open = true;
      record_line = line;
    }
    if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < csv.size() && csv[i + 1] == '\n') ++i;
      fields.push_back(std::move(field));
      field.clear();
      if (!(fields.size() == 1 && fields[0].empty())) records.emplace_back(record_line, std::move(fields));
      fields.clear();
      record_open = false;
      ++line;
    } else {
      field += c;
    }
  }
  if (quoted) return absl::InvalidArgumentError(absl::StrCat("line ", record_line, ": unterminated quoted field"));
  if (record_open) {
    fields.push_back(std::move(field));
    if (!(fields.size() == 1 && fields[0].empty())) records.emplace_back(record_line, std::move(fields));
  }
  return records;
}

}  // namespace

absl::StatusOr<std::vector<LabelledImage>> ParseLabels(absl::string_view csv) {
  absl::StatusOr<std::vector<std::pair<int, std::vector<std::string>>>> records = SplitCsv(csv);
  if (!records.ok()) return records.status();
  if (records->empty()) return absl::InvalidArgumentError("labels file is empty: it needs a header line");
  std::map<std::string, size_t> column;
  const std::vector<std::string>& header = records->front().second;
  for (size_t i = 0; i < header.size(); ++i) column[absl::AsciiStrToLower(absl::StripAsciiWhitespace(header[i]))] = i;
  for (const char* required : {"file", "diagnosis", "benign_malignant"}) {
    if (!column.count(required)) {
      return absl::InvalidArgumentError(absl::StrCat("line 1: the header has no '", required,
                                                     "' column (needs file, diagnosis, benign_malignant)"));
    }
  }
  std::vector<LabelledImage> images;
  for (size_t r = 1; r < records->size(); ++r) {
    const auto& [line, fields] = (*records)[r];
    auto get = [&](const char* name) -> std::string {
      auto it = column.find(name);
      if (it == column.end() || it->second >= fields.size()) return "";
      return std::string(absl::StripAsciiWhitespace(fields[it->second]));
    };
    LabelledImage image;
    image.file = get("file");
    image.diagnosis = get("diagnosis");
    if (image.file.empty()) return absl::InvalidArgumentError(absl::StrCat("line ", line, ": no file name"));
    std::string truth = absl::AsciiStrToLower(get("benign_malignant"));
    if (truth != "benign" && truth != "malignant") {
      return absl::InvalidArgumentError(absl::StrCat("line ", line, ": benign_malignant must be 'benign' or ",
                                                     "'malignant', not '", truth, "'"));
    }
    image.malignant = truth == "malignant";
    int age = 0;
    if (std::string text = get("age"); !text.empty()) {
      double as_double = 0;  // some sets write 55.0
      if (absl::SimpleAtoi(text, &age) || (absl::SimpleAtod(text, &as_double) && (age = int(as_double), true))) {
        image.age = age;
      }
    }
    image.sex = absl::AsciiStrToLower(get("sex"));
    if (std::string modality = absl::AsciiStrToLower(get("modality")); !modality.empty()) {
      if (modality != "dermoscopy" && modality != "clinical_close_up") {
        return absl::InvalidArgumentError(absl::StrCat("line ", line, ": modality must be 'dermoscopy' or ",
                                                       "'clinical_close_up', not '", modality, "'"));
      }
      image.modality = modality;
    }
    image.source = get("source");
    image.fitzpatrick = get("fitzpatrick");
    image.group = get("group");
    if (std::string text = get("diameter_mm"); !text.empty()) {
      double mm = 0;
      if (!absl::SimpleAtod(text, &mm) || mm < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line, ": diameter_mm must be a number of millimetres, not '", text, "'"));
      }
      image.diameter_mm = mm;
    }
    for (auto [name, item] : {std::pair{"itch", &image.itch}, std::pair{"grew", &image.grew},
                              std::pair{"hurt", &image.hurt}, std::pair{"changed", &image.changed},
                              std::pair{"bleed", &image.bleed}}) {
      const std::string value = absl::AsciiStrToLower(get(name));
      if (value == "true" || value == "1") {
        *item = true;
      } else if (!value.empty() && value != "false" && value != "0") {
        return absl::InvalidArgumentError(
            absl::StrCat("line ", line, ": ", name, " must be true or false, not '", value, "'"));
      }
    }
    images.push_back(std::move(image));
  }
  return images;
}

}  // namespace telederm::eval
