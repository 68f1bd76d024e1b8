#include "common/server/call_queue.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace telederm {

void AddRetryTrailers(grpc::CallbackServerContext* context, absl::Duration retry_after) {
  const std::string ms = absl::StrCat(absl::ToInt64Milliseconds(retry_after));
  context->AddTrailingMetadata(kRetryAfterMsTrailer, ms);
  context->AddTrailingMetadata(kRetryPushbackMsTrailer, ms);
}

absl::Status RefuseBusy(grpc::CallbackServerContext* context, absl::string_view what, absl::Duration retry_after) {
  AddRetryTrailers(context, retry_after);
  const int64_t seconds = std::max<int64_t>(1, std::llround(absl::ToDoubleSeconds(retry_after)));
  return absl::ResourceExhaustedError(absl::StrCat(what, "; nothing was done, try again in ", seconds,
                                                   seconds == 1 ? " second" : " seconds"));
}

}  // namespace telederm
