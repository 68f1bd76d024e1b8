#ifndef TELEDERM_SERVICES_BATCH_CASE_BATCH_H_
#define TELEDERM_SERVICES_BATCH_CASE_BATCH_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/redis/client.h"
#include "telederm/v1/case.pb.h"

namespace telederm {

// The case records of a stream worker's batch, read and written with one
// round trip for all of them: the same records (keys::Case) and the same
// compare-and-set on the version as CaseStore (common/case_store), which a
// caller falls back to for a case whose compare-and-set lost.
//
// The outer status of each call is a transport failure (UNAVAILABLE: which
// commands ran is unknown); the inner ones are each case's own result.
// Safe for concurrent use.
class CaseBatch {
 public:
  explicit CaseBatch(std::shared_ptr<redis::Client> redis);

  // The record of each case id, in order; an empty optional when there is
  // none. DATA_LOSS for a record that does not parse.
  absl::StatusOr<std::vector<absl::StatusOr<std::optional<v1::Case>>>> GetAll(
      const std::vector<std::string>& case_ids);

  // Stores each of `changed` as version known_version + 1 (and sets that
  // version on it) if the stored version is still its version(), the one it
  // was read at. Per case: true when stored, false when someone else wrote it
  // in between (nothing stored: read it again), NOT_FOUND when it is gone.
  absl::StatusOr<std::vector<absl::StatusOr<bool>>> CompareAndSetAll(std::vector<v1::Case*> changed);

 private:
  std::shared_ptr<redis::Client> redis_;
};

}  // namespace telederm

#endif  // TELEDERM_SERVICES_BATCH_CASE_BATCH_H_
