#include "services/web/static_files.h"

#include <algorithm>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace telederm::web {

namespace fs = std::filesystem;

absl::StatusOr<StaticFiles> StaticFiles::Open(const std::string& static_dir, const std::string& icd10_table) {
  std::error_code error;
  fs::path root = fs::canonical(static_dir, error);
  if (static_dir.empty() || error || !fs::is_directory(root)) {
    return absl::InvalidArgumentError(absl::StrCat("--static_dir: no directory at '", static_dir, "'"));
  }
  if (icd10_table.empty() || !fs::is_regular_file(icd10_table)) {
    return absl::InvalidArgumentError(absl::StrCat("--icd10_table: no file at '", icd10_table, "'"));
  }
  return StaticFiles(root, fs::path(icd10_table));
}

absl::StatusOr<StaticFile> StaticFiles::Find(absl::string_view request_path) const {
  const absl::Status not_found = absl::NotFoundError(absl::StrCat("no page at ", request_path));
  if (request_path == "/static/icd10.tsv") return StaticFile{icd10_table_, ContentTypeFor(icd10_table_)};
  std::string relative;
  if (request_path == "/" || request_path == "/index.html") {
    relative = "index.html";
  } else if (absl::StartsWith(request_path, "/static/")) {
    relative = std::string(request_path.substr(8));
  } else {
    return not_found;
  }
  // Plain names only: no empty, "." or ".." segment, no backslash or NUL.
  if (relative.empty() || absl::StrContains(relative, '\\') || absl::StrContains(relative, '\0')) return not_found;
  for (absl::string_view segment : absl::StrSplit(relative, '/')) {
    if (segment.empty() || segment == "." || segment == "..") return not_found;
  }
  std::error_code error;
  fs::path file = fs::canonical(root_ / relative, error);
  if (error || !fs::is_regular_file(file)) return not_found;
  // A symbolic link may not lead out of the directory.
  auto [root_end, file_it] = std::mismatch(root_.begin(), root_.end(), file.begin(), file.end());
  if (root_end != root_.end()) return not_found;
  return StaticFile{file, ContentTypeFor(file)};
}

std::string ContentTypeFor(const fs::path& file) {
  const std::string extension = file.extension().string();
  if (extension == ".html") return "text/html; charset=utf-8";
  if (extension == ".js" || extension == ".mjs") return "text/javascript; charset=utf-8";
  if (extension == ".css") return "text/css; charset=utf-8";
  if (extension == ".svg") return "image/svg+xml";
  if (extension == ".png") return "image/png";
  if (extension == ".jpg" || extension == ".jpeg") return "image/jpeg";
  if (extension == ".ico") return "image/x-icon";
  if (extension == ".json") return "application/json";
  if (extension == ".tsv") return "text/tab-separated-values; charset=utf-8";
  if (extension == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace telederm::web
