#include "tools/cli/resumable_upload.h"

#include <algorithm>
#include <memory>

#include <grpcpp/client_context.h>

#include "absl/time/clock.h"
#include "tools/cli/upload_progress.h"

namespace telederm::cli {
namespace {

// Sends the header (resuming at `offset`) and the bytes from there.
grpc::Status UploadFrom(v1::IntakeService::Stub& stub, const CallIdentity& identity, absl::Duration deadline,
                        const ImageFile& image, v1::Modality modality, int64_t offset, size_t chunk_bytes,
                        v1::UploadImageResponse& response) {
  grpc::ClientContext call;
  PrepareContext(call, identity, deadline);
  std::unique_ptr<grpc::ClientWriter<v1::UploadImageRequest>> writer = stub.UploadImage(&call, &response);
  v1::UploadImageRequest request;
  v1::UploadImageHeader& header = *request.mutable_header();
  header.set_sha256(image.sha256);
  header.set_size_bytes(static_cast<int64_t>(image.bytes.size()));
  header.set_content_type(image.content_type);
  header.set_modality(modality);
  header.set_offset(offset);
  bool open = writer->Write(request);
  UploadProgress progress(image.path, static_cast<int64_t>(image.bytes.size()), offset);  // stderr, terminals only
  for (size_t at = static_cast<size_t>(offset); open && at < image.bytes.size(); at += chunk_bytes) {
    request.set_chunk(image.bytes.substr(at, chunk_bytes));
    open = writer->Write(request);
    if (open) progress.Sent(static_cast<int64_t>(request.chunk().size()));
  }
  // When the service stopped reading early (a refusal), Finish carries its reason.
  writer->WritesDone();
  return writer->Finish();
}

// How much of the upload intake holds; 0 when it cannot say.
int64_t CommittedOffset(v1::IntakeService::Stub& stub, const CallIdentity& identity, absl::Duration deadline,
                        const ImageFile& image) {
  grpc::ClientContext call;
  PrepareContext(call, identity, std::min(deadline, absl::Seconds(10)));
  v1::GetUploadStatusRequest request;
  request.set_sha256(image.sha256);
  request.set_size_bytes(static_cast<int64_t>(image.bytes.size()));
  v1::UploadStatus status;
  if (!stub.GetUploadStatus(&call, request, &status).ok()) return 0;
  return std::clamp<int64_t>(status.committed_offset(), 0, static_cast<int64_t>(image.bytes.size()));
}

template <typename Attempt>
grpc::Status WithRetries(const RetryPolicy& policy, std::ostream& progress, const char* what, Attempt attempt) {
  absl::Duration pause = policy.first_pause;
  grpc::Status status;
  for (int i = 1;; ++i) {
    status = attempt();
    if (status.ok() || !IsRetryable(status) || i >= policy.attempts) return status;
    progress << what << ": " << status.error_message() << "; trying again in " << absl::FormatDuration(pause)
             << " (attempt " << i + 1 << " of " << policy.attempts << ")\n";
    absl::SleepFor(pause);
    pause = std::min(pause * 2, policy.max_pause);
  }
}

}  // namespace

bool IsRetryable(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::CANCELLED:
      return true;
    default:
      return false;
  }
}

grpc::Status UploadResumably(v1::IntakeService::Stub& stub, const CallIdentity& identity, absl::Duration deadline,
                             const ImageFile& image, v1::Modality modality, size_t chunk_bytes,
                             const RetryPolicy& policy, std::ostream& progress, v1::UploadImageResponse& response) {
  bool first = true;
  return WithRetries(policy, progress, "upload", [&] {
    int64_t offset = 0;
    if (!first) {
      offset = CommittedOffset(stub, identity, deadline, image);
      if (offset > 0) progress << "upload: resuming " << image.path << " at byte " << offset << "\n";
    }
    first = false;
    response.Clear();
    return UploadFrom(stub, identity, deadline, image, modality, offset, chunk_bytes, response);
  });
}

grpc::Status SubmitWithRetries(v1::IntakeService::Stub& stub, const CallIdentity& identity, absl::Duration deadline,
                               const v1::SubmitCaseRequest& request, const RetryPolicy& policy,
                               std::ostream& progress, v1::SubmitCaseResponse& response) {
  return WithRetries(policy, progress, "submit", [&] {
    grpc::ClientContext call;
    PrepareContext(call, identity, deadline);
    response.Clear();
    return stub.SubmitCase(&call, request, &response);
  });
}

}  // namespace telederm::cli
