#include "tests/harness/temp_dir.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace telederm::testing {

absl::StatusOr<std::string> MakeTempDir(std::string_view prefix) {
  const char* tmp = getenv("TMPDIR");
  std::string pattern =
      absl::StrCat((tmp != nullptr && *tmp != '\0') ? tmp : "/tmp", "/",
                   absl::string_view(prefix.data(), prefix.size()), "XXXXXX");
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    return absl::InternalError(
        absl::StrCat("mkdtemp(", pattern, "): ", strerror(errno)));
  }
  return std::string(buffer.data());
}

}  // namespace telederm::testing
