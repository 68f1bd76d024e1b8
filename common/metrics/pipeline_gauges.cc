#include "common/metrics/pipeline_gauges.h"

#include <algorithm>
#include <map>

#include <prometheus/metric_family.h>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/case_store/keys.h"
#include "common/redis/script.h"
#include "common/stream_worker/dead_letters.h"
#include "common/metrics/gauge_family.h"
#include "common/metrics/lua/pool_gauges.lua.h"

namespace telederm::metrics {
namespace {

// The script, with its KEYS and ARGV: common/metrics/lua/pool_gauges.lua.
const redis::Script& PoolGaugesScript() {
  static const redis::Script* script = new redis::Script(std::string(lua::kPoolGauges));
  return *script;
}

// XINFO GROUPS answers, per group, a flat list of field name, value.
std::map<std::string, const redis::Reply*> Fields(const redis::Reply& group) {
  std::map<std::string, const redis::Reply*> fields;
  for (size_t i = 0; i + 1 < group.elements.size(); i += 2) {
    if (group.elements[i].IsString()) fields[group.elements[i].str] = &group.elements[i + 1];
  }
  return fields;
}

std::optional<double> Number(const redis::Reply* reply) {
  if (reply == nullptr) return std::nullopt;
  if (reply->IsInteger()) return static_cast<double>(reply->integer);
  double value = 0;
  if (reply->IsString() && absl::SimpleAtod(reply->str, &value)) return value;
  return std::nullopt;
}

const char* kTierNames[] = {"unspecified", "urgent", "soon", "routine"};

}  // namespace

PipelineGauges::PipelineGauges(std::shared_ptr<redis::Client> redis, ClockPtr clock, PipelineGaugeOptions options)
    : redis_(std::move(redis)), clock_(std::move(clock)), options_(std::move(options)) {}

std::vector<prometheus::MetricFamily> PipelineGauges::Collect() const {
  prometheus::MetricFamily ok =
      GaugeFamily("telederm_redis_scrape_ok", "1 when the gauges below could be read from Redis");
  auto failed = [&ok] {
    AddGauge(ok, {}, 0);
    return std::vector<prometheus::MetricFamily>{ok};
  };
  prometheus::MetricFamily length = GaugeFamily("telederm_stream_length", "Entries in the stream");
  prometheus::MetricFamily lag =
      GaugeFamily("telederm_stream_lag", "Entries of the stream not yet delivered to the group");
  prometheus::MetricFamily pending =
      GaugeFamily("telederm_stream_pending", "Entries delivered to a consumer of the group and not yet acknowledged");
  prometheus::MetricFamily dead =
      GaugeFamily("telederm_dead_letters", "Entries of the stream moved to its dead-letter stream");
  for (const std::string& stream : options_.streams) {
    absl::StatusOr<std::vector<absl::StatusOr<redis::Reply>>> replies = redis_->Pipeline(
        {{"XLEN", stream}, {"XINFO", "GROUPS", stream}, {"XLEN", DeadLetterStream(stream)}});
    if (!replies.ok()) return failed();
    if ((*replies)[0].ok()) AddGauge(length, {{"stream", stream}}, static_cast<double>((*replies)[0]->integer));
    // XINFO fails with "no such key" until the stream exists: nothing to report yet.
    if ((*replies)[1].ok() && (*replies)[1]->IsArray()) {
      for (const redis::Reply& group : (*replies)[1]->elements) {
        std::map<std::string, const redis::Reply*> fields = Fields(group);
        if (!fields.contains("name")) continue;
        std::vector<prometheus::ClientMetric::Label> labels{{"stream", stream}, {"group", fields["name"]->str}};
        if (auto n = Number(fields["pending"])) AddGauge(pending, labels, *n);
        // Redis leaves lag nil when it cannot tell (entries deleted past the group's position).
        if (auto n = Number(fields["lag"])) AddGauge(lag, labels, *n);
      }
    }
    if ((*replies)[2].ok()) AddGauge(dead, {{"stream", stream}}, static_cast<double>((*replies)[2]->integer));
  }
  std::vector<prometheus::MetricFamily> families;
  if (options_.queues) {
    absl::StatusOr<redis::Reply> pools = redis_->Command({"SMEMBERS", keys::kPools});
    if (!pools.ok()) return failed();
    prometheus::MetricFamily depth =
        GaugeFamily("telederm_queue_depth", "Cases waiting in the pool's queue, by urgency tier");
    prometheus::MetricFamily oldest =
        GaugeFamily("telederm_queue_oldest_due_timestamp_seconds", "Due time of the pool's earliest-due waiting case");
    prometheus::MetricFamily overdue = GaugeFamily("telederm_queue_overdue", "Waiting cases past their due time");
    prometheus::MetricFamily claims = GaugeFamily("telederm_claims_active", "Cases of the pool held by a specialist");
    const std::string now_ms = absl::StrCat(absl::ToUnixMillis(clock_->Now()));
    const std::string tier_limit = absl::StrCat(std::max(options_.tier_count_limit, 0));
    for (const redis::Reply& pool_reply : pools->elements) {
      const std::string& pool = pool_reply.str;
      absl::StatusOr<redis::Reply> r =
          redis_->Eval(PoolGaugesScript(), {keys::PoolQueue(pool), keys::PoolCaseMeta(pool), keys::PoolLeases(pool)},
                       {now_ms, tier_limit});
      if (!r.ok()) return failed();
      if (!r->IsArray() || r->elements.size() != 9) continue;
      auto at = [&](int i) { return static_cast<double>(r->elements[i].integer); };
      for (int tier = 0; tier < 4; ++tier) {
        // Leave out "unspecified" when empty: it only shows cases without meta.
        if (tier == 0 && at(3) == 0) continue;
        AddGauge(depth, {{"pool", pool}, {"tier", kTierNames[tier]}}, at(3 + tier));
      }
      // Present only when the queue is longer than the cases counted by tier.
      if (at(7) > 0) AddGauge(depth, {{"pool", pool}, {"tier", "not_counted"}}, at(7));
      if (at(1) >= 0) AddGauge(oldest, {{"pool", pool}}, at(1) / 1000.0);
      AddGauge(overdue, {{"pool", pool}}, at(2));
      AddGauge(claims, {{"pool", pool}}, at(8));
    }
    families = {depth, oldest, overdue, claims};
  }
  AddGauge(ok, {}, 1);
  families.insert(families.begin(), {ok, length, lag, pending, dead});
  return families;
}

}  // namespace telederm::metrics
