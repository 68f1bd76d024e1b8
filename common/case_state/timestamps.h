#ifndef TELEDERM_COMMON_CASE_STATE_TIMESTAMPS_H_
#define TELEDERM_COMMON_CASE_STATE_TIMESTAMPS_H_

#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>

#include "absl/time/time.h"

namespace telederm {

google::protobuf::Timestamp ToProtoTimestamp(absl::Time time);
absl::Time FromProtoTimestamp(const google::protobuf::Timestamp& timestamp);

google::protobuf::Duration ToProtoDuration(absl::Duration duration);
absl::Duration FromProtoDuration(const google::protobuf::Duration& duration);

}  // namespace telederm

#endif  // TELEDERM_COMMON_CASE_STATE_TIMESTAMPS_H_
