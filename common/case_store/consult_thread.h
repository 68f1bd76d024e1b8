#ifndef TELEDERM_COMMON_CASE_STORE_CONSULT_THREAD_H_
#define TELEDERM_COMMON_CASE_STORE_CONSULT_THREAD_H_

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis/client.h"
#include "telederm/v1/case.pb.h"

namespace telederm {

// The consult thread of each case: the messages the clinic and the specialists
// exchange, in one Redis stream per case (keys::CaseThread, same hash tag as
// the record), and a read receipt per side (keys::CaseReads). A message's id
// is its stream id, so ids order the thread. Used by intake (the clinic's side)
// and referral (the specialists'); who may write is their decision, not this
// class's. Safe for concurrent use from many threads and processes.
class ConsultThread {
 public:
  explicit ConsultThread(std::shared_ptr<redis::Client> redis);

  // Appends `message` (case_id, author, text, attachments, sent_at set by the
  // caller) and returns it with its message_id.
  absl::StatusOr<v1::Message> Append(v1::Message message);

  // The whole thread, oldest first. `read` and `read_at` of each message say
  // whether the other side's receipt covers it.
  absl::StatusOr<std::vector<v1::Message>> List(absl::string_view case_id);

  // Records that `reader`'s side (the clinic, or the specialists) has read every
  // message up to `message_id`. A receipt never moves back. INVALID_ARGUMENT for
  // a malformed id, NOT_FOUND when the thread has no such message.
  absl::Status MarkRead(absl::string_view case_id, v1::Role reader, absl::string_view message_id, absl::Time now);

 private:
  std::shared_ptr<redis::Client> redis_;
};

// The clinic's side or the specialists' side of a thread (supervisors and
// the system write on the specialists' side).
bool IsClinicSide(v1::Role role);

}  // namespace telederm

#endif  // TELEDERM_COMMON_CASE_STORE_CONSULT_THREAD_H_
