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

absl::StatusOr<std::vector<bool>> ClinicImages::Uploaded(absl::string_view clinic_id,
                                                         const std::vector<std::string>& sha256s) const {
  std::vector<bool> uploaded(sha256s.size(), false);
  if (sha256s.empty()) return uploaded;
  std::vector<std::string> fields;
  for (const std::string& sha256 : sha256s) fields.push_back(absl::HexStringToBytes(sha256));
  std::vector<std::vector<std::string>> reads;
  for (int64_t week : WeeksWithin(clock_->Now(), retention_)) {
    std::vector<std::string> read = {"HMGET", keys::ClinicImagesWeek(clinic_id, week)};
    read.insert(read.end(), fields.begin(), fields.end());
    reads.push_back(std::move(read));
  }
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis_->Pipeline(reads);
  if (!replies.ok()) return replies.status();
  for (const absl::StatusOr<redis::Reply>& reply : *replies) {
    if (!reply.ok()) return reply.status();
    for (size_t i = 0; i < reply->elements.size() && i < uploaded.size(); ++i) {
      if (!reply->elements[i].IsNil()) uploaded[i] = true;
    }
  }
  return uploaded;
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
  for (int i = 0; i < images.size(); ++i) {
    std::optional<int64_t> size;
    if ((*uploaded)[i]) {
      absl::StatusOr<std::optional<int64_t>> stored = blobs.Size(digests[i]);
      if (!stored.ok()) return stored.status();
      size = *stored;
    }
    if (!size.has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(field, "[", i, "]: no image with sha256 ", digests[i],
                                                        " was uploaded by this clinic; upload the photo with "
                                                        "UploadImage first"));
    }
    images[i].set_size_bytes(*size);
  }
  return absl::OkStatus();
}

}  // namespace telederm::intake
