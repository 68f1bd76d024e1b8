#ifndef TELEDERM_SERVICES_REFERRAL_QUEUE_INDEX_H_
#define TELEDERM_SERVICES_REFERRAL_QUEUE_INDEX_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis/client.h"
#include "telederm/v1/case.pb.h"

namespace telederm::referral {

// A case as the queue index sees it.
struct QueuedCase {
  std::string case_id;
  std::string pool;
  absl::Time due;
};

// What the claim script needs to know of a queued case for fairness.
struct QueueMeta {
  std::string clinic_id;
  int urgency = 0;  // v1::Urgency number
};

// A claim the index just handed out. fencing_token is 0 when the popped entry
// was stale (the case already has a claim in the index) and was dropped.
struct IndexClaim {
  std::string case_id;
  absl::Time due;
  int64_t fencing_token = 0;
};

// The per-pool Redis indexes over case records (keys.h): the queue (case ->
// due), the leases (case -> lease expiry), the claims (case -> "<token>
// <specialist>") and the fencing counter. The case record is authoritative;
// these are indexes that the service repairs from it. Every operation that
// changes a claim checks its fencing token inside one Lua script, and every key
// a script touches carries the pool's hash tag.
//
// Thread-safe: it holds only the shared, thread-safe redis::Client.
class QueueIndex {
 public:
  explicit QueueIndex(std::shared_ptr<redis::Client> redis);

  // The queue entry of a queued case: in its pool's queue at its due time,
  // with its clinic and tier for fairness, and the pool remembered. Returns
  // true when the case was not in the queue before.
  absl::StatusOr<bool> Enqueue(const v1::Case& c);
  // The commands Enqueue sends, for a caller that pipelines them with others:
  // the pool's registration (SADD pools; once per pool is enough) and the
  // entry (HSET meta, then ZADD queue, whose reply is 1 when the case was not
  // in the queue before).
  static std::vector<std::string> RegisterPoolCommand(absl::string_view pool);
  static std::vector<std::vector<std::string>> EntryCommands(const v1::Case& c);
  // What the claim script knows of a queued case for fairness.
  static QueueMeta MetaOf(const v1::Case& c);

  // Takes a waiting case out of the pool's queue (it moves elsewhere). A
  // claimed case is left to EndClaim.
  absl::Status Dequeue(absl::string_view pool, absl::string_view case_id);

  // The earliest-due case of each pool, in one round trip; pools with an empty
  // queue are left out.
  absl::StatusOr<std::vector<QueuedCase>> Heads(const std::vector<std::string>& pools);

  // The first `limit` cases of `pool`'s queue, earliest due first.
  absl::StatusOr<std::vector<QueuedCase>> FirstInQueue(absl::string_view pool, int64_t limit);

  // Atomically takes a case from the pool's queue and records a claim on it
  // with a new fencing token and a lease until `lease_expires`: the
  // earliest-due case, or, among the cases of the same tier due at most
  // `fairness_window` after it, the one whose clinic was served longest ago
  // in this pool. Empty when the queue is empty.
  absl::StatusOr<std::optional<IndexClaim>> ClaimHead(absl::string_view pool, absl::string_view specialist,
                                                     absl::Time lease_expires, absl::Duration fairness_window);

  // If the claim on `case_id` still has `token`: ends it, and with `due` puts
  // the case back in the queue. Returns whether the token matched.
  absl::StatusOr<bool> EndClaim(absl::string_view pool, absl::string_view case_id, int64_t token,
                                std::optional<absl::Time> due);

  // If the claim on `case_id` still has `token`: moves its lease expiry.
  absl::StatusOr<bool> ExtendLease(absl::string_view pool, absl::string_view case_id, int64_t token,
                                   absl::Time lease_expires);

  // Up to `limit` cases of `pool` whose lease expires at or before `now`.
  absl::StatusOr<std::vector<std::string>> LapsedLeases(absl::string_view pool, absl::Time now, int limit);

  // The fencing token of the claim on `case_id` in `pool`; empty if none.
  absl::StatusOr<std::optional<int64_t>> ClaimToken(absl::string_view pool, absl::string_view case_id);

  // Removes a lease entry that has no claim behind it.
  absl::Status DropOrphanLease(absl::string_view pool, absl::string_view case_id);

  // Up to `limit` cases of `pool` waiting with a due time before `now`.
  absl::StatusOr<std::vector<QueuedCase>> Overdue(absl::string_view pool, absl::Time now, int limit);

  // Marks the case escalated for its due time `due`; true only the first
  // time for that due time, in whichever process asks first.
  absl::StatusOr<bool> MarkEscalated(absl::string_view pool, absl::string_view case_id, absl::Time due);

  // Every pool that has ever held a case.
  absl::StatusOr<std::vector<std::string>> Pools();

 private:
  std::shared_ptr<redis::Client> redis_;
};

}  // namespace telederm::referral

#endif  // TELEDERM_SERVICES_REFERRAL_QUEUE_INDEX_H_
