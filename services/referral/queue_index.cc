#include "services/referral/queue_index.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/keys.h"
#include "services/referral/lua/claim_head.lua.h"
#include "services/referral/lua/mark_escalated.lua.h"
#include "services/referral/lua/end_claim.lua.h"
#include "services/referral/lua/extend_lease.lua.h"
#include "services/referral/lua/drop_orphan_lease.lua.h"

namespace telederm::referral {
namespace {

// Candidates the claim script looks at for fairness.
constexpr int kFairnessCandidates = 64;

// The script, with its KEYS and ARGV: services/referral/lua/claim_head.lua.
const redis::Script& ClaimHeadScript() {
  static const redis::Script* script = new redis::Script(std::string(lua::kClaimHead));
  return *script;
}

// The script, with its KEYS and ARGV: services/referral/lua/mark_escalated.lua.
const redis::Script& MarkEscalatedScript() {
  static const redis::Script* script = new redis::Script(std::string(lua::kMarkEscalated));
  return *script;
}

// The script, with its KEYS and ARGV: services/referral/lua/end_claim.lua.
const redis::Script& EndClaimScript() {
  static const redis::Script* script = new redis::Script(std::string(lua::kEndClaim));
  return *script;
}

// The script, with its KEYS and ARGV: services/referral/lua/extend_lease.lua.
const redis::Script& ExtendLeaseScript() {
  static const redis::Script* script = new redis::Script(std::string(lua::kExtendLease));
  return *script;
}

// The script, with its KEYS and ARGV: services/referral/lua/drop_orphan_lease.lua.
const redis::Script& DropOrphanLeaseScript() {
  static const redis::Script* script = new redis::Script(std::string(lua::kDropOrphanLease));
  return *script;
}

std::string Millis(absl::Time t) { return absl::StrCat(absl::ToUnixMillis(t)); }

absl::Status Malformed(absl::string_view what, const redis::Reply& reply) {
  return absl::InternalError(absl::StrCat("unexpected reply to ", what, ": ", reply.DebugString()));
}

// [member, score, member, score, ...] -> cases.
absl::Status AppendWithScores(absl::string_view pool, const redis::Reply& reply, std::vector<QueuedCase>& out) {
  if (!reply.IsArray() || reply.elements.size() % 2 != 0) return Malformed("ZRANGE", reply);
  for (size_t i = 0; i < reply.elements.size(); i += 2) {
    double score = 0;
    if (!reply.elements[i].IsString() || !absl::SimpleAtod(reply.elements[i + 1].str, &score)) {
      return Malformed("ZRANGE", reply);
    }
    out.push_back({reply.elements[i].str, std::string(pool), absl::FromUnixMillis(static_cast<int64_t>(score))});
  }
  return absl::OkStatus();
}

}  // namespace

QueueIndex::QueueIndex(std::shared_ptr<redis::Client> redis) : redis_(std::move(redis)) {}

absl::StatusOr<bool> QueueIndex::Enqueue(const v1::Case& c) {
  // Keys of different hash slots, so a pipeline, not a script: `pools` only
  // ever grows and is harmless to have written alone, and the meta entry is
  // written before the queue entry the claim script reads it for.
  std::vector<std::vector<std::string>> commands = {RegisterPoolCommand(c.pool())};
  for (std::vector<std::string>& command : EntryCommands(c)) commands.push_back(std::move(command));
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis_->Pipeline(commands);
  if (!replies.ok()) return replies.status();
  for (const auto& reply : *replies) {
    if (!reply.ok()) return reply.status();
  }
  return replies->back()->integer == 1;
}

std::vector<std::string> QueueIndex::RegisterPoolCommand(absl::string_view pool) {
  return {"SADD", keys::kPools, std::string(pool)};
}

std::vector<std::vector<std::string>> QueueIndex::EntryCommands(const v1::Case& c) {
  const QueueMeta meta = MetaOf(c);
  return {
      {"HSET", keys::PoolCaseMeta(c.pool()), c.case_id(), absl::StrCat(meta.clinic_id, " ", meta.urgency)},
      {"ZADD", keys::PoolQueue(c.pool()), Millis(FromProtoTimestamp(c.due_at())), c.case_id()},
  };
}

QueueMeta QueueIndex::MetaOf(const v1::Case& c) { return QueueMeta{c.clinic_id(), static_cast<int>(c.urgency())}; }

absl::Status QueueIndex::Dequeue(absl::string_view pool, absl::string_view case_id) {
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis_->Pipeline({
      {"ZREM", keys::PoolQueue(pool), std::string(case_id)},
      {"HDEL", keys::PoolCaseMeta(pool), std::string(case_id)},
      {"HDEL", keys::PoolEscalated(pool), std::string(case_id)},
  });
  if (!replies.ok()) return replies.status();
  for (const auto& reply : *replies) {
    if (!reply.ok()) return reply.status();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<QueuedCase>> QueueIndex::Overdue(absl::string_view pool, absl::Time now, int limit) {
  absl::StatusOr<redis::Reply> reply =
      redis_->Command({"ZRANGEBYSCORE", keys::PoolQueue(pool), "-inf", absl::StrCat("(", Millis(now)), "WITHSCORES",
                       "LIMIT", "0", absl::StrCat(limit)});
  if (!reply.ok()) return reply.status();
  std::vector<QueuedCase> cases;
  if (absl::Status s = AppendWithScores(pool, *reply, cases); !s.ok()) return s;
  return cases;
}

absl::StatusOr<bool> QueueIndex::MarkEscalated(absl::string_view pool, absl::string_view case_id, absl::Time due) {
  absl::StatusOr<redis::Reply> reply =
      redis_->Eval(MarkEscalatedScript(), {keys::PoolEscalated(pool)}, {std::string(case_id), Millis(due)});
  if (!reply.ok()) return reply.status();
  return reply->integer == 1;
}

absl::StatusOr<std::vector<QueuedCase>> QueueIndex::Heads(const std::vector<std::string>& pools) {
  std::vector<std::vector<std::string>> commands;
  for (const std::string& pool : pools) commands.push_back({"ZRANGE", keys::PoolQueue(pool), "0", "0", "WITHSCORES"});
  absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis_->Pipeline(commands);
  if (!replies.ok()) return replies.status();
  std::vector<QueuedCase> heads;
  for (size_t i = 0; i < pools.size(); ++i) {
    if (!(*replies)[i].ok()) return (*replies)[i].status();
    if (absl::Status s = AppendWithScores(pools[i], *(*replies)[i], heads); !s.ok()) return s;
  }
  return heads;
}

absl::StatusOr<std::vector<QueuedCase>> QueueIndex::FirstInQueue(absl::string_view pool, int64_t limit) {
  std::vector<QueuedCase> cases;
  if (limit <= 0) return cases;
  absl::StatusOr<redis::Reply> reply =
      redis_->Command({"ZRANGE", keys::PoolQueue(pool), "0", absl::StrCat(limit - 1), "WITHSCORES"});
  if (!reply.ok()) return reply.status();
  if (absl::Status s = AppendWithScores(pool, *reply, cases); !s.ok()) return s;
  return cases;
}

absl::StatusOr<std::optional<IndexClaim>> QueueIndex::ClaimHead(absl::string_view pool,
                                                                absl::string_view specialist,
                                                                absl::Time lease_expires,
                                                                absl::Duration fairness_window) {
  absl::StatusOr<redis::Reply> reply =
      redis_->Eval(ClaimHeadScript(),
                   {keys::PoolQueue(pool), keys::PoolFence(pool), keys::PoolLeases(pool), keys::PoolClaims(pool),
                    keys::PoolCaseMeta(pool), keys::PoolServed(pool)},
                   {Millis(lease_expires), std::string(specialist),
                    absl::StrCat(absl::ToInt64Milliseconds(fairness_window)), absl::StrCat(kFairnessCandidates)});
  if (!reply.ok()) return reply.status();
  if (reply->IsNil()) return std::optional<IndexClaim>();
  double due = 0;
  std::optional<long long> token = reply->IsArray() && reply->elements.size() == 3
                                       ? reply->elements[2].AsOptionalInteger()
                                       : std::nullopt;
  if (!token.has_value() || !absl::SimpleAtod(reply->elements[1].str, &due)) return Malformed("claim", *reply);
  return std::optional<IndexClaim>(
      IndexClaim{reply->elements[0].str, absl::FromUnixMillis(static_cast<int64_t>(due)), *token});
}

absl::StatusOr<bool> QueueIndex::EndClaim(absl::string_view pool, absl::string_view case_id, int64_t token,
                                          std::optional<absl::Time> due) {
  absl::StatusOr<redis::Reply> reply =
      redis_->Eval(EndClaimScript(),
                   {keys::PoolClaims(pool), keys::PoolLeases(pool), keys::PoolQueue(pool), keys::PoolCaseMeta(pool),
                    keys::PoolEscalated(pool)},
                   {std::string(case_id), absl::StrCat(token), due.has_value() ? Millis(*due) : ""});
  if (!reply.ok()) return reply.status();
  return reply->integer == 1;
}

absl::StatusOr<bool> QueueIndex::ExtendLease(absl::string_view pool, absl::string_view case_id, int64_t token,
                                             absl::Time lease_expires) {
  absl::StatusOr<redis::Reply> reply =
      redis_->Eval(ExtendLeaseScript(), {keys::PoolClaims(pool), keys::PoolLeases(pool)},
                   {std::string(case_id), absl::StrCat(token), Millis(lease_expires)});
  if (!reply.ok()) return reply.status();
  return reply->integer == 1;
}

absl::StatusOr<std::vector<std::string>> QueueIndex::LapsedLeases(absl::string_view pool, absl::Time now,
                                                                  int limit) {
  absl::StatusOr<redis::Reply> reply =
      redis_->Command({"ZRANGEBYSCORE", keys::PoolLeases(pool), "-inf", absl::StrCat(absl::ToUnixMillis(now)),
                       "LIMIT", "0", absl::StrCat(limit)});
  if (!reply.ok()) return reply.status();
  if (!reply->IsArray()) return Malformed("ZRANGEBYSCORE", *reply);
  std::vector<std::string> ids;
  for (const redis::Reply& element : reply->elements) ids.push_back(element.str);
  return ids;
}

absl::StatusOr<std::optional<int64_t>> QueueIndex::ClaimToken(absl::string_view pool, absl::string_view case_id) {
  absl::StatusOr<redis::Reply> reply = redis_->Command({"HGET", keys::PoolClaims(pool), std::string(case_id)});
  if (!reply.ok()) return reply.status();
  if (reply->IsNil()) return std::optional<int64_t>();
  absl::string_view holder = reply->str;
  int64_t token = 0;
  if (!absl::SimpleAtoi(holder.substr(0, holder.find(' ')), &token)) return Malformed("HGET claims", *reply);
  return std::optional<int64_t>(token);
}

absl::Status QueueIndex::DropOrphanLease(absl::string_view pool, absl::string_view case_id) {
  return redis_->Eval(DropOrphanLeaseScript(), {keys::PoolClaims(pool), keys::PoolLeases(pool)},
                      {std::string(case_id)})
      .status();
}

absl::StatusOr<std::vector<std::string>> QueueIndex::Pools() {
  absl::StatusOr<redis::Reply> reply = redis_->Command({"SMEMBERS", keys::kPools});
  if (!reply.ok()) return reply.status();
  if (!reply->IsArray()) return Malformed("SMEMBERS", *reply);
  std::vector<std::string> pools;
  for (const redis::Reply& element : reply->elements) pools.push_back(element.str);
  return pools;
}

}  // namespace telederm::referral
