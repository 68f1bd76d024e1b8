#include "services/referral/queue_events.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/keys.h"
#include "tests/harness/redis_test.h"

namespace telederm::referral {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1790000000) + absl::Nanoseconds(123456789);

class QueueEventLogTest : public testing::RedisTest {
 protected:
  static v1::Case QueuedCase(const std::string& case_id, const std::string& pool) {
    v1::Case c;
    c.set_case_id(case_id);
    c.set_clinic_id("clinic-q");
    c.set_pool(pool);
    c.set_status(v1::CASE_STATUS_QUEUED);
    c.set_urgency(v1::URGENCY_URGENT);
    *c.mutable_received_at() = ToProtoTimestamp(kT0);
    *c.mutable_due_at() = ToProtoTimestamp(kT0 + absl::Hours(24));
    c.mutable_triage()->set_risk_score(0.8);
    c.mutable_submission()->set_type(v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
    return c;
  }

  // The stored fields of the pool's entry `id`.
  std::vector<std::string> StoredFields(const std::string& pool, const std::string& id) {
    auto stored = redis_->Command({"XRANGE", keys::PoolEvents(pool), id, id});
    EXPECT_TRUE(stored.ok()) << stored.status();
    std::vector<std::string> fields;
    if (!stored.ok() || stored->elements.size() != 1) return fields;
    for (const redis::Reply& field : stored->elements[0].elements[1].elements) fields.push_back(field.str);
    return fields;
  }

  // Appends `event` to the pool's log, reads the log's only event back, and
  // checks it equals `event` byte for byte (its event id aside, which the log
  // gives). Returns what was read.
  v1::QueueEvent AppendAndReadBackTheOnlyEvent(v1::QueueEvent event, const std::string& pool) {
    QueueEventLog log(redis_);
    EXPECT_TRUE(log.Append(event).ok());
    auto read = log.ReadAfter(pool, "0-0", 10, absl::ZeroDuration());
    EXPECT_TRUE(read.ok()) << read.status();
    if (!read.ok() || read->size() != 1) {
      ADD_FAILURE() << "expected exactly one event in " << pool;
      return {};
    }
    event.set_event_id((*read)[0].event_id());
    EXPECT_EQ((*read)[0].SerializeAsString(), event.SerializeAsString());
    return (*read)[0];
  }

  static size_t Count(const std::string& haystack, const std::string& needle) {
    size_t n = 0;
    for (size_t at = haystack.find(needle); at != std::string::npos; at = haystack.find(needle, at + 1)) ++n;
    return n;
  }
};

// A deployed Redis holds entries of the earlier layout (the whole event);
// they and the compact ones read back as the same events, byte for byte.
TEST_F(QueueEventLogTest, EventIsStoredWithoutRepeatingPoolAndCaseIdAndReadsBackWhole) {
  QueueEventLog log(redis_);
  v1::QueueEvent old_event =
      MakeQueueEvent(QueuedCase("c-old", "general"), "general", v1::QUEUE_EVENT_TYPE_QUEUED, "referral", kT0);
  ASSERT_TRUE(
      redis_->Command({"XADD", keys::PoolEvents("general"), "*", "pb", old_event.SerializeAsString()}).ok());
  v1::QueueEvent event = MakeQueueEvent(QueuedCase("c-01M8DT4X77Z9GVCQ8SARJSAE9V", "general"), "general",
                                        v1::QUEUE_EVENT_TYPE_CLAIMED, "dr-a", kT0 + absl::Seconds(1));
  auto id = log.Append(event);
  ASSERT_TRUE(id.ok()) << id.status();

  std::vector<std::string> fields = StoredFields("general", *id);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0], "pb");
  EXPECT_EQ(Count(fields[1], "general"), 0u);
  EXPECT_EQ(Count(fields[1], "c-01M8DT4X77Z9GVCQ8SARJSAE9V"), 1u);
  EXPECT_LT(fields[1].size(), event.SerializeAsString().size());

  auto read = log.ReadAfter("general", "0-0", 10, absl::ZeroDuration());
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 2u);
  old_event.set_event_id((*read)[0].event_id());
  EXPECT_EQ((*read)[0].SerializeAsString(), old_event.SerializeAsString());
  event.set_event_id(absl::StrCat("general/", *id));
  EXPECT_EQ((*read)[1].event_id(), event.event_id());
  EXPECT_EQ((*read)[1].SerializeAsString(), event.SerializeAsString());
  EXPECT_EQ((*read)[1].pool(), "general");
  EXPECT_EQ((*read)[1].case_id(), "c-01M8DT4X77Z9GVCQ8SARJSAE9V");
  EXPECT_EQ((*read)[1].entry().pool(), "general");
  EXPECT_EQ((*read)[1].actor(), "dr-a");
}

// A case that left this pool for another: its event in the old pool still
// says where the case went, and which pool the event is about.
TEST_F(QueueEventLogTest, EventOfACaseThatMovedToAnotherPoolKeepsBothPools) {
  const v1::QueueEvent read = AppendAndReadBackTheOnlyEvent(
      MakeQueueEvent(QueuedCase("c-moved", "oncology"), "general", v1::QUEUE_EVENT_TYPE_LEFT, "dr-b", kT0),
      "general");
  EXPECT_EQ(read.pool(), "general");
  EXPECT_EQ(read.entry().pool(), "oncology");
}

// What the compact layout could not restore exactly (a queue entry without a
// pool) is stored whole, and reads back as it was.
TEST_F(QueueEventLogTest, EventWhoseEntryHasNoPoolIsStoredWholeAndReadsBackAsItWas) {
  const v1::QueueEvent read = AppendAndReadBackTheOnlyEvent(
      MakeQueueEvent(QueuedCase("c-nopool", ""), "general", v1::QUEUE_EVENT_TYPE_LEFT, "x", kT0), "general");
  EXPECT_EQ(read.case_id(), "c-nopool");
  EXPECT_EQ(read.entry().pool(), "");
}

}  // namespace
}  // namespace telederm::referral
