#include "common/stream_worker/stream_worker.h"

#include <chrono>

#include <boost/asio/post.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/logging/log.h"

namespace telederm {

StreamWorker::StreamWorker(std::unique_ptr<redis::StreamConsumer> consumer, Handler handler,
                           StreamWorkerOptions options)
    : StreamWorker(std::move(consumer),
                   BatchHandler([handler = std::move(handler)](const std::vector<redis::StreamEntry>& entries) {
                     std::vector<absl::Status> handled;
                     handled.reserve(entries.size());
                     for (const redis::StreamEntry& entry : entries) handled.push_back(handler(entry));
                     return handled;
                   }),
                   std::move(options)) {}

StreamWorker::StreamWorker(std::unique_ptr<redis::StreamConsumer> consumer, BatchHandler handler,
                           StreamWorkerOptions options)
    : consumer_(std::move(consumer)),
      handler_(std::move(handler)),
      options_(std::move(options)),
      dead_letters_(consumer_->client(), options_.dead_letters) {}

int StreamWorker::HandleAll(const std::vector<redis::StreamEntry>& entries, bool redelivered) {
  std::vector<redis::StreamEntry> to_handle;
  to_handle.reserve(entries.size());
  for (const redis::StreamEntry& entry : entries) {
    if (redelivered) {
      absl::StatusOr<bool> buried = dead_letters_.BeforeHandling(*consumer_, entry);
      if (!buried.ok()) {
        LogWarning(absl::StrCat(consumer_->stream(), " entry ", entry.id, ": ", buried.status().ToString()));
        continue;
      }
      if (*buried) continue;
    }
    to_handle.push_back(entry);
  }
  if (to_handle.empty()) return 0;
  const std::vector<absl::Status> handled = handler_(to_handle);
  std::vector<std::string> done;
  done.reserve(to_handle.size());
  for (size_t i = 0; i < to_handle.size(); ++i) {
    const redis::StreamEntry& entry = to_handle[i];
    const absl::Status status =
        i < handled.size() ? handled[i] : absl::InternalError("the batch handler gave no status for this entry");
    if (status.ok()) {
      done.push_back(entry.id);
      continue;
    }
    absl::StatusOr<bool> buried = dead_letters_.AfterFailure(*consumer_, entry, status);
    if (!buried.ok() || !*buried) {
      LogWarning(absl::StrCat(consumer_->stream(), " entry ", entry.id, " not handled, will retry: ",
                              status.ToString()));
    }
  }
  if (absl::Status acked = consumer_->AckAll(done); !acked.ok()) {
    LogWarning(absl::StrCat(consumer_->stream(), ": ", done.size(), " entries handled but not acked: ",
                            acked.ToString()));
    return 0;
  }
  return static_cast<int>(done.size());
}

absl::Status StreamWorker::Recover() {
  if (absl::Status s = consumer_->EnsureGroup(); !s.ok()) return s;
  std::string after = "0";
  while (true) {
    absl::StatusOr<std::vector<redis::StreamEntry>> pending = consumer_->ReadOwnPending(options_.batch, after);
    if (!pending.ok()) return pending.status();
    if (pending->empty()) return absl::OkStatus();
    HandleAll(*pending, /*redelivered=*/true);
    after = pending->back().id;
  }
}

absl::StatusOr<int> StreamWorker::PollOnce(absl::Duration block) {
  absl::StatusOr<std::vector<redis::StreamEntry>> entries = consumer_->ReadNew(options_.batch, block);
  if (!entries.ok()) return entries.status();
  return HandleAll(*entries, /*redelivered=*/false);
}

absl::StatusOr<int> StreamWorker::ReclaimOnce() {
  absl::StatusOr<std::vector<redis::StreamEntry>> entries =
      consumer_->ClaimIdle(options_.reclaim_idle, options_.batch);
  if (!entries.ok()) return entries.status();
  if (!entries->empty()) {
    LogInfo(absl::StrCat(consumer_->stream(), ": took over ", entries->size(), " idle entries"));
  }
  return HandleAll(*entries, /*redelivered=*/true);
}

absl::StatusOr<long long> StreamWorker::TrimOnce() {
  absl::StatusOr<long long> trimmed = consumer_->TrimAcknowledged();
  if (trimmed.ok() && *trimmed > 0) {
    LogInfo(absl::StrCat(consumer_->stream(), ": trimmed ", *trimmed, " acknowledged entries"));
  }
  return trimmed;
}

void StreamWorker::Start(boost::asio::io_context& io) {
  io_ = &io;
  poll_timer_ = std::make_unique<boost::asio::steady_timer>(io);
  reclaim_timer_ = std::make_unique<boost::asio::steady_timer>(io);
  SchedulePoll(io, absl::ZeroDuration());
  ScheduleReclaim(io);
}

void StreamWorker::Stop() {
  stopping_ = true;
  if (io_ == nullptr) return;
  // Timers are not thread-safe: cancel them on the io_context's own thread.
  boost::asio::post(*io_, [this] {
    poll_timer_->cancel();
    reclaim_timer_->cancel();
  });
}

void StreamWorker::SchedulePoll(boost::asio::io_context& io, absl::Duration delay) {
  if (stopping_) return;
  poll_timer_->expires_after(absl::ToChronoMilliseconds(delay));
  poll_timer_->async_wait([this, &io](const boost::system::error_code& error) {
    if (error || stopping_) return;
    absl::StatusOr<int> polled = [&]() -> absl::StatusOr<int> {
      if (!recovered_) {
        if (absl::Status s = Recover(); !s.ok()) return s;
        recovered_ = true;
      }
      return PollOnce(options_.block);
    }();
    if (!polled.ok()) {
      LogWarning(absl::StrCat(consumer_->stream(), ": ", polled.status().ToString(), "; retrying"));
      SchedulePoll(io, options_.retry_after_error);
      return;
    }
    if (options_.trim_every > absl::ZeroDuration() && absl::Now() - last_trim_ >= options_.trim_every) {
      last_trim_ = absl::Now();
      if (absl::StatusOr<long long> trimmed = TrimOnce(); !trimmed.ok()) {
        LogWarning(absl::StrCat(consumer_->stream(), ": trim failed: ", trimmed.status().ToString()));
      }
    }
    SchedulePoll(io, absl::ZeroDuration());
  });
}

void StreamWorker::ScheduleReclaim(boost::asio::io_context& io) {
  if (stopping_) return;
  reclaim_timer_->expires_after(absl::ToChronoMilliseconds(options_.reclaim_every));
  reclaim_timer_->async_wait([this, &io](const boost::system::error_code& error) {
    if (error || stopping_) return;
    if (absl::StatusOr<int> reclaimed = ReclaimOnce(); !reclaimed.ok()) {
      LogWarning(absl::StrCat(consumer_->stream(), ": reclaim failed: ", reclaimed.status().ToString()));
    }
    ScheduleReclaim(io);
  });
}

}  // namespace telederm
