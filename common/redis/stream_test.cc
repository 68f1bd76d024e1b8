#include "common/redis/stream.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/harness/redis_server.h"

namespace telederm::redis {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kStream[] = "stream:intake";
constexpr char kGroup[] = "triage";
// Longer than ClaimIdle's min_idle in these tests.
constexpr absl::Duration kMinIdle = absl::Milliseconds(50);
constexpr absl::Duration kPastMinIdle = absl::Milliseconds(70);

std::vector<std::string> Ids(const std::vector<StreamEntry>& entries) {
  std::vector<std::string> ids;
  for (const StreamEntry& e : entries) ids.push_back(e.id);
  return ids;
}

class StreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<telederm::testing::RedisServer>> server =
        telederm::testing::RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ClientOptions options;
    options.endpoint.port = server_->port();
    absl::StatusOr<std::shared_ptr<Client>> client = Client::Connect(options);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = *std::move(client);
  }

  std::unique_ptr<StreamConsumer> Consumer(const std::string& name) {
    return std::make_unique<StreamConsumer>(client_, kStream, kGroup, name);
  }

  std::string Append(const std::string& case_id) {
    absl::StatusOr<std::string> id =
        StreamAppend(*client_, kStream, {{"case_id", case_id}});
    EXPECT_TRUE(id.ok()) << id.status();
    return id.value_or("");
  }

  long long PendingCount() {
    absl::StatusOr<Reply> summary =
        client_->Command({"XPENDING", kStream, kGroup});
    EXPECT_TRUE(summary.ok()) << summary.status();
    return summary.ok() ? summary->elements.at(0).integer : -1;
  }

  std::unique_ptr<telederm::testing::RedisServer> server_;
  std::shared_ptr<Client> client_;
};

TEST_F(StreamTest, EntriesAppendedBeforeGroupExistsAreDelivered) {
  const std::string first = Append("case-1");
  const std::string second = Append("case-2");
  auto consumer = Consumer("triage-1");
  ASSERT_TRUE(consumer->EnsureGroup().ok());
  ASSERT_TRUE(consumer->EnsureGroup().ok());  // idempotent

  absl::StatusOr<std::vector<StreamEntry>> entries =
      consumer->ReadNew(10, absl::Milliseconds(100));
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_THAT(Ids(*entries), ElementsAre(first, second));
  EXPECT_EQ((*entries)[0].Field("case_id"), "case-1");
  EXPECT_EQ((*entries)[0].Field("missing"), std::nullopt);
}

TEST_F(StreamTest, ReadNewReturnsEmptyAfterBlockTimeout) {
  auto consumer = Consumer("triage-1");
  ASSERT_TRUE(consumer->EnsureGroup().ok());
  const absl::Time start = absl::Now();
  absl::StatusOr<std::vector<StreamEntry>> entries =
      consumer->ReadNew(10, absl::Milliseconds(100));
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_THAT(*entries, IsEmpty());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(95));

  // Zero block does not wait (BLOCK 0 would wait forever).
  entries = consumer->ReadNew(10, absl::ZeroDuration());
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_THAT(*entries, IsEmpty());
}

TEST_F(StreamTest, EntryAppendedWhileBlockedIsDelivered) {
  auto consumer = Consumer("triage-1");
  ASSERT_TRUE(consumer->EnsureGroup().ok());
  std::string id;
  std::thread producer([&] {
    absl::SleepFor(absl::Milliseconds(50));
    id = Append("case-late");
  });
  absl::StatusOr<std::vector<StreamEntry>> entries =
      consumer->ReadNew(10, absl::Seconds(5));
  producer.join();
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_THAT(Ids(*entries), ElementsAre(id));
}

TEST_F(StreamTest, UnackedEntryOfDeadConsumerIsClaimedAfterMinIdle) {
  auto a = Consumer("triage-a");
  auto b = Consumer("triage-b");
  ASSERT_TRUE(a->EnsureGroup().ok());
  const std::string id = Append("case-1");
  ASSERT_THAT(Ids(a->ReadNew(10, absl::Milliseconds(10)).value()),
              ElementsAre(id));
  // a "dies" without acking.

  absl::StatusOr<std::vector<StreamEntry>> too_soon = b->ClaimIdle(
      absl::Seconds(60), 10);
  ASSERT_TRUE(too_soon.ok()) << too_soon.status();
  EXPECT_THAT(*too_soon, IsEmpty());

  absl::SleepFor(kPastMinIdle);
  absl::StatusOr<std::vector<StreamEntry>> claimed = b->ClaimIdle(kMinIdle, 10);
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  ASSERT_THAT(Ids(*claimed), ElementsAre(id));
  EXPECT_EQ((*claimed)[0].Field("case_id"), "case-1");
  EXPECT_EQ(b->DeliveryCount(id).value(), 2);

  // Now it is b's: a's own pending list no longer has it.
  EXPECT_THAT(a->ReadOwnPending(10).value(), IsEmpty());
  EXPECT_THAT(Ids(b->ReadOwnPending(10).value()), ElementsAre(id));
}

TEST_F(StreamTest, RestartedConsumerReadsItsOwnUnackedEntries) {
  auto before_crash = Consumer("triage-1");
  ASSERT_TRUE(before_crash->EnsureGroup().ok());
  const std::string done = Append("case-done");
  const std::string unfinished = Append("case-unfinished");
  ASSERT_EQ(before_crash->ReadNew(10, absl::Milliseconds(10))->size(), 2u);
  ASSERT_TRUE(before_crash->Ack(done).ok());
  before_crash.reset();

  auto after_restart = Consumer("triage-1");
  ASSERT_TRUE(after_restart->EnsureGroup().ok());
  absl::StatusOr<std::vector<StreamEntry>> pending =
      after_restart->ReadOwnPending(10);
  ASSERT_TRUE(pending.ok()) << pending.status();
  ASSERT_THAT(Ids(*pending), ElementsAre(unfinished));
  EXPECT_EQ((*pending)[0].Field("case_id"), "case-unfinished");
  // New entries are a separate matter: none arrived.
  EXPECT_THAT(after_restart->ReadNew(10, absl::Milliseconds(10)).value(),
              IsEmpty());
}

TEST_F(StreamTest, ReadOwnPendingPagesAfterGivenId) {
  auto consumer = Consumer("triage-1");
  ASSERT_TRUE(consumer->EnsureGroup().ok());
  const std::string first = Append("case-1");
  const std::string second = Append("case-2");
  ASSERT_EQ(consumer->ReadNew(10, absl::Milliseconds(10))->size(), 2u);
  EXPECT_THAT(Ids(consumer->ReadOwnPending(1).value()), ElementsAre(first));
  EXPECT_THAT(Ids(consumer->ReadOwnPending(1, first).value()),
              ElementsAre(second));
  EXPECT_THAT(consumer->ReadOwnPending(1, second).value(), IsEmpty());
}

TEST_F(StreamTest, AckRemovesEntryFromPending) {
  auto consumer = Consumer("triage-1");
  ASSERT_TRUE(consumer->EnsureGroup().ok());
  const std::string id = Append("case-1");
  ASSERT_EQ(consumer->ReadNew(10, absl::Milliseconds(10))->size(), 1u);
  EXPECT_EQ(PendingCount(), 1);
  EXPECT_EQ(consumer->DeliveryCount(id).value(), 1);

  ASSERT_TRUE(consumer->Ack(id).ok());
  EXPECT_EQ(PendingCount(), 0);
  EXPECT_THAT(consumer->ReadOwnPending(10).value(), IsEmpty());
  EXPECT_EQ(consumer->DeliveryCount(id).value(), 0);
  EXPECT_TRUE(consumer->Ack(id).ok());  // acking twice is harmless

  absl::SleepFor(kPastMinIdle);
  EXPECT_THAT(Consumer("triage-2")->ClaimIdle(kMinIdle, 10).value(),
              IsEmpty());
}

TEST_F(StreamTest, DeliveryCountGrowsWithEachRedelivery) {
  auto a = Consumer("triage-a");
  auto b = Consumer("triage-b");
  ASSERT_TRUE(a->EnsureGroup().ok());
  const std::string id = Append("case-poison");
  ASSERT_EQ(a->ReadNew(10, absl::Milliseconds(10))->size(), 1u);
  EXPECT_EQ(a->DeliveryCount(id).value(), 1);

  ASSERT_EQ(a->ReadOwnPending(10)->size(), 1u);
  EXPECT_EQ(a->DeliveryCount(id).value(), 2);

  absl::SleepFor(kPastMinIdle);
  ASSERT_EQ(b->ClaimIdle(kMinIdle, 10)->size(), 1u);
  EXPECT_EQ(b->DeliveryCount(id).value(), 3);
}

TEST_F(StreamTest, EntryDeletedWhilePendingIsSkippedAndLeavesPending) {
  auto a = Consumer("triage-a");
  auto b = Consumer("triage-b");
  ASSERT_TRUE(a->EnsureGroup().ok());
  const std::string deleted = Append("case-deleted");
  const std::string kept = Append("case-kept");
  ASSERT_EQ(a->ReadNew(10, absl::Milliseconds(10))->size(), 2u);
  ASSERT_TRUE(client_->Command({"XDEL", kStream, deleted}).ok());

  absl::SleepFor(kPastMinIdle);
  absl::StatusOr<std::vector<StreamEntry>> claimed = b->ClaimIdle(kMinIdle, 10);
  ASSERT_TRUE(claimed.ok()) << claimed.status();
  EXPECT_THAT(Ids(*claimed), ElementsAre(kept));
  EXPECT_EQ(PendingCount(), 1);
}

TEST_F(StreamTest, OwnPendingEntryDeletedFromStreamIsSkippedAndAcked) {
  auto consumer = Consumer("triage-1");
  ASSERT_TRUE(consumer->EnsureGroup().ok());
  const std::string deleted = Append("case-deleted");
  const std::string kept = Append("case-kept");
  ASSERT_EQ(consumer->ReadNew(10, absl::Milliseconds(10))->size(), 2u);
  ASSERT_TRUE(client_->Command({"XDEL", kStream, deleted}).ok());

  absl::StatusOr<std::vector<StreamEntry>> pending =
      consumer->ReadOwnPending(10);
  ASSERT_TRUE(pending.ok()) << pending.status();
  EXPECT_THAT(Ids(*pending), ElementsAre(kept));
  EXPECT_EQ(PendingCount(), 1);
}

TEST_F(StreamTest, ReadNewRecreatesGroupWhenStreamWasDeleted) {
  auto consumer = Consumer("triage-1");
  ASSERT_TRUE(consumer->EnsureGroup().ok());
  ASSERT_TRUE(client_->Command({"DEL", kStream}).ok());

  absl::StatusOr<std::vector<StreamEntry>> entries =
      consumer->ReadNew(10, absl::Milliseconds(10));
  ASSERT_TRUE(entries.ok()) << entries.status();
  EXPECT_THAT(*entries, IsEmpty());
  const std::string id = Append("case-1");
  EXPECT_THAT(Ids(consumer->ReadNew(10, absl::Milliseconds(10)).value()),
              ElementsAre(id));
}

TEST_F(StreamTest, AppendCommandWorksInsidePipeline) {
  absl::StatusOr<std::vector<absl::StatusOr<Reply>>> replies =
      client_->Pipeline({StreamAppendCommand(kStream, {{"case_id", "c1"}}),
                         StreamAppendCommand(kStream, {{"case_id", "c2"}}),
                         {"XLEN", kStream}});
  ASSERT_TRUE(replies.ok()) << replies.status();
  EXPECT_TRUE((*replies)[0]->IsString());
  EXPECT_EQ((*replies)[2]->integer, 2);
  EXPECT_EQ(StreamAppend(*client_, kStream, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(StreamTest, ConsumerSurvivesRedisRestartWithAppendOnlyData) {
  auto consumer = Consumer("triage-1");
  ASSERT_TRUE(consumer->EnsureGroup().ok());
  const std::string id = Append("case-1");
  ASSERT_EQ(consumer->ReadNew(10, absl::Milliseconds(10))->size(), 1u);
  ASSERT_TRUE(server_->Kill().ok());
  EXPECT_EQ(consumer->ReadNew(10, absl::Milliseconds(10)).status().code(),
            absl::StatusCode::kUnavailable);
  ASSERT_TRUE(server_->Restart().ok());
  // The client backs off after the outage and must come back on its own.
  absl::StatusOr<std::vector<StreamEntry>> pending;
  for (absl::Time deadline = absl::Now() + absl::Seconds(5); absl::Now() < deadline;
       absl::SleepFor(absl::Milliseconds(20))) {
    pending = consumer->ReadOwnPending(10);
    if (pending.ok()) break;
  }
  ASSERT_TRUE(pending.ok()) << pending.status();
  // The unacked entry is still pending on this consumer after the crash.
  EXPECT_THAT(Ids(*pending), ElementsAre(id));
}

TEST_F(StreamTest, TrimRemovesWhatEveryGroupAckedAndKeepsPendingAndUndeliveredEntries) {
  auto triage = Consumer("triage-1");
  auto audit = std::make_unique<StreamConsumer>(client_, kStream, "audit", "audit-1");
  ASSERT_TRUE(triage->EnsureGroup().ok());
  ASSERT_TRUE(audit->EnsureGroup().ok());
  const std::string acked_by_both = Append("case-1");
  const std::string pending_in_audit = Append("case-2");
  const std::string pending_in_triage = Append("case-3");
  const std::string undelivered_to_audit = Append("case-4");
  const std::string undelivered = Append("case-5");

  // triage: reads 1..4, acks all but 3. audit: reads 1..2, acks 1.
  ASSERT_EQ(triage->ReadNew(4, absl::ZeroDuration())->size(), 4u);
  ASSERT_TRUE(triage->AckAll({acked_by_both, pending_in_audit, undelivered_to_audit}).ok());
  ASSERT_EQ(audit->ReadNew(2, absl::ZeroDuration())->size(), 2u);
  ASSERT_TRUE(audit->Ack(acked_by_both).ok());

  absl::StatusOr<long long> trimmed = triage->TrimAcknowledged();
  ASSERT_TRUE(trimmed.ok()) << trimmed.status();
  EXPECT_EQ(*trimmed, 1);
  auto left = client_->Command({"XRANGE", kStream, "-", "+"});
  ASSERT_TRUE(left.ok());
  std::vector<std::string> ids;
  for (const Reply& entry : left->elements) ids.push_back(entry.elements[0].str);
  EXPECT_THAT(ids, ElementsAre(pending_in_audit, pending_in_triage, undelivered_to_audit, undelivered));

  // Once audit acks 2 and triage acks 3, everything up to triage's last delivery goes; 5 was never delivered.
  ASSERT_TRUE(audit->Ack(pending_in_audit).ok());
  ASSERT_EQ(audit->ReadNew(10, absl::ZeroDuration())->size(), 3u);
  ASSERT_TRUE(audit->AckAll({pending_in_triage, undelivered_to_audit, undelivered}).ok());
  ASSERT_TRUE(triage->Ack(pending_in_triage).ok());
  EXPECT_EQ(*triage->TrimAcknowledged(), 3);
  left = client_->Command({"XRANGE", kStream, "-", "+"});
  ASSERT_EQ(left->elements.size(), 1u);
  EXPECT_EQ(left->elements[0].elements[0].str, undelivered);
  // The pending entries' consumers still read them after a trim.
  EXPECT_THAT(triage->ReadOwnPending(10).value(), IsEmpty());
  EXPECT_EQ(triage->ReadNew(10, absl::ZeroDuration())->size(), 1u);
}

TEST_F(StreamTest, TrimLeavesAStreamWithoutGroupsOrWithoutAStreamAlone) {
  auto consumer = Consumer("triage-1");
  EXPECT_EQ(*consumer->TrimAcknowledged(), 0);  // no stream
  Append("case-1");
  EXPECT_EQ(*consumer->TrimAcknowledged(), 0);  // nobody reads it yet
  EXPECT_EQ(client_->Command({"XLEN", kStream})->integer, 1);
}

TEST(ParseStreamIdTest, TakesTheIdsRedisGivesAndNothingElse) {
  EXPECT_EQ(ParseStreamId("1700000000000-0"), std::make_pair(uint64_t{1700000000000}, uint64_t{0}));
  EXPECT_EQ(ParseStreamId("0-1"), std::make_pair(uint64_t{0}, uint64_t{1}));
  EXPECT_EQ(ParseStreamId("18446744073709551615-18446744073709551615"),
            std::make_pair(UINT64_MAX, UINT64_MAX));
  for (const char* not_an_id : {"", "1700000000000", "1-", "-1", "1-0-0", "+1-0", " 1-0", "1-+0", "1-0 ", "1x-0",
                                "18446744073709551616-0", "1-18446744073709551616"}) {
    EXPECT_EQ(ParseStreamId(not_an_id), std::nullopt) << "'" << not_an_id << "'";
  }
}

}  // namespace
}  // namespace telederm::redis
