#include "services/intake/upload_reactor.h"

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/post.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/caller/caller.h"
#include "common/case_state/timestamps.h"
#include "common/request_limits/request_limits.h"
#include "common/status/grpc_status.h"
#include "services/intake/dicom_upload.h"

namespace telederm::intake {
namespace {

absl::Status ValidateImageSize(int64_t size_bytes, int64_t max_image_bytes, absl::string_view field) {
  if (size_bytes < 1 || size_bytes > max_image_bytes) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": an image must be 1 byte to ",
                                                   max_image_bytes / (1024 * 1024), " MiB (got ", size_bytes, ")"));
  }
  return absl::OkStatus();
}

// Whether the clinic's own upload of the image is stored: the clinic uploaded
// it within the retention, and the blob store holds it at that size.
absl::StatusOr<bool> StoredForThisClinic(const BlobStore& blobs, const ClinicImages& images,
                                         absl::string_view clinic_id, absl::string_view sha256, int64_t size_bytes) {
  absl::StatusOr<bool> uploaded = images.Uploaded(clinic_id, sha256);
  if (!uploaded.ok() || !*uploaded) return uploaded;
  absl::StatusOr<std::optional<int64_t>> stored = blobs.Size(sha256);
  if (!stored.ok()) return stored.status();
  return stored->has_value() && **stored == size_bytes;
}

// One UploadImage call. Every step that touches the disk runs on the
// executor; a step ends with exactly one of StartRead or Finish, so steps
// never overlap and nothing is posted after Finish.
class UploadReactor final : public grpc::ServerReadReactor<v1::UploadImageRequest> {
 public:
  UploadReactor(const UploadEnvironment& environment, grpc::CallbackServerContext* context,
                v1::UploadImageResponse* response)
      : env_(environment), response_(response) {
    absl::StatusOr<Caller> caller = RequireClinic(*context);
    if (!caller.ok()) {
      Finish(ToGrpcStatus(caller.status()));
      return;
    }
    clinic_id_ = caller->id;
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    boost::asio::post(*env_.executor, [this, ok] {
      // The client finished sending, or went away: either way the bytes
      // received so far stay in the upload session for a resume.
      absl::Status status = ok ? Accept() : Complete();
      if (ok && status.ok()) {
        StartRead(&request_);
        return;
      }
      partial_.reset();  // release the session before the client can retry
      Finish(ToGrpcStatus(status));
    });
  }

  void OnDone() override { delete this; }

 private:
  absl::Status Accept() {
    if (absl::Status s = CheckRequestLimits(request_); !s.ok()) return s;  // chunk <= 1 MiB, header fields
    if (request_.has_header()) return AcceptHeader();
    if (!header_received_) return absl::InvalidArgumentError("header: the first message must be the header");
    const std::string& chunk = request_.chunk();
    const int64_t start = position_;
    position_ += static_cast<int64_t>(chunk.size());
    if (position_ > header_.size_bytes()) {
      return absl::InvalidArgumentError(absl::StrCat("chunk: more bytes arrived than the declared ",
                                                     header_.size_bytes(), "; check header.size_bytes"));
    }
    if (already_stored_) return absl::OkStatus();  // the bytes are not needed
    // Bytes below the committed offset were received before: skip them.
    const int64_t held = partial_->size();
    if (position_ <= held) return absl::OkStatus();
    return partial_->Append(absl::string_view(chunk).substr(static_cast<size_t>(held - start)));
  }

  absl::Status AcceptHeader() {
    if (header_received_) return absl::InvalidArgumentError("header: send the header once, as the first message");
    header_ = request_.header();
    header_received_ = true;
    if (!IsValidSha256Hex(header_.sha256())) {
      return absl::InvalidArgumentError("header.sha256: must be the 64 lower-case hex characters of the SHA-256");
    }
    if (absl::Status s = ValidateImageSize(header_.size_bytes(), env_.max_image_bytes, "header.size_bytes"); !s.ok()) {
      return s;
    }
    if (header_.modality() == v1::MODALITY_UNSPECIFIED || !v1::Modality_IsValid(header_.modality())) {
      return absl::InvalidArgumentError("header.modality: say what the image is (dermoscopy, clinical close-up, ...)");
    }
    if (header_.offset() < 0 || header_.offset() > header_.size_bytes()) {
      return absl::InvalidArgumentError(
          absl::StrCat("header.offset: must be 0 to header.size_bytes (got ", header_.offset(), ")"));
    }
    upload_id_ = UploadId(clinic_id_, header_.sha256(), header_.size_bytes());
    response_->set_upload_id(upload_id_);
    position_ = header_.offset();
    absl::StatusOr<bool> stored = StoredForThisClinic(*env_.blobs, *env_.images, clinic_id_, header_.sha256(),
                                                      header_.size_bytes());
    if (!stored.ok()) return stored.status();
    if (*stored) {
      already_stored_ = true;  // the clinic's own image is stored: nothing to receive
      return absl::OkStatus();
    }
    absl::StatusOr<PartialBlobPtr> partial = env_.blobs->OpenPartial(upload_id_);
    if (!partial.ok()) return partial.status();
    partial_ = *std::move(partial);
    if (position_ > partial_->size()) {
      return absl::FailedPreconditionError(absl::StrCat("header.offset: the service holds ", partial_->size(),
                                                        " bytes of this upload; resume from offset ",
                                                        partial_->size()));
    }
    return absl::OkStatus();
  }

  absl::Status Complete() {
    if (!header_received_) return absl::InvalidArgumentError("header: the upload carried no header");
    std::string bytes;
    if (already_stored_) {
      absl::StatusOr<std::optional<std::string>> stored = env_.blobs->Get(header_.sha256());
      if (!stored.ok()) return stored.status();
      if (!stored->has_value()) return absl::UnavailableError("the stored image vanished; send it again");
      bytes = **std::move(stored);
    } else {
      if (partial_->size() != header_.size_bytes()) {
        return absl::InvalidArgumentError(absl::StrCat("the upload ended after ", partial_->size(), " of ",
                                                       header_.size_bytes(), " bytes: resume from offset ",
                                                       partial_->size()));
      }
      // Hashed once, as the chunks arrived; Commit reuses the digest.
      absl::StatusOr<std::string> actual = partial_->Sha256();
      if (!actual.ok()) return actual.status();
      if (*actual != header_.sha256()) {
        (void)partial_->Discard();
        return absl::InvalidArgumentError(
            absl::StrCat("the image bytes do not match header.sha256 (received ", *actual,
                         "): the upload was damaged; send it again from offset 0"));
      }
      absl::StatusOr<std::string> held = partial_->ReadAll();
      if (!held.ok()) return held.status();
      bytes = *std::move(held);
    }
    // A DICOM file is unwrapped here: from now on `bytes` is its image, and
    // the file itself is never stored (docs/DICOM.md).
    std::optional<UnwrappedDicom> dicom;
    if (!already_stored_ && IsDicomUpload(bytes)) {
      absl::StatusOr<UnwrappedDicom> unwrapped = UnwrapDicomUpload(bytes, header_.modality(), env_.max_image_pixels);
      if (!unwrapped.ok()) {
        (void)partial_->Discard();
        return unwrapped.status();
      }
      dicom = *std::move(unwrapped);
      bytes = dicom->image;
    }
    if (env_.gate != nullptr) {
      absl::StatusOr<std::vector<v1::QualityFinding>> findings =
          env_.gate->Inspect(bytes, dicom ? dicom->ref.modality() : header_.modality());
      if (!findings.ok()) {
        if (partial_ != nullptr && absl::IsInvalidArgument(findings.status())) (void)partial_->Discard();
        return findings.status();
      }
      std::vector<std::string> refusals;
      for (v1::QualityFinding& finding : *findings) {
        if (finding.severity() == v1::QUALITY_SEVERITY_REFUSAL) {
          refusals.push_back(finding.message());
        } else {
          *response_->add_warnings() = std::move(finding);
        }
      }
      if (!refusals.empty()) {
        if (partial_ != nullptr) (void)partial_->Discard();
        return absl::InvalidArgumentError(absl::StrCat("retake the photo: ", absl::StrJoin(refusals, "; ")));
      }
    }
    // The clinic has shown it holds these bytes (or held them before): they
    // are its own from now on. Recorded before the commit, so that when Redis
    // is away the checked bytes stay in the session and a resume (from the
    // full size) needs nothing sent again.
    if (absl::Status s = env_.images->Record(clinic_id_, dicom ? dicom->ref.sha256() : header_.sha256()); !s.ok()) {
      return s;
    }
    if (dicom) {
      if (absl::Status s = StoreUnwrappedImage(*env_.blobs, *dicom); !s.ok()) return s;
      (void)partial_->Discard();
      *response_->mutable_image() = std::move(dicom->ref);
      return absl::OkStatus();
    }
    int64_t size = header_.size_bytes();
    if (!already_stored_) {
      // committed->already_stored says whether any clinic sent these bytes
      // before: nothing to tell this one.
      absl::StatusOr<BlobWriter::Committed> committed = partial_->Commit(header_.sha256());
      if (!committed.ok()) return committed.status();
      size = committed->size_bytes;
    }
    v1::ImageRef* image = response_->mutable_image();
    image->set_sha256(header_.sha256());
    image->set_modality(header_.modality());
    image->set_content_type(header_.content_type());
    image->set_size_bytes(size);
    response_->set_already_stored(already_stored_);
    return absl::OkStatus();
  }

  const UploadEnvironment env_;
  v1::UploadImageResponse* const response_;
  std::string clinic_id_;
  v1::UploadImageRequest request_;
  v1::UploadImageHeader header_;
  bool header_received_ = false;
  bool already_stored_ = false;
  std::string upload_id_;
  PartialBlobPtr partial_;
  int64_t position_ = 0;  // where the next chunk starts in the image
};

}  // namespace

std::string UploadId(absl::string_view clinic_id, absl::string_view sha256, int64_t size_bytes) {
  return absl::StrCat("u-", Sha256Hex(absl::StrCat(clinic_id, "\n", sha256, "\n", size_bytes)).substr(0, 32));
}

absl::StatusOr<v1::UploadStatus> GetUploadStatus(BlobStore& blobs, const ClinicImages& images,
                                                 absl::string_view clinic_id,
                                                 const v1::GetUploadStatusRequest& request, int64_t max_image_bytes,
                                                 absl::Duration ttl) {
  if (!IsValidSha256Hex(request.sha256())) {
    return absl::InvalidArgumentError("sha256: must be the 64 lower-case hex characters of the SHA-256");
  }
  if (absl::Status s = ValidateImageSize(request.size_bytes(), max_image_bytes, "size_bytes"); !s.ok()) return s;
  v1::UploadStatus status;
  status.set_upload_id(UploadId(clinic_id, request.sha256(), request.size_bytes()));
  status.set_size_bytes(request.size_bytes());
  absl::StatusOr<bool> stored = StoredForThisClinic(blobs, images, clinic_id, request.sha256(), request.size_bytes());
  if (!stored.ok()) return stored.status();
  if (*stored) {
    status.set_stored(true);
    status.set_committed_offset(request.size_bytes());
    return status;
  }
  absl::StatusOr<std::optional<PartialBlobInfo>> partial = blobs.StatPartial(status.upload_id());
  if (!partial.ok()) return partial.status();
  if (partial->has_value()) {
    status.set_committed_offset(std::min((*partial)->size_bytes, request.size_bytes()));
    *status.mutable_expires_at() = ToProtoTimestamp((*partial)->last_write + ttl);
  }
  return status;
}

grpc::ServerReadReactor<v1::UploadImageRequest>* NewUploadReactor(const UploadEnvironment& environment,
                                                                  grpc::CallbackServerContext* context,
                                                                  v1::UploadImageResponse* response) {
  return new UploadReactor(environment, context, response);
}

}  // namespace telederm::intake
