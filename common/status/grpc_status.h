#ifndef TELEDERM_COMMON_STATUS_GRPC_STATUS_H_
#define TELEDERM_COMMON_STATUS_GRPC_STATUS_H_

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace telederm {

// The one place where absl::Status and grpc::Status meet. The canonical codes
// map one to one; the message is carried unchanged.
grpc::Status ToGrpcStatus(const absl::Status& status);
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace telederm

#endif  // TELEDERM_COMMON_STATUS_GRPC_STATUS_H_
