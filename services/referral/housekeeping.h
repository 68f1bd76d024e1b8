#ifndef TELEDERM_SERVICES_REFERRAL_HOUSEKEEPING_H_
#define TELEDERM_SERVICES_REFERRAL_HOUSEKEEPING_H_

#include <atomic>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "absl/time/time.h"
#include "common/audit/audit_retention.h"
#include "services/referral/escalation.h"
#include "services/referral/lease_reaper.h"

namespace telederm::referral {

// The referral service's periodic work on a Boost.Asio timer: the lease
// reaper, then the escalation check, every `interval`, and the audit trail's
// retention when this process applies it (AuditRetention::RunIfDue, which
// keeps its own, longer period). Errors are logged and the next tick tries
// again. (The triaged stream is consumed by a common/stream_worker
// StreamWorker, not here.)
//
// Start and Stop may be called from any thread; the work runs on the
// io_context given to Start, which must outlive the run.
class Housekeeping {
 public:
  // `retention` null: this process removes no audit entries.
  Housekeeping(std::unique_ptr<LeaseReaper> reaper, std::unique_ptr<Escalator> escalator, absl::Duration interval,
               std::unique_ptr<audit::AuditRetention> retention = nullptr);

  void Start(boost::asio::io_context& io);
  // Cancels the timer; a pass in progress finishes.
  void Stop();

  // One reaper pass, one escalation pass and the retention if due, as a tick does.
  void RunOnce();

 private:
  void Schedule();

  std::unique_ptr<LeaseReaper> reaper_;
  std::unique_ptr<Escalator> escalator_;
  std::unique_ptr<audit::AuditRetention> retention_;
  const absl::Duration interval_;
  std::atomic<bool> stopping_{false};
  boost::asio::io_context* io_ = nullptr;
  std::unique_ptr<boost::asio::steady_timer> timer_;
};

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_HOUSEKEEPING_H_
