#ifndef TELEDERM_SERVICES_INTAKE_CLINIC_IMAGES_H_
#define TELEDERM_SERVICES_INTAKE_CLINIC_IMAGES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/blob/blob_store.h"
#include "common/clock/clock.h"
#include "common/redis/client.h"
#include "telederm/v1/case.pb.h"

namespace telederm::intake {

// Which images each clinic uploaded itself. The blob store keeps identical
// bytes once, whoever sent them; a clinic may see (GetUploadStatus), skip
// sending (UploadImage) and name in a case or a message only the images it
// uploaded itself within `retention`. For any other image it must send the
// bytes, which records it as the clinic's own. Nothing here says whether
// another clinic holds an image.
//
// Kept in week buckets (week_buckets.h): keys::ClinicImagesWeek, a HASH of the
// 32 raw bytes of each digest -> "", 41 B an image (88 B in a week of more
// than 128 uploads, when the bucket becomes a hashtable). An upload of an image the
// clinic already holds writes it into this week's bucket again, so
// `retention` counts from its last upload.
//
// Thread-safe (a value over a thread-safe redis::Client).
class ClinicImages {
 public:
  // Long enough for a case submitted 30 days after its photos were uploaded
  // to be retried with its idempotency key for the 30 days that key is kept.
  static constexpr absl::Duration kDefaultRetention = absl::Hours(24 * 60);

  ClinicImages(std::shared_ptr<redis::Client> redis, ClockPtr clock, absl::Duration retention = kDefaultRetention);

  // Records that `clinic_id` uploaded (all the bytes of) the image `sha256`
  // (64 lower-case hex characters) now.
  absl::Status Record(absl::string_view clinic_id, absl::string_view sha256) const;

  // For each digest of `sha256s` (64 lower-case hex characters each), whether
  // `clinic_id` uploaded it within the retention. One round trip.
  absl::StatusOr<std::vector<bool>> Uploaded(absl::string_view clinic_id, const std::vector<std::string>& sha256s) const;
  absl::StatusOr<bool> Uploaded(absl::string_view clinic_id, absl::string_view sha256) const;

  // Sets the stored size of each of `images`, which `clinic_id` names as
  // `field`[0], `field`[1], ... of a case or a message (digests already
  // validated). An image the clinic did not upload itself within the
  // retention (or that `blobs` does not hold) is FAILED_PRECONDITION
  // "<field>[i]: no image with sha256 <digest> was uploaded by this clinic;
  // upload the photo ...", the same whether another clinic uploaded it or
  // nobody did.
  absl::Status SetSizesOfOwnImages(const BlobStore& blobs, absl::string_view clinic_id, absl::string_view field,
                                   google::protobuf::RepeatedPtrField<v1::ImageRef>& images) const;

  // SetSizesOfOwnImages in two steps, for a caller that pipelines the reads
  // of several calls: the reads (one HMGET per week bucket), then the sizes
  // from their replies, `replies`[0, reads.size()).
  std::vector<std::vector<std::string>> OwnImagesReads(
      absl::string_view clinic_id, const google::protobuf::RepeatedPtrField<v1::ImageRef>& images) const;
  static absl::Status SetSizesFromReads(const BlobStore& blobs, absl::string_view field,
                                        const absl::StatusOr<redis::Reply>* replies, size_t reads,
                                        google::protobuf::RepeatedPtrField<v1::ImageRef>& images);

 private:
  // The reads of Uploaded, and their answer.
  std::vector<std::vector<std::string>> UploadedReads(absl::string_view clinic_id,
                                                      const std::vector<std::string>& sha256s) const;
  static absl::StatusOr<std::vector<bool>> UploadedFromReplies(const absl::StatusOr<redis::Reply>* replies,
                                                               size_t reads, size_t images);
  static absl::Status SetSizes(const BlobStore& blobs, absl::string_view field, const std::vector<bool>& uploaded,
                               google::protobuf::RepeatedPtrField<v1::ImageRef>& images);

  std::shared_ptr<redis::Client> redis_;
  ClockPtr clock_;
  absl::Duration retention_;
};

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_CLINIC_IMAGES_H_
