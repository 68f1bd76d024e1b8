#include "tools/cli/image_file.h"

#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/blob/blob_store.h"

namespace telederm::cli {

std::string SniffContentType(absl::string_view bytes) {
  if (absl::StartsWith(bytes, "\xFF\xD8\xFF")) return "image/jpeg";
  if (absl::StartsWith(bytes, "\x89PNG\r\n\x1A\n")) return "image/png";
  return "application/octet-stream";
}

absl::StatusOr<ImageFile> ReadImageFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open image file '", path, "'"));
  std::streamoff size = in.tellg();
  if (size <= 0) return absl::InvalidArgumentError(absl::StrCat("image file '", path, "' is empty"));
  if (size > kMaxImageBytes) {
    return absl::InvalidArgumentError(absl::StrCat("image file '", path, "' is ", size,
                                                   " bytes; intake accepts at most ", kMaxImageBytes));
  }
  ImageFile image;
  image.path = path;
  image.bytes.resize(static_cast<size_t>(size));
  in.seekg(0);
  if (!in.read(image.bytes.data(), size)) {
    return absl::DataLossError(absl::StrCat("could not read image file '", path, "'"));
  }
  image.sha256 = Sha256Hex(image.bytes);
  image.content_type = SniffContentType(image.bytes);
  return image;
}

}  // namespace telederm::cli
