#ifndef TELEDERM_SERVICES_WEB_STATIC_FILES_H_
#define TELEDERM_SERVICES_WEB_STATIC_FILES_H_

#include <filesystem>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace telederm::web {

// A file the gateway serves as it is, and its Content-Type.
struct StaticFile {
  std::filesystem::path path;
  std::string content_type;
};

// The console's pages: "/" is index.html, "/static/<path>" a file under the
// static directory, "/static/icd10.tsv" the ICD-10 table. Nothing outside the
// directory is ever served (no "..", no symbolic link out of it, no directory
// listing). Immutable after Open; safe to share between threads.
class StaticFiles {
 public:
  // INVALID_ARGUMENT naming the flag when the directory or table is missing.
  static absl::StatusOr<StaticFiles> Open(const std::string& static_dir, const std::string& icd10_table);

  // The file a request path (without its query) names; NOT_FOUND otherwise.
  absl::StatusOr<StaticFile> Find(absl::string_view request_path) const;

 private:
  StaticFiles(std::filesystem::path root, std::filesystem::path icd10_table)
      : root_(std::move(root)), icd10_table_(std::move(icd10_table)) {}
  std::filesystem::path root_;  // canonical
  std::filesystem::path icd10_table_;
};

// The Content-Type served for a file name's extension.
std::string ContentTypeFor(const std::filesystem::path& file);

}  // namespace telederm::web

#endif  // TELEDERM_SERVICES_WEB_STATIC_FILES_H_
