#ifndef TELEDERM_TOOLS_CLI_RESUMABLE_UPLOAD_H_
#define TELEDERM_TOOLS_CLI_RESUMABLE_UPLOAD_H_

#include <cstddef>
#include <ostream>

#include <grpcpp/support/status.h>

#include "absl/time/time.h"
#include "telederm/v1/intake.grpc.pb.h"
#include "tools/cli/channel.h"
#include "tools/cli/image_file.h"

namespace telederm::cli {

struct RetryPolicy {
  int attempts = 8;  // calls in all, the first one included
  absl::Duration first_pause = absl::Milliseconds(500);
  absl::Duration max_pause = absl::Seconds(8);
};

// True for failures after which the same call may simply be sent again:
// UNAVAILABLE (no connection, service restarting), ABORTED (the upload is
// busy on a connection that is going away), DEADLINE_EXCEEDED,
// RESOURCE_EXHAUSTED (intake is behind) and CANCELLED.
bool IsRetryable(const grpc::Status& status);

// Uploads `image` and survives dropped connections: before each attempt it asks
// GetUploadStatus how many bytes intake holds (a service without the call: 0)
// and sends only the rest, from that offset, in `chunk_bytes` pieces. Retries
// failures IsRetryable accepts per `policy`, writing one line per retry to
// `progress`. Returns the last call's status.
grpc::Status UploadResumably(v1::IntakeService::Stub& stub, const CallIdentity& identity, absl::Duration deadline,
                             const ImageFile& image, v1::Modality modality, size_t chunk_bytes,
                             const RetryPolicy& policy, std::ostream& progress, v1::UploadImageResponse& response);

// SubmitCase, retried per `policy` with the same request (so the same
// idempotency key: intake answers a retry with the case it already created).
grpc::Status SubmitWithRetries(v1::IntakeService::Stub& stub, const CallIdentity& identity, absl::Duration deadline,
                               const v1::SubmitCaseRequest& request, const RetryPolicy& policy,
                               std::ostream& progress, v1::SubmitCaseResponse& response);

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_RESUMABLE_UPLOAD_H_
