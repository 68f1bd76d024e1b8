#include "services/referral/screening_tally.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/keys.h"
#include "common/redis/script.h"
#include "services/referral/screening_cell.h"
#include "services/referral/lua/count_outcome.lua.h"
#include "services/referral/lua/count_report.lua.h"

namespace telederm::referral {
namespace {

constexpr char kReportedField[] = "reported";

// The script, with its KEYS and ARGV: services/referral/lua/count_outcome.lua.
const redis::Script& CountOutcomeScript() {
  static const redis::Script* script = new redis::Script(std::string(lua::kCountOutcome));
  return *script;
}

// The script, with its KEYS and ARGV: services/referral/lua/count_report.lua.
const redis::Script& CountReportScript() {
  static const redis::Script* script = new redis::Script(std::string(lua::kCountReport));
  return *script;
}

absl::CivilDay ReceivedDay(const v1::Case& c) {
  return absl::ToCivilDay(FromProtoTimestamp(c.received_at()), absl::UTCTimeZone());
}

int64_t DayNumber(absl::CivilDay day) { return day - absl::CivilDay(1970, 1, 1); }

absl::StatusOr<std::optional<absl::CivilDay>> ParseDate(const char* field, const std::string& text) {
  if (text.empty()) return std::nullopt;
  absl::CivilDay day;
  if (text.size() != 10 || !absl::ParseCivilTime(text, &day) || absl::FormatCivilTime(day) != text) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be a date YYYY-MM-DD, got '", text, "'"));
  }
  return day;
}

// Adds a HGETALL reply to `counts`.
void AddHash(const redis::Reply& reply, ScreeningCounts& counts) {
  for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    std::optional<long long> n = reply.elements[i + 1].AsOptionalInteger();
    if (!n.has_value()) continue;
    if (reply.elements[i].str == kReportedField) {
      counts.reported += *n;
    } else {
      counts.cells[reply.elements[i].str] += *n;
    }
  }
}

}  // namespace

ScreeningTally::ScreeningTally(std::shared_ptr<redis::Client> redis) : redis_(std::move(redis)) {}

absl::Status ScreeningTally::CountReport(const v1::Case& c) {
  const absl::CivilDay day = ReceivedDay(c);
  const std::string date = absl::FormatCivilTime(day);
  return redis_
      ->Eval(CountReportScript(), {keys::kScreeningTotals, keys::ScreeningDay(date), keys::kScreeningDays},
             {date, absl::StrCat(DayNumber(day))})
      .status();
}

absl::Status ScreeningTally::CountOutcome(const v1::Case& c) {
  const absl::CivilDay day = ReceivedDay(c);
  const std::string date = absl::FormatCivilTime(day);
  return redis_
      ->Eval(CountOutcomeScript(),
             {keys::kScreeningCases, keys::kScreeningTotals, keys::ScreeningDay(date), keys::kScreeningDays},
             {c.case_id(), EncodeCell(CellOf(c)), date, absl::StrCat(DayNumber(day))})
      .status();
}

absl::StatusOr<ScreeningCounts> ScreeningTally::Totals() {
  absl::StatusOr<redis::Reply> all = redis_->Command({"HGETALL", keys::kScreeningTotals});
  if (!all.ok()) return all.status();
  ScreeningCounts counts;
  AddHash(*all, counts);
  return counts;
}

absl::StatusOr<v1::ScreeningReport> ScreeningTally::Report(const v1::ScreeningReportRequest& request) {
  absl::StatusOr<std::optional<absl::CivilDay>> from = ParseDate("from_date", request.from_date());
  if (!from.ok()) return from.status();
  absl::StatusOr<std::optional<absl::CivilDay>> to = ParseDate("to_date", request.to_date());
  if (!to.ok()) return to.status();
  if (from->has_value() && to->has_value() && **to < **from) {
    return absl::InvalidArgumentError(absl::StrCat("to_date: ", request.to_date(), " is before from_date ",
                                                   request.from_date()));
  }
  ScreeningCounts counts;
  if (!from->has_value() && !to->has_value()) {
    absl::StatusOr<ScreeningCounts> totals = Totals();
    if (!totals.ok()) return totals.status();
    counts = *std::move(totals);
  } else {
    const std::string min = from->has_value() ? absl::StrCat(DayNumber(**from)) : "-inf";
    const std::string max = to->has_value() ? absl::StrCat(DayNumber(**to)) : "+inf";
    absl::StatusOr<redis::Reply> days = redis_->Command({"ZRANGEBYSCORE", keys::kScreeningDays, min, max});
    if (!days.ok()) return days.status();
    std::vector<std::vector<std::string>> reads;
    for (const redis::Reply& day : days->elements) reads.push_back({"HGETALL", keys::ScreeningDay(day.str)});
    if (!reads.empty()) {
      auto replies = redis_->Pipeline(reads);
      if (!replies.ok()) return replies.status();
      for (const absl::StatusOr<redis::Reply>& reply : *replies) {
        if (!reply.ok()) return reply.status();
        AddHash(*reply, counts);
      }
    }
  }
  v1::ScreeningReport report = BuildScreeningReport(counts);
  report.set_from_date(request.from_date());
  report.set_to_date(request.to_date());
  return report;
}

}  // namespace telederm::referral
