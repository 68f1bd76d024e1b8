#ifndef TELEDERM_COMMON_IMAGES_CASE_IMAGES_H_
#define TELEDERM_COMMON_IMAGES_CASE_IMAGES_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/access/case_access.h"
#include "common/blob/blob_store.h"
#include "common/caller/caller.h"
#include "common/case_store/consult_thread.h"
#include "common/imaging/bounded_decoder.h"
#include "common/redis/client.h"
#include "telederm/v1/image.pb.h"

namespace telederm::images {

struct CaseImagesOptions {
  int64_t max_pixels = 50'000'000;  // as the upload's decoder: images are decoded again for thumbnails
  // Making thumbnails: decoding stored images, bounded like the upload's quality gate.
  imaging::BoundedDecoderOptions thumbnail_bounds{.threads = 1, .max_queued = 8, .time_limit = absl::Seconds(10)};
};

// One variant of one image, checked and ready to send.
struct ImageBytes {
  v1::ImageMetadata metadata;
  std::string bytes;
};

// Reads a case's images for a caller (docs/API.md, "Images"):
//   1. who may read is the one access rule (CaseAccess, CaseRead::kImages);
//   2. the image must be the case's: one of its submission's images or an
//      attachment of its consult thread. Otherwise NOT_FOUND with the very
//      answer of an unknown case, so that neither ids nor digests can be probed;
//   3. bytes that no longer match their digest are never returned: DATA_LOSS,
//      logged. An original is hashed whole on every read; a thumbnail is
//      checked against the digest recorded when it was made, and made again
//      from the verified original when it is damaged;
//   4. a thumbnail is made on its first read and kept beside the blob
//      (BlobStore::PutDerived). Two first reads at once may both make it; the
//      store keeps one whole copy.
// INVALID_ARGUMENT names the field: case_id, sha256, variant, offset (0 up to
// the variant's size). Thread-safe; Read blocks (Redis, disk, decoding), so
// it runs on an executor, never in a gRPC reaction.
class CaseImages {
 public:
  CaseImages(std::shared_ptr<redis::Client> redis, BlobStorePtr blobs, CaseImagesOptions options = {});

  absl::StatusOr<ImageBytes> Read(const Caller& caller, const v1::GetImageRequest& request);

 private:
  // NOT_FOUND (as an unknown case) unless `sha256` is one of the case's images.
  absl::Status CheckImageOfCase(const v1::Case& c, const std::string& sha256);
  absl::StatusOr<std::string> ReadOriginal(const std::string& case_id, const std::string& sha256);
  absl::StatusOr<std::string> ReadThumbnail(const std::string& case_id, const std::string& sha256);

  CaseAccess access_;
  ConsultThread threads_;
  BlobStorePtr blobs_;
  const CaseImagesOptions options_;
  imaging::BoundedDecoder thumbnail_decoder_;
};

}  // namespace telederm::images

#endif  // TELEDERM_COMMON_IMAGES_CASE_IMAGES_H_
