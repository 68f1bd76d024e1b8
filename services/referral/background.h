#ifndef TELEDERM_SERVICES_REFERRAL_BACKGROUND_H_
#define TELEDERM_SERVICES_REFERRAL_BACKGROUND_H_

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "services/referral/lease_reaper.h"
#include "services/referral/options.h"
#include "services/referral/triaged_consumer.h"

namespace telederm::referral {

// Runs the referral service's background work on its own io_context threads:
// the triaged-stream consumer (blocking reads of about a second, so Stop is
// prompt; idle entries of dead consumers taken over every reclaim_idle) and
// the lease reaper (every reap_interval). Redis errors are logged and retried
// after a pause; they never stop the loops.
//
// Owns its threads; Stop (or the destructor) joins them. Start and Stop are
// called from one thread.
class BackgroundWork {
 public:
  BackgroundWork(std::unique_ptr<TriagedConsumer> consumer, std::unique_ptr<LeaseReaper> reaper,
                 ReferralOptions options);
  ~BackgroundWork();

  void Start();
  void Stop();

 private:
  void ConsumerStep();
  void ReaperStep();
  void After(boost::asio::steady_timer& timer, absl::Duration delay, void (BackgroundWork::*step)());

  std::unique_ptr<TriagedConsumer> consumer_;
  std::unique_ptr<LeaseReaper> reaper_;
  const ReferralOptions options_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::steady_timer consumer_timer_;
  boost::asio::steady_timer reaper_timer_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  // Touched only by the consumer chain, which never runs twice at once.
  bool consumer_started_ = false;
  std::chrono::steady_clock::time_point next_reclaim_;
};

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_BACKGROUND_H_
