// The bounds every string, bytes and repeated field of the public contract
// declares in proto/ ([(max_length) = N], [(max_items) = N], see
// proto/telederm/v1/limits.proto), checked on a whole request before any
// handler looks at it. One walk through the message by reflection, so a field
// added to the contract is checked as soon as it declares its bound.
#ifndef TELEDERM_COMMON_REQUEST_LIMITS_REQUEST_LIMITS_H_
#define TELEDERM_COMMON_REQUEST_LIMITS_REQUEST_LIMITS_H_

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include "absl/status/status.h"

namespace telederm {

// OK, or INVALID_ARGUMENT for the first field over its bound, naming the
// field by its path ("submission.images[3].content_type"), the limit and the
// size sent, in words a clinic worker can act on. Pure; thread-safe.
absl::Status CheckRequestLimits(const google::protobuf::Message& request);

// The declared bounds of a field; 0 when none is declared.
int DeclaredMaxLength(const google::protobuf::FieldDescriptor& field);
int DeclaredMaxItems(const google::protobuf::FieldDescriptor& field);

}  // namespace telederm

#endif  // TELEDERM_COMMON_REQUEST_LIMITS_REQUEST_LIMITS_H_
