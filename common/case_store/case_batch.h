#ifndef TELEDERM_COMMON_CASE_STORE_CASE_BATCH_H_
#define TELEDERM_COMMON_CASE_STORE_CASE_BATCH_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/redis/client.h"
#include "common/redis/stream.h"
#include "telederm/v1/case.pb.h"

namespace telederm {

// How a stream handler works through a batch of entries with a few round
// trips for all of them: the case records read in one, the changed ones
// stored with one compare-and-set each (the same records, keys::Case, and
// the same compare-and-set on the version as CaseStore) in one, and a case
// another writer changed in between read and decided again.
//
// Safe for concurrent use.
class CaseBatch {
 public:
  // Compare-and-set attempts per case and batch before its entry is left
  // pending as ABORTED (another writer kept changing it); the redelivery
  // tries again.
  static constexpr int kMaxAttempts = 4;

  explicit CaseBatch(std::shared_ptr<redis::Client> redis);

  // A case of the batch, with the index of the entry that named it.
  struct Member {
    size_t entry;
    v1::Case record;
  };

  // The cases `entries` name (field "case_id"), read in one round trip. An
  // entry that names no valid case, or a case that does not exist, is logged
  // as one of `stream`'s and left out: its status in `handled` stays OK, so it
  // is acked and dropped. A read that fails sets its entries' status.
  std::vector<Member> ReadNamed(const std::vector<redis::StreamEntry>& entries, absl::string_view stream,
                                std::vector<absl::Status>& handled);

  // Carries out a stream handler's rule for `members`, in rounds. Each round
  // `prepare` reads what the rule needs besides the records (an error fails
  // every member of the round); `decide` applies the rule to one case, with
  // the round's number (0 first), and says whether to store it (an error fails
  // its entry); the cases to store are compare-and-set in one round trip; a
  // case another writer changed meanwhile is read again for the next round.
  // `settled` gets every case that was stored or needed nothing stored, with
  // the round. A case that is gone is logged and dropped.
  void DecideAndStore(std::vector<Member> members,
                      absl::FunctionRef<absl::Status(const std::vector<Member>&)> prepare,
                      absl::FunctionRef<absl::StatusOr<bool>(Member&, int round)> decide,
                      absl::FunctionRef<void(Member&, int round)> settled, std::vector<absl::Status>& handled);

  // Stores each of `changed` as version known_version + 1 (and sets that
  // version on it) if the stored version is still its version(), the one it
  // was read at. Per case: true when stored, false when someone else wrote it
  // in between (nothing stored: read it again), NOT_FOUND when it is gone. The
  // outer status is a transport failure (UNAVAILABLE: which ran is unknown).
  absl::StatusOr<std::vector<absl::StatusOr<bool>>> CompareAndSetAll(std::vector<v1::Case*> changed);

 private:
  std::shared_ptr<redis::Client> redis_;
};

}  // namespace telederm

#endif  // TELEDERM_COMMON_CASE_STORE_CASE_BATCH_H_
