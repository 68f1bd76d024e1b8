#ifndef TELEDERM_COMMON_REDIS_STREAM_H_
#define TELEDERM_COMMON_REDIS_STREAM_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis/client.h"

namespace telederm::redis {

// One stream entry, copied out of a reply. A plain value type.
struct StreamEntry {
  std::string id;  // e.g. "1700000000000-0"
  std::vector<std::pair<std::string, std::string>> fields;

  // The first field called `name`; empty if there is none.
  std::optional<std::string> Field(std::string_view name) const;
};

// A stream entry id "<ms>-<seq>" as (ms, seq), which compare in stream order;
// nullopt unless `id` is two runs of decimal digits joined by one dash, each
// fitting 64 bits: the form Redis gives every entry id in.
std::optional<std::pair<uint64_t, uint64_t>> ParseStreamId(absl::string_view id);

// XADD stream * field value ...; returns the new entry's id.
absl::StatusOr<std::string> StreamAppend(
    Client& client, const std::string& stream,
    const std::vector<std::pair<std::string, std::string>>& fields);

// The XADD argv of StreamAppend, for use inside Client::Pipeline or MULTI.
std::vector<std::string> StreamAppendCommand(
    const std::string& stream,
    const std::vector<std::pair<std::string, std::string>>& fields);

// One named consumer in a consumer group of one stream.
//
// Delivery is at least once. The contract for callers:
//   1. EnsureGroup() once at start.
//   2. ReadOwnPending() first: entries this consumer name received before a
//      crash and never acked.
//   3. Loop on ReadNew(); now and then ClaimIdle() to take over entries that a
//      dead consumer left pending.
//   4. Ack(id) only after the work's effect is stored; handlers must be
//      idempotent because an entry may be delivered again.
//
// Thread-compatible: one thread uses a StreamConsumer at a time (give each
// worker thread its own consumer name). The Client it holds is shared and
// thread-safe.
class StreamConsumer {
 public:
  StreamConsumer(std::shared_ptr<Client> client, std::string stream,
                 std::string group, std::string consumer);

  // XGROUP CREATE stream group 0 MKSTREAM. An existing group is fine. The
  // group starts at 0 so entries added before it existed are delivered too.
  absl::Status EnsureGroup();

  // XREADGROUP ... COUNT count BLOCK ms STREAMS stream >. An empty vector when
  // nothing arrived within `block`. A zero or negative `block` does not wait.
  // If the group is gone (stream deleted, Redis lost its data) it is created
  // again once and the read retried.
  absl::StatusOr<std::vector<StreamEntry>> ReadNew(int count,
                                                   absl::Duration block);

  // Entries delivered to this consumer name and not yet acked, oldest first,
  // with ids greater than `after_id` (page through by passing the last id
  // seen). Entries deleted from the stream meanwhile are acked and skipped.
  absl::StatusOr<std::vector<StreamEntry>> ReadOwnPending(
      int count, const std::string& after_id = "0");

  // XAUTOCLAIM: takes over up to `count` entries that have been pending on
  // any consumer for at least `min_idle`. Successive calls continue the scan
  // where the last one stopped and wrap around at the end. Entries deleted
  // from the stream are skipped (and acked where Redis still lists them).
  absl::StatusOr<std::vector<StreamEntry>> ClaimIdle(absl::Duration min_idle,
                                                     int count);

  // How many times entry `id` has been delivered (1 after the first read).
  // 0 if the entry is not pending (acked, or never delivered).
  absl::StatusOr<long long> DeliveryCount(const std::string& id);

  // XACK. Acking an entry that is not pending is not an error.
  absl::Status Ack(const std::string& id);
  // XACK of all `ids` in one command. On an error none is known to be acked
  // (they stay pending, to be delivered again). No ids: no command.
  absl::Status AckAll(const std::vector<std::string>& ids);

  // Deletes the entries every consumer group of the stream has acknowledged
  // (XTRIM MINID): those older than the oldest entry still pending in any
  // group and than the first entry not yet delivered to each group. Pending
  // and undelivered entries stay; a stream without groups is left as it is.
  // Safe while consumers run: whatever they read or ack meanwhile is newer
  // than the bound or already acked. Returns how many entries went.
  absl::StatusOr<long long> TrimAcknowledged();

  const std::string& stream() const { return stream_; }
  const std::string& group() const { return group_; }
  const std::string& consumer() const { return consumer_; }
  const std::shared_ptr<Client>& client() const { return client_; }

 private:
  absl::StatusOr<std::vector<StreamEntry>> ReadGroup(int count,
                                                     absl::Duration block,
                                                     const std::string& from);

  std::shared_ptr<Client> client_;
  std::string stream_;
  std::string group_;
  std::string consumer_;
  std::string claim_cursor_ = "0-0";
};

}  // namespace telederm::redis

#endif  // TELEDERM_COMMON_REDIS_STREAM_H_
