#ifndef TELEDERM_COMMON_IMAGES_THUMBNAIL_H_
#define TELEDERM_COMMON_IMAGES_THUMBNAIL_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include <string_view>

namespace telederm::images {

// The queue's thumbnail of an image: a JPEG whose longer side is
// kThumbnailLongSide pixels (an image already smaller keeps its size: never
// upscaled), the other side in proportion.
inline constexpr int kThumbnailLongSide = 256;
// Its name among a blob's derived variants (BlobStore::PutDerived).
inline constexpr char kThumbnailVariant[] = "thumb256.jpg";

// Decodes `original` (JPEG or PNG, at most `max_pixels` declared in its
// header; common/imaging/decode.h) and encodes the thumbnail. Pure and
// thread-safe; its cost grows with the image, so callers run it in a bounded
// step (imaging::BoundedDecoder). INVALID_ARGUMENT when the bytes do not
// decode.
absl::StatusOr<std::string> MakeThumbnail(std::string_view original, int64_t max_pixels);

}  // namespace telederm::images

#endif  // TELEDERM_COMMON_IMAGES_THUMBNAIL_H_
