#include "services/referral/background.h"

#include <boost/asio/post.hpp>

#include "absl/strings/str_cat.h"
#include "common/logging/log.h"

namespace telederm::referral {
namespace {

constexpr absl::Duration kReadBlock = absl::Seconds(1);
constexpr absl::Duration kErrorPause = absl::Seconds(1);

}  // namespace

BackgroundWork::BackgroundWork(std::unique_ptr<TriagedConsumer> consumer, std::unique_ptr<LeaseReaper> reaper,
                               ReferralOptions options)
    : consumer_(std::move(consumer)),
      reaper_(std::move(reaper)),
      options_(std::move(options)),
      work_(boost::asio::make_work_guard(io_)),
      consumer_timer_(io_),
      reaper_timer_(io_) {}

BackgroundWork::~BackgroundWork() { Stop(); }

void BackgroundWork::Start() {
  next_reclaim_ = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(options_.reclaim_idle);
  boost::asio::post(io_, [this] { ConsumerStep(); });
  boost::asio::post(io_, [this] { ReaperStep(); });
  // Two threads: the consumer's blocking read must not hold up the reaper.
  for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
}

void BackgroundWork::Stop() {
  if (threads_.empty()) return;
  stopping_ = true;
  work_.reset();
  io_.stop();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

void BackgroundWork::After(boost::asio::steady_timer& timer, absl::Duration delay, void (BackgroundWork::*step)()) {
  if (stopping_) return;
  timer.expires_after(absl::ToChronoNanoseconds(delay));
  timer.async_wait([this, step](const boost::system::error_code& error) {
    if (!error && !stopping_) (this->*step)();
  });
}

void BackgroundWork::ConsumerStep() {
  if (stopping_) return;
  absl::Status status;
  if (!consumer_started_) {
    status = consumer_->Start();
    consumer_started_ = status.ok();
    if (status.ok()) LogInfo(absl::StrCat("consuming stream:triaged as ", consumer_->consumer_name()));
  } else if (std::chrono::steady_clock::now() >= next_reclaim_) {
    next_reclaim_ = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(options_.reclaim_idle);
    status = consumer_->ReclaimIdle(options_.reclaim_idle).status();
  } else {
    status = consumer_->PollOnce(kReadBlock).status();
  }
  if (!status.ok()) {
    LogWarning(absl::StrCat("triaged consumer: ", status.ToString(), "; retrying"));
    After(consumer_timer_, kErrorPause, &BackgroundWork::ConsumerStep);
    return;
  }
  if (!stopping_) boost::asio::post(io_, [this] { ConsumerStep(); });
}

void BackgroundWork::ReaperStep() {
  absl::StatusOr<int> requeued = reaper_->ReapOnce();
  if (!requeued.ok()) LogWarning(absl::StrCat("lease reaper: ", requeued.status().ToString()));
  After(reaper_timer_, options_.reap_interval, &BackgroundWork::ReaperStep);
}

}  // namespace telederm::referral
