#include "tests/e2e/event_watcher.h"

#include "tests/e2e/api.h"

namespace telederm::testing {

EventWatcher::EventWatcher(v1::IntakeService::Stub& intake, const std::string& clinic,
                           const std::string& after_event_id)
    : context_(AsClinic(clinic, absl::Minutes(5))) {
  v1::WatchEventsRequest request;
  request.set_after_event_id(after_event_id);
  reader_ = intake.WatchEvents(context_.get(), request);
  thread_ = std::thread([this] {
    v1::CaseEvent event;
    while (reader_->Read(&event)) {
      absl::MutexLock lock(&mutex_);
      events_.push_back(event);
    }
  });
}

EventWatcher::~EventWatcher() {
  context_->TryCancel();
  thread_.join();
  reader_->Finish();
}

std::optional<v1::CaseEvent> EventWatcher::Find(const std::string& case_id, v1::EventType type) {
  absl::MutexLock lock(&mutex_);
  for (const auto& event : events_) {
    if (event.case_id() == case_id && event.type() == type) return event;
  }
  return std::nullopt;
}

std::vector<v1::CaseEvent> EventWatcher::All() {
  absl::MutexLock lock(&mutex_);
  return events_;
}

}  // namespace telederm::testing
