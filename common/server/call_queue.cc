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

absl::Status OpenCallLimit::TryOpen(grpc::CallbackServerContext* context, absl::string_view caller) {
  {
    absl::MutexLock lock(&mutex_);
    int& mine = open_by_caller_[caller];
    if (open_ < max_open_ && mine < max_per_caller_) {
      ++open_;
      ++mine;
      return absl::OkStatus();
    }
    if (mine == 0) open_by_caller_.erase(caller);
    if (open_ < max_open_) {
      return absl::ResourceExhaustedError(absl::StrCat(
          caller, " already has ", max_per_caller_, " ", calls_, " open, the most one caller may have; nothing was "
          "done: close one you no longer read (one per screen is enough) and open this one again"));
    }
  }
  return RefuseBusy(context, absl::StrCat("this process already serves ", max_open_, " ", calls_));
}

void OpenCallLimit::Close(absl::string_view caller) {
  absl::MutexLock lock(&mutex_);
  --open_;
  auto mine = open_by_caller_.find(caller);
  if (mine != open_by_caller_.end() && --mine->second == 0) open_by_caller_.erase(mine);
}

int OpenCallLimit::open() const {
  absl::MutexLock lock(&mutex_);
  return open_;
}

}  // namespace telederm
