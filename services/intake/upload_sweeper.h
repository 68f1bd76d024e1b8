#ifndef TELEDERM_SERVICES_INTAKE_UPLOAD_SWEEPER_H_
#define TELEDERM_SERVICES_INTAKE_UPLOAD_SWEEPER_H_

#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/blob/blob_store.h"
#include "common/clock/clock.h"

namespace telederm::intake {

// Removes abandoned uploads: every `every`, the partial uploads (and
// leftovers of dead writers) not written to for `ttl`. Runs on a Boost.Asio
// timer on a thread of its own between Start and Stop (or destruction).
class UploadSweeper {
 public:
  UploadSweeper(BlobStorePtr blobs, ClockPtr clock, absl::Duration ttl, absl::Duration every);
  ~UploadSweeper();

  void Start();
  void Stop();
  // One sweep now; returns how many uploads were removed.
  absl::StatusOr<int> SweepOnce();

 private:
  void Schedule();

  BlobStorePtr blobs_;
  ClockPtr clock_;
  const absl::Duration ttl_;
  const absl::Duration every_;
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  boost::asio::steady_timer timer_;
  std::thread thread_;
};

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_UPLOAD_SWEEPER_H_
