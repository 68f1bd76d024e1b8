#ifndef TELEDERM_COMMON_CASE_STORE_CASE_BATCH_H_
#define TELEDERM_COMMON_CASE_STORE_CASE_BATCH_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/redis/client.h"
#include "common/redis/stream.h"
#include "telederm/v1/case.pb.h"

namespace telederm {

// The case records of a stream worker's batch, read and written with one
// round trip for all of them, for the stream handlers that take a batch of
// entries at once: the same records (keys::Case) and the same compare-and-set
// on the version as CaseStore, which a caller falls back to for a case whose
// compare-and-set lost.
//
// The outer status of each call is a transport failure (UNAVAILABLE: which
// commands ran is unknown); the inner ones are each case's own result.
// Safe for concurrent use.
class CaseBatch {
 public:
  explicit CaseBatch(std::shared_ptr<redis::Client> redis);

  // The cases a batch of stream entries names (field "case_id"), read with
  // CaseStore::GetMany. An entry that names no valid case is logged as one of `stream`'s
  // and left out: its handling status stays OK, so it is acked and dropped.
  // When the read as a whole fails, every record carries that status.
  struct NamedCases {
    std::vector<size_t> entry;     // the batch index of each named case
    std::vector<std::string> ids;  // its case id
    std::vector<absl::StatusOr<std::optional<v1::Case>>> records;  // CaseStore::GetMany(ids)
  };
  NamedCases ReadNamed(const std::vector<redis::StreamEntry>& entries, absl::string_view stream);

  // Stores each of `changed` as version known_version + 1 (and sets that
  // version on it) if the stored version is still its version(), the one it
  // was read at. Per case: true when stored, false when someone else wrote it
  // in between (nothing stored: read it again), NOT_FOUND when it is gone.
  absl::StatusOr<std::vector<absl::StatusOr<bool>>> CompareAndSetAll(std::vector<v1::Case*> changed);

 private:
  std::shared_ptr<redis::Client> redis_;
};

}  // namespace telederm

#endif  // TELEDERM_COMMON_CASE_STORE_CASE_BATCH_H_
