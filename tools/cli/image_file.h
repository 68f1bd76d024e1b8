#ifndef TELEDERM_TOOLS_CLI_IMAGE_FILE_H_
#define TELEDERM_TOOLS_CLI_IMAGE_FILE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace telederm::cli {

// The largest image intake accepts (intake.proto: UploadImageHeader.size_bytes).
inline constexpr int64_t kMaxImageBytes = 32 * 1024 * 1024;

// An image file read into memory, ready to upload.
struct ImageFile {
  std::string path;
  std::string bytes;
  std::string sha256;        // lower-case hex
  std::string content_type;  // "image/jpeg", "image/png", or "application/octet-stream"
};

// Reads and hashes `path`. NOT_FOUND when it cannot be opened, INVALID_ARGUMENT when it
// is empty or larger than kMaxImageBytes. The content type comes from the leading bytes;
// anything else than JPEG or PNG is sent as application/octet-stream and intake decides.
absl::StatusOr<ImageFile> ReadImageFile(const std::string& path);

// "image/jpeg", "image/png" or "application/octet-stream", from the magic bytes.
std::string SniffContentType(absl::string_view bytes);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_IMAGE_FILE_H_
