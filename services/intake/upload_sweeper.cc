#include "services/intake/upload_sweeper.h"

#include "absl/strings/str_cat.h"
#include "common/logging/log.h"

namespace telederm::intake {

UploadSweeper::UploadSweeper(BlobStorePtr blobs, ClockPtr clock, absl::Duration ttl, absl::Duration every)
    : blobs_(std::move(blobs)),
      clock_(std::move(clock)),
      ttl_(ttl),
      every_(every),
      work_(boost::asio::make_work_guard(io_)),
      timer_(io_) {}

UploadSweeper::~UploadSweeper() { Stop(); }

void UploadSweeper::Start() {
  Schedule();
  thread_ = std::thread([this] { io_.run(); });
}

void UploadSweeper::Stop() {
  if (!thread_.joinable()) return;
  work_.reset();
  io_.stop();
  thread_.join();
}

absl::StatusOr<int> UploadSweeper::SweepOnce() {
  absl::StatusOr<int> removed = blobs_->RemoveStalePartials(clock_->Now() - ttl_);
  if (removed.ok() && *removed > 0) {
    LogInfo(absl::StrCat("removed ", *removed, " uploads abandoned for more than ", absl::FormatDuration(ttl_)));
  }
  return removed;
}

void UploadSweeper::Schedule() {
  timer_.expires_after(absl::ToChronoNanoseconds(every_));
  timer_.async_wait([this](const boost::system::error_code& error) {
    if (error) return;
    if (absl::StatusOr<int> removed = SweepOnce(); !removed.ok()) {
      LogWarning(absl::StrCat("upload sweep: ", removed.status().ToString()));
    }
    Schedule();
  });
}

}  // namespace telederm::intake
