#include "services/intake/clinic_images.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/case_store/keys.h"
#include "services/intake/week_buckets.h"

namespace telederm::intake {

ClinicImages::ClinicImages(std::shared_ptr<redis::Client> redis, ClockPtr clock, absl::Duration retention)
    : redis_(std::move(redis)), clock_(std::move(clock)), retention_(retention) {}

absl::Status ClinicImages::Record(absl::string_view clinic_id, absl::string_view sha256) const {
  const absl::Time now = clock_->Now();
  const std::string bucket = keys::ClinicImagesWeek(clinic_id, WeekOf(now));
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis_->Pipeline({
      {"HSET", bucket, absl::HexStringToBytes(sha256), ""},
      {"PEXPIRE", bucket, absl::StrCat(absl::ToInt64Milliseconds(ThisWeeksBucketTtl(now, retention_)))},
  });
  if (!replies.ok()) return replies.status();
  for (const absl::StatusOr<redis::Reply>& reply : *replies) {
    if (!reply.ok()) return reply.status();
  }
  return absl::OkStatus();
}

std::vector<std::vector<std::string>> ClinicImages::UploadedReads(absl::string_view clinic_id,
                                                                  const std::vector<std::string>& sha256s) const {
  std::vector<std::vector<std::string>> reads;
  if (sha256s.empty()) return reads;
  std::vector<std::string> fields;
  for (const std::string& sha256 : sha256s) fields.push_back(absl::HexStringToBytes(sha256));
  for (int64_t week : WeeksWithin(clock_->Now(), retention_)) {
    std::vector<std::string> read = {"HMGET", keys::ClinicImagesWeek(clinic_id, week)};
    read.insert(read.end(), fields.begin(), fields.end());
    reads.push_back(std::move(read));
  }
  return reads;
}

absl::StatusOr<std::vector<bool>> ClinicImages::UploadedFromReplies(const absl::StatusOr<redis::Reply>* replies,
                                                                    size_t reads, size_t images) {
  std::vector<bool> uploaded(images, false);
  for (size_t k = 0; k < reads; ++k) {
    const absl::StatusOr<redis::Reply>& reply = replies[k];
    if (!reply.ok()) return reply.status();
    for (size_t i = 0; i < reply->elements.size() && i < uploaded.size(); ++i) {
      if (!reply->elements[i].IsNil()) uploaded[i] = true;
    }
  }
  return uploaded;
}

absl::StatusOr<std::vector<bool>> ClinicImages::Uploaded(absl::string_view clinic_id,
                                                         const std::vector<std::string>& sha256s) const {
  if (sha256s.empty()) return std::vector<bool>();
  std::vector<std::vector<std::string>> reads = UploadedReads(clinic_id, sha256s);
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis_->Pipeline(reads);
  if (!replies.ok()) return replies.status();
  return UploadedFromReplies(replies->data(), replies->size(), sha256s.size());
}

absl::StatusOr<bool> ClinicImages::Uploaded(absl::string_view clinic_id, absl::string_view sha256) const {
  absl::StatusOr<std::vector<bool>> uploaded = Uploaded(clinic_id, std::vector<std::string>{std::string(sha256)});
  if (!uploaded.ok()) return uploaded.status();
  return (*uploaded)[0];
}

absl::Status ClinicImages::SetSizesOfOwnImages(const BlobStore& blobs, absl::string_view clinic_id,
                                               absl::string_view field,
                                               google::protobuf::RepeatedPtrField<v1::ImageRef>& images) const {
  std::vector<std::string> digests;
  for (const v1::ImageRef& image : images) digests.push_back(image.sha256());
  absl::StatusOr<std::vector<bool>> uploaded = Uploaded(clinic_id, digests);
  if (!uploaded.ok()) return uploaded.status();
  return SetSizes(blobs, field, *uploaded, images);
}

std::vector<std::vector<std::string>> ClinicImages::OwnImagesReads(
    absl::string_view clinic_id, const google::protobuf::RepeatedPtrField<v1::ImageRef>& images) const {
  std::vector<std::string> digests;
  for (const v1::ImageRef& image : images) digests.push_back(image.sha256());
  return UploadedReads(clinic_id, digests);
}

absl::Status ClinicImages::SetSizesFromReads(const BlobStore& blobs, absl::string_view field,
                                             const absl::StatusOr<redis::Reply>* replies, size_t reads,
                                             google::protobuf::RepeatedPtrField<v1::ImageRef>& images) {
  absl::StatusOr<std::vector<bool>> uploaded = UploadedFromReplies(replies, reads, images.size());
  if (!uploaded.ok()) return uploaded.status();
  return SetSizes(blobs, field, *uploaded, images);
}

absl::Status ClinicImages::SetSizes(const BlobStore& blobs, absl::string_view field, const std::vector<bool>& uploaded,
                                    google::protobuf::RepeatedPtrField<v1::ImageRef>& images) {
  for (int i = 0; i < images.size(); ++i) {
    std::optional<int64_t> size;
    if (uploaded[i]) {
      absl::StatusOr<std::optional<int64_t>> stored = blobs.Size(images[i].sha256());
      if (!stored.ok()) return stored.status();
      size = *stored;
    }
    if (!size.has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(field, "[", i, "]: no image with sha256 ", images[i].sha256(),
                                                        " was uploaded by this clinic; upload the photo with "
                                                        "UploadImage first"));
    }
    images[i].set_size_bytes(*size);
  }
  return absl::OkStatus();
}

}  // namespace telederm::intake
