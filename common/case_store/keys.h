#ifndef TELEDERM_COMMON_CASE_STORE_KEYS_H_
#define TELEDERM_COMMON_CASE_STORE_KEYS_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

// Every Redis key telederm uses, in one place (docs/REDIS.md describes them).
// The part in braces is the Redis Cluster hash tag: keys one script touches
// share it, so moving to a cluster needs configuration, not a rewrite.
namespace telederm::keys {

// Streams between the services, each with one consumer group.
inline constexpr char kIntakeStream[] = "stream:intake";     // group kTriageGroup
inline constexpr char kTriagedStream[] = "stream:triaged";   // group kReferralGroup
inline constexpr char kTriageGroup[] = "triage";
inline constexpr char kReferralGroup[] = "referral";

// HASH {v: version, pb: serialized telederm.v1.Case without its case_id}
// (SerializeCaseRecord / ParseCaseRecord in case_store.h).
inline std::string Case(absl::string_view case_id) { return absl::StrCat("case:{", case_id, "}"); }

// LIST of case ids, oldest first: the clinic's cases, for ListCases
// (services/intake/clinic_case_index.h).
inline std::string ClinicCaseList(absl::string_view clinic_id) {
  return absl::StrCat("clinic:{", clinic_id, "}:caselist");
}
// ZSET case id -> received time (ms): the clinic's cases in the older index
// layout; ListCases reads it after the list. Nothing writes it.
inline std::string ClinicCases(absl::string_view clinic_id) {
  return absl::StrCat("clinic:{", clinic_id, "}:cases");
}
// STREAM of the clinic's CaseEvents (field pb), read by WatchEvents.
inline std::string ClinicEvents(absl::string_view clinic_id) {
  return absl::StrCat("clinic:{", clinic_id, "}:events");
}
// HASH idempotency key -> "<case id><16 fingerprint bytes>": the clinic's
// SubmitCase idempotency keys claimed in `week` (whole weeks since the Unix
// epoch, UTC); expires 30 days after the week's end
// (services/intake/idempotency.h).
inline std::string ClinicIdempotencyWeek(absl::string_view clinic_id, int64_t week) {
  return absl::StrCat("clinic:{", clinic_id, "}:idemweek:", week);
}
// HASH of the 32 raw bytes of an image's SHA-256 -> "": the images the clinic
// uploaded itself in `week` (whole weeks since the Unix epoch, UTC); a clinic
// may name only those in a case or a message. Expires 60 days (the retention)
// after the week's end (services/intake/clinic_images.h).
inline std::string ClinicImagesWeek(absl::string_view clinic_id, int64_t week) {
  return absl::StrCat("clinic:{", clinic_id, "}:imgweek:", week);
}
// STRING "<case id><sha256>" per key, the older idempotency layout (30-day
// TTL): read until it expires; nothing writes it.
inline std::string ClinicIdempotency(absl::string_view clinic_id, absl::string_view key) {
  return absl::StrCat("clinic:{", clinic_id, "}:idem:", key);
}

// STREAM of the case's consult messages (field pb: telederm.v1.Message); the
// message id is the stream id. Same hash tag as the record.
inline std::string CaseThread(absl::string_view case_id) { return absl::StrCat("case:{", case_id, "}:thread"); }
// HASH side ("clinic" | "specialist") -> "<last read message id> <ms>": read receipts.
inline std::string CaseReads(absl::string_view case_id) { return absl::StrCat("case:{", case_id, "}:reads"); }

// SET of pool names that have ever held a case (the reaper walks them).
inline constexpr char kPools[] = "pools";
// ZSET case id -> due time (ms): the pool's specialist queue.
inline std::string PoolQueue(absl::string_view pool) { return absl::StrCat("pool:{", pool, "}:queue"); }
// ZSET case id -> lease expiry (ms): the pool's claimed cases.
inline std::string PoolLeases(absl::string_view pool) { return absl::StrCat("pool:{", pool, "}:leases"); }
// HASH case id -> "<fencing token> <specialist id>": who holds each claim.
inline std::string PoolClaims(absl::string_view pool) { return absl::StrCat("pool:{", pool, "}:claims"); }
// STRING counter: the pool's last fencing token.
inline std::string PoolFence(absl::string_view pool) { return absl::StrCat("pool:{", pool, "}:fence"); }
// HASH case id -> "<clinic id> <urgency number>": what the claim script needs
// for fairness between clinics.
inline std::string PoolCaseMeta(absl::string_view pool) { return absl::StrCat("pool:{", pool, "}:meta"); }
// HASH clinic id -> ms of its last claim in this pool: fairness between clinics.
inline std::string PoolServed(absl::string_view pool) { return absl::StrCat("pool:{", pool, "}:served"); }
// HASH case id -> due time (ms) already escalated: one escalation per due time.
inline std::string PoolEscalated(absl::string_view pool) { return absl::StrCat("pool:{", pool, "}:escalated"); }
// STREAM of the pool's QueueEvents (field pb), read by WatchQueue.
inline std::string PoolEvents(absl::string_view pool) { return absl::StrCat("pool:{", pool, "}:events"); }

// The directory of specialists, pools and clinics' routing attributes
// (AdminService). One hash tag: read and written as a whole, rarely.
// HASH specialist id -> serialized telederm.v1.SpecialistProfile.
inline constexpr char kDirectorySpecialists[] = "directory:{staff}:specialists";
// HASH pool name -> serialized telederm.v1.PoolProfile.
inline constexpr char kDirectoryPools[] = "directory:{staff}:pools";
// HASH clinic id -> serialized telederm.v1.ClinicProfile.
inline constexpr char kDirectoryClinics[] = "directory:{staff}:clinics";

// Screening performance from biopsy outcomes (services/referral/screening_tally.h),
// one hash tag: one script moves a case between counts.
// HASH case id -> the count (cell, services/referral/screening_cell.h) its outcome is in.
inline constexpr char kScreeningCases[] = "screening:{outcomes}:cases";
// HASH cell -> cases, and "reported" -> reports signed: over all days.
inline constexpr char kScreeningTotals[] = "screening:{outcomes}:all";
// The same for the cases received on one UTC day ("YYYY-MM-DD").
inline std::string ScreeningDay(absl::string_view day) { return absl::StrCat("screening:{outcomes}:day:", day); }
// ZSET day ("YYYY-MM-DD") -> days since the Unix epoch: the days that have counts.
inline constexpr char kScreeningDays[] = "screening:{outcomes}:days";

// Security (docs/SECURITY.md). ZSET token id -> expiry (ms): revoked bearer tokens.
inline constexpr char kRevokedTokens[] = "auth:{tokens}:revoked";
// HASH {tokens, ms}: a clinic's request token bucket (common/rate_limit).
inline std::string ClinicRateBucket(absl::string_view clinic_id) {
  return absl::StrCat("ratelimit:{", clinic_id, "}:bucket");
}
// The audit trail: append-only STREAMs, one hash tag so that one MULTI writes
// an entry to the log and both indexes. No code path deletes or trims them.
inline constexpr char kAuditLog[] = "audit:{log}";
inline std::string AuditByCase(absl::string_view case_id) { return absl::StrCat("audit:{log}:case:", case_id); }
inline std::string AuditByUser(absl::string_view subject) { return absl::StrCat("audit:{log}:user:", subject); }
// HASHes code -> word and word -> code: the audit log's dictionary of
// subjects, roles, scopes and actions. Written with HSETNX only: a code, once
// given, always means the same word.
inline constexpr char kAuditWords[] = "audit:{log}:words";
inline constexpr char kAuditCodes[] = "audit:{log}:codes";

}  // namespace telederm::keys

#endif  // TELEDERM_COMMON_CASE_STORE_KEYS_H_
