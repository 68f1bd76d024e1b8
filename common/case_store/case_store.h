#ifndef TELEDERM_COMMON_CASE_STORE_CASE_STORE_H_
#define TELEDERM_COMMON_CASE_STORE_CASE_STORE_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/redis/client.h"
#include "telederm/v1/case.pb.h"

namespace telederm {

// The bytes a case record's `pb` field holds: the serialized Case without
// what the key and the record already say (its case_id, which the key
// keys::Case names, and a first history entry that repeats received_at and
// clinic_id). Leaves `c` as it was.
std::string SerializeCaseRecord(v1::Case& c);

// Every reader of a stored record goes through this: parses `stored`, sets
// case_id to `case_id` (the id the record's key names) and restores what
// SerializeCaseRecord left out, so the case reads exactly as it was stored.
// Records in the older layout (with case_id and the first history entry)
// read the same.
// DATA_LOSS if the bytes do not parse.
absl::StatusOr<v1::Case> ParseCaseRecord(absl::string_view case_id, absl::string_view stored);

// NOT_FOUND "no case <id>": the one answer for a case that does not exist and
// for one the caller may not see (common/access), so ids cannot be probed.
absl::Status NoSuchCase(absl::string_view case_id);

// Case records in Redis: one key per case holding the serialized Case and its
// version. Writers never overwrite each other: every update is a
// compare-and-set on the version, retried on conflict. Safe for concurrent use
// from many threads and processes.
class CaseStore {
 public:
  explicit CaseStore(std::shared_ptr<redis::Client> redis);

  // Stores a new case as version 1 (sets c.version). ALREADY_EXISTS if the id is taken.
  absl::Status Create(v1::Case& c);

  // The command Create sends (sets c.version to 1), for a caller that
  // pipelines it with other writes in one round trip. Its reply is 1 when the
  // case was stored, 0 when the id was taken. Sends the script's source
  // (EVAL), so it never meets NOSCRIPT halfway through a pipeline.
  static std::vector<std::string> CreateCommand(v1::Case& c);

  // The compare-and-set UpdateFrom sends, for a caller that stores many cases
  // in one round trip (redis::Client::EvalAll): sets c.version to
  // read_version + 1; its reply is 1 when stored, 0 when someone else wrote
  // the case since read_version, NOT_FOUND when there is no such case.
  static redis::Client::ScriptCall CompareAndSetCall(v1::Case& c, int64_t read_version);

  // The case, or an empty optional when there is none.
  absl::StatusOr<std::optional<v1::Case>> Get(absl::string_view case_id);

  // The record of each case id, in order, read in one round trip; an empty
  // optional when there is none, DATA_LOSS for one that does not parse. The
  // outer status is a transport failure.
  absl::StatusOr<std::vector<absl::StatusOr<std::optional<v1::Case>>>> GetMany(
      const std::vector<std::string>& case_ids);

  // Returns true when it changed the case (to be stored), false to leave it as
  // it is, or an error to abort with that error.
  using Mutation = std::function<absl::StatusOr<bool>(v1::Case&)>;

  // Reads the case, applies `mutate`, and stores the result if it changed and
  // nobody else wrote in between; otherwise re-reads and tries again (up to a
  // bound, then ABORTED). Returns the case as stored. NOT_FOUND if there is none.
  // `mutate` may run several times: it must only depend on the case it is given.
  absl::StatusOr<v1::Case> Update(absl::string_view case_id, const Mutation& mutate);

  // As Update, but starts from `known`, the record as this caller has just
  // read or stored it (version included), which saves the first read. If
  // anyone wrote the case since, the compare-and-set fails and it re-reads,
  // exactly as Update does.
  absl::StatusOr<v1::Case> UpdateFrom(v1::Case known, const Mutation& mutate);

 private:
  absl::StatusOr<v1::Case> UpdateLoop(absl::string_view case_id, std::optional<v1::Case> known,
                                      const Mutation& mutate);
  std::shared_ptr<redis::Client> redis_;
};

}  // namespace telederm

#endif  // TELEDERM_COMMON_CASE_STORE_CASE_STORE_H_
