#ifndef TELEDERM_TESTS_E2E_EVENT_WATCHER_H_
#define TELEDERM_TESTS_E2E_EVENT_WATCHER_H_

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "telederm/v1/intake.grpc.pb.h"

namespace telederm::testing {

// A clinic's WatchEvents stream, read on a thread of its own for as long as the
// watcher lives, as a clinic's app keeps it open.
class EventWatcher {
 public:
  // Watches `clinic`'s events from the start, or from after `after_event_id`.
  EventWatcher(v1::IntakeService::Stub& intake, const std::string& clinic, const std::string& after_event_id = "");
  ~EventWatcher();
  EventWatcher(const EventWatcher&) = delete;
  EventWatcher& operator=(const EventWatcher&) = delete;

  // The first event of `type` for `case_id` received so far.
  std::optional<v1::CaseEvent> Find(const std::string& case_id, v1::EventType type);
  // Every event received so far, in order.
  std::vector<v1::CaseEvent> All();

 private:
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReader<v1::CaseEvent>> reader_;
  std::thread thread_;
  absl::Mutex mutex_;
  std::vector<v1::CaseEvent> events_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace telederm::testing

#endif  // TELEDERM_TESTS_E2E_EVENT_WATCHER_H_
