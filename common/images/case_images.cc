#include "common/images/case_images.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/imaging/decode.h"
#include "common/case_store/case_store.h"
#include "common/images/thumbnail.h"
#include "common/logging/log.h"
#include "common/request_limits/request_limits.h"

namespace telederm::images {
namespace {

std::string ContentTypeOf(imaging::ImageFormat format) {
  switch (format) {
    case imaging::ImageFormat::kJpeg: return "image/jpeg";
    case imaging::ImageFormat::kPng: return "image/png";
    default: return "application/octet-stream";
  }
}

absl::Status DamagedImage(const std::string& case_id, const std::string& sha256, absl::string_view variant,
                          absl::string_view what) {
  Log(Severity::kError, absl::StrCat("stored image not served: ", what),
      {{"case_id", case_id}, {"sha256", sha256}, {"variant", std::string(variant)}});
  return absl::DataLossError(absl::StrCat("image ", sha256, " of case ", case_id, " is damaged in storage (", what,
                                          ") and cannot be served; ask the clinic to send the photo again"));
}

}  // namespace

CaseImages::CaseImages(std::shared_ptr<redis::Client> redis, BlobStorePtr blobs, CaseImagesOptions options)
    : access_(redis), threads_(redis), blobs_(std::move(blobs)), options_(options),
      thumbnail_decoder_(options.thumbnail_bounds) {}

absl::StatusOr<ImageBytes> CaseImages::Read(const Caller& caller, const v1::GetImageRequest& request) {
  if (absl::Status s = CheckRequestLimits(request); !s.ok()) return s;
  if (!IsValidSha256Hex(request.sha256())) {
    return absl::InvalidArgumentError(
        absl::StrCat("sha256: '", request.sha256(), "' is not an image digest (64 lower-case hex characters)"));
  }
  const bool thumbnail = request.variant() == v1::IMAGE_VARIANT_THUMBNAIL;
  if (!thumbnail && request.variant() != v1::IMAGE_VARIANT_UNSPECIFIED &&
      request.variant() != v1::IMAGE_VARIANT_ORIGINAL) {
    return absl::InvalidArgumentError("variant: ask for the original or the thumbnail");
  }
  if (request.offset() < 0) {
    return absl::InvalidArgumentError(absl::StrCat("offset: ", request.offset(), " is negative; 0 reads from the start"));
  }
  absl::StatusOr<Reader> reader = access_.Resolve(caller);
  if (!reader.ok()) return reader.status();
  absl::StatusOr<v1::Case> c = access_.ReadCase(*reader, request.case_id(), CaseRead::kImages);
  if (!c.ok()) return c.status();
  if (absl::Status s = CheckImageOfCase(*c, request.sha256()); !s.ok()) return s;

  absl::StatusOr<std::string> bytes =
      thumbnail ? ReadThumbnail(c->case_id(), request.sha256()) : ReadOriginal(c->case_id(), request.sha256());
  if (!bytes.ok()) return bytes.status();
  const int64_t size = static_cast<int64_t>(bytes->size());
  if (request.offset() > size) {
    return absl::InvalidArgumentError(
        absl::StrCat("offset: ", request.offset(), " is beyond the end of the image (", size, " bytes)"));
  }
  ImageBytes image;
  image.metadata.set_sha256(thumbnail ? Sha256Hex(*bytes) : request.sha256());
  image.metadata.set_size_bytes(size);
  image.metadata.set_variant(thumbnail ? v1::IMAGE_VARIANT_THUMBNAIL : v1::IMAGE_VARIANT_ORIGINAL);
  if (absl::StatusOr<imaging::ImageHeader> header = imaging::ReadImageHeader(*bytes); header.ok()) {
    image.metadata.set_content_type(ContentTypeOf(header->format));
    image.metadata.set_width(header->width);
    image.metadata.set_height(header->height);
  } else {
    image.metadata.set_content_type(ContentTypeOf(imaging::SniffImageFormat(*bytes)));
  }
  image.bytes = *std::move(bytes);
  return image;
}

absl::Status CaseImages::CheckImageOfCase(const v1::Case& c, const std::string& sha256) {
  for (const v1::ImageRef& image : c.submission().images()) {
    if (image.sha256() == sha256) return absl::OkStatus();
  }
  absl::StatusOr<std::vector<v1::Message>> messages = threads_.List(c.case_id());
  if (!messages.ok()) return messages.status();
  for (const v1::Message& message : *messages) {
    for (const v1::ImageRef& image : message.attachments()) {
      if (image.sha256() == sha256) return absl::OkStatus();
    }
  }
  return NoSuchCase(c.case_id());
}

absl::StatusOr<std::string> CaseImages::ReadOriginal(const std::string& case_id, const std::string& sha256) {
  absl::StatusOr<std::optional<std::string>> bytes = blobs_->Get(sha256);
  if (!bytes.ok()) return bytes.status();
  if (!bytes->has_value()) return DamagedImage(case_id, sha256, "original", "the blob is missing");
  // Hashed whole before a byte is sent: a damaged blob is never served, not even its first chunk.
  if (Sha256Hex(**bytes) != sha256) {
    return DamagedImage(case_id, sha256, "original", "its bytes no longer match their SHA-256");
  }
  return **std::move(bytes);
}

absl::StatusOr<std::string> CaseImages::ReadThumbnail(const std::string& case_id, const std::string& sha256) {
  absl::StatusOr<std::optional<DerivedBlob>> kept = blobs_->GetDerived(sha256, kThumbnailVariant);
  if (!kept.ok()) return kept.status();
  if (kept->has_value()) {
    if (Sha256Hex((*kept)->bytes) == (*kept)->recorded_sha256) return std::move((*kept)->bytes);
    // Made again below from the original, which is checked first.
    Log(Severity::kError, "damaged thumbnail: making it again from the original",
        {{"case_id", case_id}, {"sha256", sha256}});
  }
  absl::StatusOr<std::string> original = ReadOriginal(case_id, sha256);
  if (!original.ok()) return original.status();
  // The job owns what it uses: an overrun job runs on after Run returns.
  auto made = std::make_shared<absl::StatusOr<std::string>>(absl::UnknownError("not made"));
  auto source = std::make_shared<std::string>(*std::move(original));
  const int64_t max_pixels = options_.max_pixels;
  absl::Status ran = thumbnail_decoder_.Run([made, source, max_pixels] { *made = MakeThumbnail(*source, max_pixels); });
  if (absl::IsDeadlineExceeded(ran) || absl::IsResourceExhausted(ran)) {
    return absl::ResourceExhaustedError(
        absl::StrCat("thumbnails are being made for many images right now (", ran.message(), "); try again shortly"));
  }
  if (!ran.ok()) return ran;
  if (!made->ok()) {
    return absl::InternalError(absl::StrCat("no thumbnail can be made of image ", sha256, ": ", made->status().message()));
  }
  if (absl::Status kept_now = blobs_->PutDerived(sha256, kThumbnailVariant, **made); !kept_now.ok()) {
    // Served anyway; the next read tries to keep it again.
    Log(Severity::kWarning, absl::StrCat("thumbnail not kept: ", kept_now.message()), {{"sha256", sha256}});
  }
  return **std::move(made);
}

}  // namespace telederm::images
