#ifndef TELEDERM_COMMON_STREAM_WORKER_DEAD_LETTERS_H_
#define TELEDERM_COMMON_STREAM_WORKER_DEAD_LETTERS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis/client.h"
#include "common/redis/stream.h"

namespace telederm {

// The dead-letter stream of `source`: "deadletter:{<source>}". The hash tag
// is the source stream's whole name, so both keys sit in one Redis Cluster
// slot and moving an entry between them is one MULTI/EXEC.
std::string DeadLetterStream(absl::string_view source);

// One entry that failed too often, as kept in the dead-letter stream.
struct DeadLetter {
  std::string id;             // its id in the dead-letter stream
  std::string source_stream;  // where it came from, e.g. "stream:intake"
  std::string group;
  std::string entry_id;  // its id in the source stream
  std::string consumer;  // the consumer that gave up on it
  std::string error;     // the last handler error
  int64_t deliveries = 0;
  absl::Time dead_at;
  std::vector<std::pair<std::string, std::string>> fields;  // the original entry's fields

  // The original field `name` (e.g. "case_id"); empty if there is none.
  std::optional<std::string> Field(absl::string_view name) const;
};

// Reads and writes the dead-letter streams. Safe for concurrent use.
class DeadLetterBox {
 public:
  explicit DeadLetterBox(std::shared_ptr<redis::Client> redis);

  // Moves `entry` out of `consumer`'s group into the dead-letter stream: XADD
  // there and XACK in the source, in one MULTI/EXEC. Returns the dead letter's id.
  absl::StatusOr<std::string> Bury(const redis::StreamConsumer& consumer, const redis::StreamEntry& entry,
                                    absl::string_view error, int64_t deliveries, absl::Time now);
  // Oldest first, ids after `after_id` ("" or "0": from the start), at most `count`.
  absl::StatusOr<std::vector<DeadLetter>> List(absl::string_view source_stream, absl::string_view after_id,
                                               int count);
  // An empty optional when there is no such dead letter (never was, or replayed).
  absl::StatusOr<std::optional<DeadLetter>> Get(absl::string_view source_stream, absl::string_view id);
  // Appends the original fields to the source stream again (plus "replay_of")
  // and deletes the dead letter, in one MULTI/EXEC. Returns the new entry id.
  // NOT_FOUND when there is no such dead letter.
  absl::StatusOr<std::string> Replay(absl::string_view source_stream, absl::string_view id);
  // How many dead letters `source_stream` holds.
  absl::StatusOr<int64_t> Count(absl::string_view source_stream);

 private:
  std::shared_ptr<redis::Client> redis_;
};

// What a service does when one of its entries is dead-lettered, before it is
// moved: it must make sure a human sees the case (e.g. triage queues it
// URGENT, not screened). OK means done; an error leaves the entry pending, to
// be tried again. Called again for the same entry if moving it then fails,
// so it must be idempotent.
using DeadLetterHook = std::function<absl::Status(const redis::StreamEntry& entry, const std::string& error)>;

struct DeadLetterOptions {
  // A handler failure on the max_deliveries-th delivery or later buries the
  // entry, unless the failure is transient (UNAVAILABLE, DEADLINE_EXCEEDED,
  // ABORTED: Redis away or busy), which is retried without bound. An entry
  // delivered more than 2 * max_deliveries times is buried before it is
  // handled again: its handler probably crashes the process. 0: never.
  int max_deliveries = 5;
  DeadLetterHook on_dead_letter;  // may be empty
};

// The dead-letter rule (see DeadLetterOptions), for stream consumers.
// StreamWorker applies it; consumers with their own loop call it directly.
// Thread-compatible like the StreamConsumer it is used with.
class DeadLetterPolicy {
 public:
  DeadLetterPolicy(std::shared_ptr<redis::Client> redis, DeadLetterOptions options);

  // Before handling an entry that may have been delivered before. True when
  // it was buried instead (then skip it).
  absl::StatusOr<bool> BeforeHandling(redis::StreamConsumer& consumer, const redis::StreamEntry& entry);
  // After the handler failed with `error`. True when the entry was buried
  // (and acked); false when it stays pending for another try.
  absl::StatusOr<bool> AfterFailure(redis::StreamConsumer& consumer, const redis::StreamEntry& entry,
                                    const absl::Status& error);

  const DeadLetterOptions& options() const { return options_; }

 private:
  absl::Status Bury(const redis::StreamConsumer& consumer, const redis::StreamEntry& entry,
                    const std::string& error, int64_t deliveries);

  DeadLetterBox box_;
  const DeadLetterOptions options_;
};

}  // namespace telederm

#endif  // TELEDERM_COMMON_STREAM_WORKER_DEAD_LETTERS_H_
