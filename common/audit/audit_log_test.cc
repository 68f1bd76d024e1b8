#include "common/audit/audit_log.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/case_store/keys.h"
#include "tests/harness/redis_test.h"
#include "tests/harness/wait.h"

namespace telederm::audit {
namespace {

class AuditLogTest : public testing::RedisTest {
 protected:
  AuditEntry Entry(std::string subject, std::vector<std::string> cases, std::string outcome = "OK") {
    AuditEntry e;
    e.at = absl::FromUnixMillis(1700000000000);
    e.subject = std::move(subject);
    e.role = "clinic";
    e.action = "IntakeService/GetCase";
    e.case_ids = std::move(cases);
    e.peer = "ipv4:127.0.0.1:5000";
    e.outcome = std::move(outcome);
    return e;
  }
};

TEST_F(AuditLogTest, EntryIsFoundByCaseAndByUserWithEveryField) {
  AuditLog log(redis_);
  AuditEntry e = Entry("clinic-a", {"c-1"}, "PERMISSION_DENIED");
  e.detail = "not your case";
  ASSERT_TRUE(log.Append(e).ok());

  auto by_case = log.ByCase("c-1", 10);
  ASSERT_TRUE(by_case.ok()) << by_case.status();
  ASSERT_EQ(by_case->size(), 1u);
  const AuditEntry& got = (*by_case)[0];
  EXPECT_EQ(got.subject, "clinic-a");
  EXPECT_EQ(got.role, "clinic");
  EXPECT_EQ(got.action, "IntakeService/GetCase");
  EXPECT_EQ(got.case_ids, std::vector<std::string>{"c-1"});
  EXPECT_EQ(got.peer, "ipv4:127.0.0.1:5000");
  EXPECT_EQ(got.outcome, "PERMISSION_DENIED");
  EXPECT_EQ(got.detail, "not your case");
  EXPECT_EQ(got.at, e.at);
  EXPECT_FALSE(got.id.empty());

  auto by_user = log.ByUser("clinic-a", 10);
  ASSERT_TRUE(by_user.ok());
  ASSERT_EQ(by_user->size(), 1u);
  EXPECT_EQ((*by_user)[0].id, got.id);
}

TEST_F(AuditLogTest, ListOfCasesIndexesEveryCase) {
  AuditLog log(redis_);
  ASSERT_TRUE(log.Append(Entry("clinic-a", {"c-1", "c-2", "c-3"})).ok());
  for (const char* c : {"c-1", "c-2", "c-3"}) {
    auto entries = log.ByCase(c, 10);
    ASSERT_TRUE(entries.ok());
    EXPECT_EQ(entries->size(), 1u) << c;
  }
  EXPECT_TRUE(log.ByCase("c-4", 10)->empty());
}

TEST_F(AuditLogTest, NewestFirstAndPagesWithBeforeId) {
  AuditLog log(redis_);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(log.Append(Entry("dr-x", {"c-9"}, absl::StrCat("n", i))).ok());
  auto first = log.ByUser("dr-x", 2);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].outcome, "n4");
  EXPECT_EQ((*first)[1].outcome, "n3");
  auto next = log.ByUser("dr-x", 10, (*first)[1].id);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 3u);
  EXPECT_EQ((*next)[0].outcome, "n2");
}

TEST_F(AuditLogTest, RefusalWithoutIdentityIsStoredUnderDash) {
  AuditLog log(redis_);
  AuditEntry e = Entry("", {}, "UNAUTHENTICATED");
  e.role = "";
  ASSERT_TRUE(log.Append(e).ok());
  auto entries = log.ByUser("-", 10);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].outcome, "UNAUTHENTICATED");
  EXPECT_TRUE((*entries)[0].case_ids.empty());
}

TEST_F(AuditLogTest, WriterAppendsInTheBackgroundAndFlushWaits) {
  auto log = std::make_shared<AuditLog>(redis_);
  AuditWriter writer(log);
  for (int i = 0; i < 20; ++i) writer.Write(Entry("clinic-b", {"c-5"}));
  writer.Flush();
  auto entries = log->ByCase("c-5", 100);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 20u);
  EXPECT_EQ(writer.dropped(), 0);
}

TEST_F(AuditLogTest, WritersOnManyThreadsLoseNoEntryAndKeepEachOnesOrder) {
  auto log = std::make_shared<AuditLog>(redis_);
  AuditWriter writer(log);
  constexpr int kThreads = 4, kEach = 150;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        AuditEntry e = Entry(absl::StrCat("device-", t), {absl::StrCat("c-", t)});
        e.detail = absl::StrCat(i);
        writer.Write(std::move(e));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  writer.Flush();
  EXPECT_EQ(writer.dropped(), 0);
  for (int t = 0; t < kThreads; ++t) {
    auto entries = log->ByUser(absl::StrCat("device-", t), 1000);
    ASSERT_TRUE(entries.ok()) << entries.status();
    ASSERT_EQ(entries->size(), static_cast<size_t>(kEach));
    for (int i = 0; i < kEach; ++i) {  // newest first: the last written comes first
      EXPECT_EQ((*entries)[i].detail, absl::StrCat(kEach - 1 - i));
      EXPECT_EQ((*entries)[i].case_ids, std::vector<std::string>{absl::StrCat("c-", t)});
    }
  }
}

TEST_F(AuditLogTest, AppendAllStoresEveryEntryEvenAfterRedisForgotItsScripts) {
  AuditLog log(redis_);
  ASSERT_TRUE(log.Append(Entry("clinic-c", {"c-7"})).ok());  // the script is cached now
  ASSERT_TRUE(redis_->Command({"SCRIPT", "FLUSH"}).ok());
  auto ids = log.AppendAll({Entry("clinic-c", {"c-7"}), Entry("clinic-c", {"c-8"}), Entry("clinic-c", {"c-7"})});
  ASSERT_TRUE(ids.ok()) << ids.status();
  ASSERT_EQ(ids->size(), 3u);
  for (const auto& id : *ids) EXPECT_TRUE(id.ok()) << id.status();
  auto seven = log.ByCase("c-7", 10);
  ASSERT_TRUE(seven.ok());
  ASSERT_EQ(seven->size(), 3u);
  EXPECT_EQ((*seven)[0].id, *(*ids)[2]);
  EXPECT_EQ((*seven)[1].id, *(*ids)[0]);
  auto eight = log.ByCase("c-8", 10);
  ASSERT_TRUE(eight.ok());
  ASSERT_EQ(eight->size(), 1u);
  EXPECT_EQ((*eight)[0].id, *(*ids)[1]);
}

TEST_F(AuditLogTest, BadPageSizeIsInvalidArgument) {
  AuditLog log(redis_);
  EXPECT_EQ(log.ByCase("c-1", 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log.ByCase("c-1", 1001).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(AuditLogTest, CasePagesWithBeforeIdNewestFirst) {
  AuditLog log(redis_);
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(log.Append(Entry("dr-y", {"c-7"}, absl::StrCat("n", i))).ok());
  auto first = log.ByCase("c-7", 2);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].outcome, "n299");
  EXPECT_EQ((*first)[1].outcome, "n298");
  // Deeper than one 2 KB chunk of the index: every entry once, in order,
  // whichever ids the chunks cut.
  auto deep = log.ByCase("c-7", 1000, (*first)[1].id);
  ASSERT_TRUE(deep.ok()) << deep.status();
  ASSERT_EQ(deep->size(), 298u);
  for (size_t i = 0; i < deep->size(); ++i) EXPECT_EQ((*deep)[i].outcome, absl::StrCat("n", 297 - i));
  // Pages of 7 from the newest walk all 300 without gaps or repeats.
  std::vector<std::string> walked;
  std::string before;
  for (int page = 0; page < 100; ++page) {
    auto entries = log.ByCase("c-7", 7, before);
    ASSERT_TRUE(entries.ok()) << entries.status();
    if (entries->empty()) break;
    for (const AuditEntry& e : *entries) walked.push_back(e.outcome);
    before = entries->back().id;
  }
  ASSERT_EQ(walked.size(), 300u);
  for (size_t i = 0; i < walked.size(); ++i) EXPECT_EQ(walked[i], absl::StrCat("n", 299 - i));
}

TEST_F(AuditLogTest, MalformedBeforeIdIsInvalidArgument) {
  AuditLog log(redis_);
  EXPECT_EQ(log.ByCase("c-1", 10, "not-an-id").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log.ByUser("dr-x", 10, "12-x").status().code(), absl::StatusCode::kInvalidArgument);
}

// The by-case index must cost little per case: a stream per case preallocates
// a 4 KB node, which was most of a case's Redis memory, and a list costs
// ~250 B for 3 ids. A string of ids costs ~150 B.
TEST_F(AuditLogTest, CaseIndexHoldsOnlyIdsAndStaysSmall) {
  AuditLog log(redis_);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<std::string> id = log.Append(Entry("clinic-a", {"c-01M8DGWEP1XFQR07M1Q0QAW0T9"}));
    ASSERT_TRUE(id.ok()) << id.status();
    ids.push_back(*id);
  }
  const std::string index = keys::AuditByCase("c-01M8DGWEP1XFQR07M1Q0QAW0T9");
  auto type = redis_->Command({"TYPE", index});
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(type->str, "string");
  auto content = redis_->Command({"GET", index});
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(content->str, absl::StrCat(absl::StrJoin(ids, " "), " "));
  auto bytes = redis_->Command({"MEMORY", "USAGE", index, "SAMPLES", "0"});
  ASSERT_TRUE(bytes.ok());
  EXPECT_LE(bytes->integer, 192) << "bytes of a case index with 3 entries";
  auto user_type = redis_->Command({"TYPE", keys::AuditByUser("clinic-a")});
  ASSERT_TRUE(user_type.ok());
  EXPECT_EQ(user_type->str, "stream");
  // The user's index entries carry the log's ids and no copy of the fields.
  auto log_ids = redis_->Command({"XRANGE", keys::kAuditLog, "-", "+"});
  auto user_ids = redis_->Command({"XRANGE", keys::AuditByUser("clinic-a"), "-", "+"});
  ASSERT_TRUE(log_ids.ok() && user_ids.ok());
  ASSERT_EQ(user_ids->elements.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(user_ids->elements[i].elements[0].str, log_ids->elements[i].elements[0].str);
    EXPECT_EQ(user_ids->elements[i].elements[1].elements.size(), 2u);
  }
}

// Indexes written by the earlier layout (full copies in a stream per case and
// per user) stay readable, and new entries for such a case are found with them.
TEST_F(AuditLogTest, IndexesOfTheEarlierLayoutStayReadable) {
  ASSERT_TRUE(redis_->Command({"XADD", keys::AuditByCase("c-old"), "*", "at", "1700000000000", "sub", "dr-old",
                               "role", "specialist", "scope", "general", "action", "ReferralService/GetCase",
                               "case", "c-old", "peer", "-", "outcome", "OK", "detail", "-"})
                  .ok());
  AuditLog log(redis_);
  ASSERT_TRUE(log.Append(Entry("clinic-a", {"c-old"}, "NEW")).ok());
  auto entries = log.ByCase("c-old", 10);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].outcome, "NEW");
  EXPECT_EQ((*entries)[0].subject, "clinic-a");
  EXPECT_EQ((*entries)[1].subject, "dr-old");
  EXPECT_EQ((*entries)[1].action, "ReferralService/GetCase");
}

// A case index in the older list layout (log ids) stays readable, new entries
// of that case are appended to it, and paging works across both.
TEST_F(AuditLogTest, ListIndexOfTheSecondLayoutStaysReadableAndGrows) {
  AuditLog log(redis_);
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<std::string> id = log.Append(Entry("clinic-a", {"c-other"}, absl::StrCat("old", i)));
    ASSERT_TRUE(id.ok()) << id.status();
    ids.push_back(*id);
  }
  // As the list layout holds them: the same ids, RPUSHed to a list.
  for (const std::string& id : ids) ASSERT_TRUE(redis_->Command({"RPUSH", keys::AuditByCase("c-list"), id}).ok());
  ASSERT_TRUE(log.Append(Entry("clinic-a", {"c-list"}, "new")).ok());
  auto type = redis_->Command({"TYPE", keys::AuditByCase("c-list")});
  ASSERT_TRUE(type.ok());
  EXPECT_EQ(type->str, "list");
  auto first = log.ByCase("c-list", 2);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].outcome, "new");
  EXPECT_EQ((*first)[1].outcome, "old2");
  auto rest = log.ByCase("c-list", 10, (*first)[1].id);
  ASSERT_TRUE(rest.ok()) << rest.status();
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ((*rest)[0].outcome, "old1");
  EXPECT_EQ((*rest)[1].outcome, "old0");
}

// Memory per case: an entry stores the time as its lag behind the entry id's
// time, and the subject, role, scope and action as codes of an append-only
// dictionary, given once per word; it reads back with every field exact.
TEST_F(AuditLogTest, EntryIsStoredCompactlyAndReadsBackExactly) {
  AuditLog log(redis_);
  AuditEntry e = Entry("device-of-clinic-a", {"c-1"});
  e.at = absl::FromUnixMillis(absl::ToUnixMillis(absl::Now()) - 1234);
  e.scope = "clinic-a";
  absl::StatusOr<std::string> first = log.Append(e);
  ASSERT_TRUE(first.ok()) << first.status();
  AuditEntry second_entry = e;
  second_entry.outcome = "NOT_FOUND";
  second_entry.detail = "no such case";
  ASSERT_TRUE(log.Append(second_entry).ok());

  auto raw = redis_->Command({"XRANGE", keys::kAuditLog, *first, *first});
  ASSERT_TRUE(raw.ok()) << raw.status();
  ASSERT_EQ(raw->elements.size(), 1u);
  const std::vector<redis::Reply>& fields = raw->elements[0].elements[1].elements;
  std::vector<std::string> names;
  for (size_t i = 0; i < fields.size(); i += 2) names.push_back(fields[i].str);
  EXPECT_EQ(names, (std::vector<std::string>{"lag_ms", "sub_code", "role_code", "scope_code", "action_code", "case",
                                             "peer", "outcome", "detail"}));
  const int64_t id_ms = std::stoll(first->substr(0, first->find('-')));
  EXPECT_EQ(fields[1].str, absl::StrCat(id_ms - absl::ToUnixMillis(e.at)));
  auto action = redis_->Command({"HGET", keys::kAuditWords, fields[9].str});
  ASSERT_TRUE(action.ok());
  EXPECT_EQ(action->str, "IntakeService/GetCase");
  // Four words, each given a code once, though two entries used them.
  EXPECT_EQ(redis_->Command({"HLEN", keys::kAuditWords})->integer, 4);
  EXPECT_EQ(redis_->Command({"HLEN", keys::kAuditCodes})->integer, 4);

  auto entries = log.ByCase("c-1", 10);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  const AuditEntry& got = (*entries)[1];
  EXPECT_EQ(got.id, *first);
  EXPECT_EQ(got.at, e.at);
  EXPECT_EQ(got.subject, "device-of-clinic-a");
  EXPECT_EQ(got.role, "clinic");
  EXPECT_EQ(got.scope, "clinic-a");
  EXPECT_EQ(got.action, "IntakeService/GetCase");
  EXPECT_EQ(got.case_ids, std::vector<std::string>{"c-1"});
  EXPECT_EQ(got.peer, "ipv4:127.0.0.1:5000");
  EXPECT_EQ(got.outcome, "OK");
  EXPECT_EQ((*entries)[0].outcome, "NOT_FOUND");
  EXPECT_EQ((*entries)[0].detail, "no such case");
  EXPECT_EQ((*entries)[0].scope, "clinic-a");
}

// Entries written in words (the earlier layouts) and compact ones read alike
// from one index, newest first.
TEST_F(AuditLogTest, EntriesInWordsAndCompactOnesReadAlike) {
  auto old_id = redis_->Command({"XADD", keys::kAuditLog, "*", "at", "1700000000000", "sub", "dr-old", "role",
                                 "specialist", "scope", "general", "action", "ReferralService/GetCase", "case",
                                 "c-mixed", "peer", "-", "outcome", "OK", "detail", "-"});
  ASSERT_TRUE(old_id.ok()) << old_id.status();
  ASSERT_TRUE(redis_->Command({"APPEND", keys::AuditByCase("c-mixed"), absl::StrCat(old_id->str, " ")}).ok());
  AuditLog log(redis_);
  ASSERT_TRUE(log.Append(Entry("clinic-a", {"c-mixed"}, "NEW")).ok());
  auto entries = log.ByCase("c-mixed", 10);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].outcome, "NEW");
  EXPECT_EQ((*entries)[0].subject, "clinic-a");
  EXPECT_EQ((*entries)[1].subject, "dr-old");
  EXPECT_EQ((*entries)[1].scope, "general");
  EXPECT_EQ((*entries)[1].at, absl::FromUnixMillis(1700000000000));
}

// A dictionary that disagrees with itself (a code taken by another word) is
// never trusted: the entry is written in words and reads back exactly.
TEST_F(AuditLogTest, DictionaryThatDisagreesWithItselfGetsTheEntryInWords) {
  ASSERT_TRUE(redis_->Command({"HSETNX", keys::kAuditCodes, "clinic-a", "1"}).ok());
  ASSERT_TRUE(redis_->Command({"HSETNX", keys::kAuditWords, "1", "somebody-else"}).ok());
  AuditLog log(redis_);
  absl::StatusOr<std::string> id = log.Append(Entry("clinic-a", {"c-1"}));
  ASSERT_TRUE(id.ok()) << id.status();
  auto raw = redis_->Command({"XRANGE", keys::kAuditLog, *id, *id});
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->elements[0].elements[1].elements[0].str, "at");
  auto entries = log.ByUser("clinic-a", 10);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].subject, "clinic-a");
  EXPECT_EQ((*entries)[0].at, absl::FromUnixMillis(1700000000000));
}

// The writer remembers the codes of the words it wrote, but only as a belief:
// after Redis lost the dictionary and another word took a remembered code, an
// entry still stores and reads back its own words.
TEST_F(AuditLogTest, RememberedCodeTakenByAnotherWordAfterDataLossIsNotUsed) {
  AuditLog log(redis_);
  ASSERT_TRUE(log.Append(Entry("clinic-a", {"c-1"})).ok());
  ASSERT_TRUE(redis_->Command({"FLUSHALL"}).ok());
  AuditLog other(redis_);
  ASSERT_TRUE(other.Append(Entry("clinic-b", {"c-2"})).ok());  // takes code 1, which `log` believes is clinic-a's

  absl::StatusOr<std::string> id = log.Append(Entry("clinic-a", {"c-3"}));
  ASSERT_TRUE(id.ok()) << id.status();
  auto mine = log.ByUser("clinic-a", 10);
  ASSERT_TRUE(mine.ok()) << mine.status();
  ASSERT_EQ(mine->size(), 1u);
  EXPECT_EQ((*mine)[0].id, *id);
  EXPECT_EQ((*mine)[0].subject, "clinic-a");
  EXPECT_EQ((*mine)[0].case_ids, std::vector<std::string>{"c-3"});
  auto by_case = log.ByCase("c-2", 10);
  ASSERT_TRUE(by_case.ok()) << by_case.status();
  ASSERT_EQ(by_case->size(), 1u);
  EXPECT_EQ((*by_case)[0].subject, "clinic-b");
}

// An entry after one whose id is ahead of Redis's clock gets that entry's
// time (the log's ids only grow) and still reads back its own exact time.
TEST_F(AuditLogTest, EntryAfterOneAheadOfTheClockKeepsItsExactTime) {
  const int64_t ahead = absl::ToUnixMillis(absl::Now()) + 3'600'000;
  ASSERT_TRUE(redis_->Command({"XADD", keys::kAuditLog, absl::StrCat(ahead, "-0"), "at", "1", "sub", "x", "role",
                               "-", "scope", "-", "action", "-", "case", "-", "peer", "-", "outcome", "OK",
                               "detail", "-"})
                  .ok());
  AuditLog log(redis_);
  AuditEntry e = Entry("clinic-a", {"c-1"});
  absl::StatusOr<std::string> id = log.Append(e);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_EQ(*id, absl::StrCat(ahead, "-1"));
  auto entries = log.ByCase("c-1", 10);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].at, e.at);
}

// A server stream's sent cases, gathered by the writer: one entry for the
// stream's messages, with every field, found by each case it names.
TEST_F(AuditLogTest, StreamedCasesAreGatheredIntoOneEntryThatEachCaseFinds) {
  auto log = std::make_shared<AuditLog>(redis_);
  AuditWriter writer(log, 10000, absl::Hours(1));
  AuditEntry header = Entry("device-w", {});
  header.action = "IntakeService/WatchEvents";
  header.scope = "clinic-w";
  const AuditWriter::StreamId stream = writer.OpenStream(header);
  const absl::Time first = absl::FromUnixMillis(1700000000123);
  writer.AddStreamCases(stream, {"c-1", "c-2"}, first);
  writer.AddStreamCases(stream, {"c-3"}, first + absl::Milliseconds(5));
  writer.AddStreamCases(stream, {"c-2"}, first + absl::Milliseconds(9));
  writer.CloseStream(stream);
  writer.Write(Entry("device-w", {}, "CANCELLED"));  // the call's end, after its cases
  writer.Flush();

  std::string id;
  for (const char* c : {"c-1", "c-2", "c-3"}) {
    auto entries = log->ByCase(c, 10);
    ASSERT_TRUE(entries.ok()) << entries.status();
    ASSERT_EQ(entries->size(), 1u) << c;
    const AuditEntry& got = (*entries)[0];
    EXPECT_EQ(got.case_ids, (std::vector<std::string>{"c-1", "c-2", "c-3"}));
    EXPECT_EQ(got.subject, "device-w");
    EXPECT_EQ(got.role, "clinic");
    EXPECT_EQ(got.scope, "clinic-w");
    EXPECT_EQ(got.peer, "ipv4:127.0.0.1:5000");
    EXPECT_EQ(got.action, "IntakeService/WatchEvents");
    EXPECT_EQ(got.outcome, "OK");
    EXPECT_EQ(got.at, first);
    if (id.empty()) id = got.id;
    EXPECT_EQ(got.id, id);
  }
  auto by_user = log->ByUser("device-w", 10);
  ASSERT_TRUE(by_user.ok());
  ASSERT_EQ(by_user->size(), 2u);
  EXPECT_EQ((*by_user)[0].outcome, "CANCELLED");
  EXPECT_EQ((*by_user)[1].id, id);
}

// An idle stream does not hold its entry back: the writer's thread writes it
// once `max_open` has passed since its first case, the stream still open; the
// next case starts a new entry, and nothing is written twice.
TEST_F(AuditLogTest, OpenStreamEntryIsWrittenAfterItsBoundWhileTheStreamStaysOpen) {
  auto log = std::make_shared<AuditLog>(redis_);
  AuditWriter writer(log, 10000, absl::Milliseconds(200));
  const AuditWriter::StreamId stream = writer.OpenStream(Entry("device-idle", {}));
  writer.AddStreamCases(stream, {"c-1"}, absl::Now());
  EXPECT_TRUE(testing::WaitUntil([&] { return log->ByCase("c-1", 10)->size() == 1; }, absl::Seconds(20)));
  writer.AddStreamCases(stream, {"c-2"}, absl::Now());
  EXPECT_TRUE(testing::WaitUntil([&] { return log->ByCase("c-2", 10)->size() == 1; }, absl::Seconds(20)));
  writer.CloseStream(stream);
  writer.Flush();
  auto entries = log->ByUser("device-idle", 10);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].case_ids, std::vector<std::string>{"c-2"});
  EXPECT_EQ((*entries)[1].case_ids, std::vector<std::string>{"c-1"});
}

// A stream that sends many cases writes an entry each kMaxCasesPerEntry
// cases without waiting for its bound; the rest goes at close.
TEST_F(AuditLogTest, StreamWritesAFullEntryEveryMaxCasesAndTheRestAtClose) {
  auto log = std::make_shared<AuditLog>(redis_);
  AuditWriter writer(log, 10000, absl::Hours(1));
  const AuditWriter::StreamId stream = writer.OpenStream(Entry("device-busy", {}));
  const size_t total = 2 * kMaxCasesPerEntry + 7;
  for (size_t i = 0; i < total; ++i) writer.AddStreamCases(stream, {absl::StrCat("c-", 10000 + i)}, absl::Now());
  EXPECT_TRUE(testing::WaitUntil([&] { return log->ByUser("device-busy", 10)->size() == 2; }, absl::Seconds(20)));
  writer.CloseStream(stream);
  writer.Flush();
  auto entries = log->ByUser("device-busy", 10);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].case_ids.size(), 7u);
  EXPECT_EQ((*entries)[1].case_ids.size(), kMaxCasesPerEntry);
  EXPECT_EQ((*entries)[2].case_ids.size(), kMaxCasesPerEntry);
  for (size_t i = 0; i < total; ++i) {
    ASSERT_EQ(log->ByCase(absl::StrCat("c-", 10000 + i), 10)->size(), 1u) << i;
  }
}

// Shutdown loses nothing: the destructor writes a stream's open entry.
TEST_F(AuditLogTest, WriterDestroyedWithAnOpenStreamWritesItsCases) {
  auto log = std::make_shared<AuditLog>(redis_);
  {
    AuditWriter writer(log, 10000, absl::Hours(1));
    const AuditWriter::StreamId stream = writer.OpenStream(Entry("device-down", {}));
    writer.AddStreamCases(stream, {"c-5", "c-6"}, absl::Now());
  }
  for (const char* c : {"c-5", "c-6"}) {
    auto entries = log->ByCase(c, 10);
    ASSERT_TRUE(entries.ok());
    ASSERT_EQ(entries->size(), 1u) << c;
    EXPECT_EQ((*entries)[0].subject, "device-down");
  }
}

}  // namespace
}  // namespace telederm::audit
