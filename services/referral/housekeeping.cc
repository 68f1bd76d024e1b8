#include "services/referral/housekeeping.h"

#include <boost/asio/post.hpp>

#include "absl/strings/str_cat.h"
#include "common/logging/log.h"

namespace telederm::referral {

Housekeeping::Housekeeping(std::unique_ptr<LeaseReaper> reaper, std::unique_ptr<Escalator> escalator,
                           absl::Duration interval, std::unique_ptr<audit::AuditRetention> retention)
    : reaper_(std::move(reaper)),
      escalator_(std::move(escalator)),
      retention_(std::move(retention)),
      interval_(interval) {}

void Housekeeping::RunOnce() {
  if (absl::StatusOr<int> requeued = reaper_->ReapOnce(); !requeued.ok()) {
    LogWarning(absl::StrCat("lease reaper: ", requeued.status().ToString()));
  }
  if (absl::StatusOr<int> escalated = escalator_->CheckOnce(); !escalated.ok()) {
    LogWarning(absl::StrCat("escalation check: ", escalated.status().ToString()));
  }
  if (retention_ != nullptr) retention_->RunIfDue();
}

void Housekeeping::Start(boost::asio::io_context& io) {
  io_ = &io;
  timer_ = std::make_unique<boost::asio::steady_timer>(io);
  boost::asio::post(io, [this] {
    if (stopping_) return;
    RunOnce();
    Schedule();
  });
}

void Housekeeping::Stop() {
  stopping_ = true;
  if (io_ == nullptr) return;
  // Timers are not thread-safe: cancel it on the io_context's own thread.
  boost::asio::post(*io_, [this] { timer_->cancel(); });
}

void Housekeeping::Schedule() {
  if (stopping_) return;
  timer_->expires_after(absl::ToChronoMilliseconds(interval_));
  timer_->async_wait([this](const boost::system::error_code& error) {
    if (error || stopping_) return;
    RunOnce();
    Schedule();
  });
}

}  // namespace telederm::referral
