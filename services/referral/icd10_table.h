#ifndef TELEDERM_SERVICES_REFERRAL_ICD10_TABLE_H_
#define TELEDERM_SERVICES_REFERRAL_ICD10_TABLE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace telederm::referral {

// The ICD-10 codes a report may carry, with their titles: the bundled table
// services/referral/data/icd10_skin.tsv (WHO ICD-10 2019, the skin-related
// categories), loaded once at start. Immutable after loading, so safe to share
// between threads.
class Icd10Table {
 public:
  // Parses "code<TAB>title" lines ('#' starts a comment line). INVALID_ARGUMENT
  // naming the line for a malformed one; NOT_FOUND when the file is missing.
  static absl::StatusOr<std::shared_ptr<const Icd10Table>> Load(const std::string& path);
  static absl::StatusOr<std::shared_ptr<const Icd10Table>> Parse(absl::string_view text);

  // The code's title, or empty when the table does not have it.
  std::optional<std::string> Title(absl::string_view code) const;
  size_t size() const { return titles_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> titles_;
};
using Icd10TablePtr = std::shared_ptr<const Icd10Table>;

// The table's path in the source tree, the default of --icd10_table.
std::string DefaultIcd10TablePath();

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_ICD10_TABLE_H_
