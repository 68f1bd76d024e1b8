#include "common/case_store/case_store.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "common/case_state/state_machine.h"
#include "common/case_state/timestamps.h"
#include "common/case_store/event_log.h"
#include "common/case_store/keys.h"
#include "common/ids/ids.h"
#include "tests/harness/redis_test.h"

namespace telederm {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

class CaseStoreTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
  }

  v1::Case NewCase(absl::string_view clinic) {
    v1::Case c;
    c.set_case_id(NewCaseId(kT0));
    c.set_clinic_id(std::string(clinic));
    c.set_status(v1::CASE_STATUS_RECEIVED);
    return c;
  }

};

TEST_F(CaseStoreTest, CreatedCaseReadsBackAsVersionOne) {
  CaseStore store(redis_);
  v1::Case c = NewCase("clinic-a");
  c.mutable_submission()->set_clinical_question("changing mole on the back");
  ASSERT_TRUE(store.Create(c).ok());
  auto read = store.Get(c.case_id());
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->version(), 1);
  EXPECT_EQ((*read)->submission().clinical_question(), "changing mole on the back");
}

// Memory per case (docs/REDIS.md): with redis.conf's hash-max-listpack-value
// the record stays a compact listpack, also after updates that grow it.
TEST_F(CaseStoreTest, RecordOfAQueuedCaseIsACompactListpack) {
  CaseStore store(redis_);
  v1::Case c = NewCase("clinic-a");
  c.mutable_submission()->set_clinical_question(std::string(700, 'q'));
  ASSERT_TRUE(store.Create(c).ok());
  auto updated = store.Update(c.case_id(), [](v1::Case& stored) -> absl::StatusOr<bool> {
    stored.mutable_triage()->set_not_screened_reason(std::string(300, 'r'));
    return true;
  });
  ASSERT_TRUE(updated.ok()) << updated.status();
  auto encoding = redis_->Command({"OBJECT", "ENCODING", keys::Case(c.case_id())});
  ASSERT_TRUE(encoding.ok()) << encoding.status();
  EXPECT_EQ(encoding->str, "listpack");
  auto read = store.Get(c.case_id());
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->version(), 2);
  EXPECT_EQ((*read)->triage().not_screened_reason(), std::string(300, 'r'));
}

TEST_F(CaseStoreTest, SecondCreateWithSameIdIsAlreadyExistsAndKeepsTheFirst) {
  CaseStore store(redis_);
  v1::Case c = NewCase("clinic-a");
  ASSERT_TRUE(store.Create(c).ok());
  v1::Case imposter = c;
  imposter.set_clinic_id("clinic-b");
  EXPECT_EQ(store.Create(imposter).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ((*store.Get(c.case_id()))->clinic_id(), "clinic-a");
}

TEST_F(CaseStoreTest, MissingCaseIsEmptyOnGetAndNotFoundOnUpdate) {
  CaseStore store(redis_);
  EXPECT_FALSE(store.Get(NewCaseId(kT0))->has_value());
  auto updated = store.Update(NewCaseId(kT0), [](v1::Case&) -> absl::StatusOr<bool> { return true; });
  EXPECT_EQ(updated.status().code(), absl::StatusCode::kNotFound);
}

TEST_F(CaseStoreTest, ConcurrentUpdatersLoseNoWrite) {
  CaseStore store(redis_);
  v1::Case c = NewCase("clinic-a");
  ASSERT_TRUE(store.Create(c).ok());
  constexpr int kThreads = 8, kUpdatesEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kUpdatesEach; ++i) {
        // ABORTED means "too much contention, try again" and changed nothing: a caller retries.
        absl::StatusOr<v1::Case> updated;
        do {
          updated = store.Update(c.case_id(), [&](v1::Case& record) -> absl::StatusOr<bool> {
            record.add_history()->set_actor(absl::StrCat("writer-", t));
            return true;
          });
        } while (absl::IsAborted(updated.status()));
        EXPECT_TRUE(updated.ok()) << updated.status();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  v1::Case stored = **store.Get(c.case_id());
  EXPECT_EQ(stored.history_size(), kThreads * kUpdatesEach);
  EXPECT_EQ(stored.version(), 1 + kThreads * kUpdatesEach);
}

TEST_F(CaseStoreTest, MutationThatChangesNothingWritesNothing) {
  CaseStore store(redis_);
  v1::Case c = NewCase("clinic-a");
  ASSERT_TRUE(store.Create(c).ok());
  auto same = store.Update(c.case_id(), [](v1::Case&) -> absl::StatusOr<bool> { return false; });
  ASSERT_TRUE(same.ok());
  EXPECT_EQ((*store.Get(c.case_id()))->version(), 1);
}

TEST_F(CaseStoreTest, IllegalTransitionInsideUpdateIsReturnedAndNotStored) {
  CaseStore store(redis_);
  v1::Case c = NewCase("clinic-a");
  ASSERT_TRUE(store.Create(c).ok());
  auto updated = store.Update(c.case_id(), [](v1::Case& record) -> absl::StatusOr<bool> {
    absl::Status s = TransitionCase(record, v1::CASE_STATUS_REPORTED, kT0, "specialist-1");
    if (!s.ok()) return s;
    return true;
  });
  EXPECT_EQ(updated.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ((*store.Get(c.case_id()))->status(), v1::CASE_STATUS_RECEIVED);
}

TEST_F(CaseStoreTest, UpdateFromAStaleCopyRereadsAndLosesNoWrite) {
  CaseStore store(redis_);
  v1::Case c = NewCase("clinic-a");
  ASSERT_TRUE(store.Create(c).ok());
  const v1::Case known = **store.Get(c.case_id());
  ASSERT_TRUE(store.Update(c.case_id(), [](v1::Case& record) -> absl::StatusOr<bool> {
    record.add_history()->set_actor("someone-else");
    return true;
  }).ok());
  int runs = 0;
  auto updated = store.UpdateFrom(known, [&](v1::Case& record) -> absl::StatusOr<bool> {
    ++runs;
    record.add_history()->set_actor("me");
    return true;
  });
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(runs, 2);  // once on the stale copy, whose write was refused, once on the fresh read
  v1::Case stored = **store.Get(c.case_id());
  ASSERT_EQ(stored.history_size(), 2);
  EXPECT_EQ(stored.history(0).actor(), "someone-else");
  EXPECT_EQ(stored.history(1).actor(), "me");
  EXPECT_EQ(stored.version(), 3);
  EXPECT_EQ(updated->version(), 3);
}

TEST_F(CaseStoreTest, UpdateFromACurrentCopyWritesOnceAndReturnsTheNextVersion) {
  CaseStore store(redis_);
  v1::Case c = NewCase("clinic-a");
  ASSERT_TRUE(store.Create(c).ok());
  auto updated = store.UpdateFrom(c, [](v1::Case& record) -> absl::StatusOr<bool> {
    record.add_history()->set_actor("me");
    return true;
  });
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->version(), 2);
  EXPECT_EQ((*store.Get(c.case_id()))->history_size(), 1);
}

TEST_F(CaseStoreTest, PipelinedCreateCommandStoresVersionOneOnlyOnce) {
  CaseStore store(redis_);
  v1::Case c = NewCase("clinic-a");
  auto first = redis_->Pipeline({CaseStore::CreateCommand(c)});
  ASSERT_TRUE(first.ok() && (*first)[0].ok());
  EXPECT_EQ((*first)[0]->integer, 1);
  EXPECT_EQ((*store.Get(c.case_id()))->version(), 1);
  v1::Case imposter = c;
  imposter.set_clinic_id("clinic-b");
  auto second = redis_->Pipeline({CaseStore::CreateCommand(imposter)});
  ASSERT_TRUE(second.ok() && (*second)[0].ok());
  EXPECT_EQ((*second)[0]->integer, 0);
  EXPECT_EQ((*store.Get(c.case_id()))->clinic_id(), "clinic-a");
}

// A case as intake stores it: received from its clinic, with that history.
v1::Case ReceivedCase(absl::string_view clinic) {
  v1::Case c;
  c.set_case_id(NewCaseId(kT0));
  c.set_clinic_id(std::string(clinic));
  *c.mutable_received_at() = ToProtoTimestamp(kT0 + absl::Nanoseconds(123456789));
  c.mutable_submission()->set_clinical_question("changing mole on the back");
  EXPECT_TRUE(TransitionCase(c, v1::CASE_STATUS_RECEIVED, kT0 + absl::Nanoseconds(123456789), clinic).ok());
  return c;
}

// Memory per case (docs/REDIS.md): the stored record leaves out its id (the
// key names it) and the first history entry (received_at and clinic_id say
// it all); every read puts them back.
TEST_F(CaseStoreTest, RecordIsStoredWithoutItsIdAndReceivedEntryAndReadsBackWhole) {
  CaseStore store(redis_);
  v1::Case c = ReceivedCase("clinic-a");
  const std::string whole = c.SerializeAsString();
  ASSERT_TRUE(store.Create(c).ok());
  ASSERT_EQ(c.history_size(), 1);  // the caller's copy is left whole
  EXPECT_EQ(c.history(0).actor(), "clinic-a");
  auto stored = redis_->Command({"HGET", keys::Case(c.case_id()), "pb"});
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->str.find(c.case_id()), std::string::npos);
  EXPECT_EQ(stored->str.find("clinic-a"), stored->str.rfind("clinic-a"));  // once: clinic_id only
  EXPECT_LE(stored->str.size() + 40, whole.size());
  auto read = store.Get(c.case_id());
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->SerializeAsString(), c.SerializeAsString());
  ASSERT_EQ((*read)->history_size(), 1);
  EXPECT_EQ((*read)->history(0).actor(), "clinic-a");

  auto updated = store.Update(c.case_id(), [](v1::Case& record) -> absl::StatusOr<bool> {
    if (absl::Status s = TransitionCase(record, v1::CASE_STATUS_SCREENING, kT0 + absl::Seconds(1), "triage");
        !s.ok()) {
      return s;
    }
    return true;
  });
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->case_id(), c.case_id());
  stored = redis_->Command({"HGET", keys::Case(c.case_id()), "pb"});
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->str.find(c.case_id()), std::string::npos);
  read = store.Get(c.case_id());
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->SerializeAsString(), updated->SerializeAsString());
  ASSERT_EQ((*read)->history_size(), 2);
  EXPECT_EQ((*read)->history(1).actor(), "triage");
}

// Only what the record says elsewhere is left out: a first entry with
// anything of its own (a note, another actor or time) is stored whole.
TEST_F(CaseStoreTest, FirstHistoryEntryThatSaysMoreIsStoredWhole) {
  CaseStore store(redis_);
  for (int variant = 0; variant < 3; ++variant) {
    v1::Case c = ReceivedCase("clinic-a");
    if (variant == 0) c.mutable_history(0)->set_note("sent by the nurse");
    if (variant == 1) c.mutable_history(0)->set_actor("clinic-b");
    if (variant == 2) c.mutable_history(0)->mutable_at()->set_nanos(1);
    ASSERT_TRUE(store.Create(c).ok());
    auto read = store.Get(c.case_id());
    ASSERT_TRUE(read.ok() && read->has_value());
    EXPECT_EQ((*read)->SerializeAsString(), c.SerializeAsString()) << variant;
  }
}

// Records of the older layout, with the id inside, read exactly the same, and
// the next update stores them without it.
TEST_F(CaseStoreTest, RecordOfTheEarlierLayoutReadsTheSameAndIsUpdatedInTheNewOne) {
  CaseStore store(redis_);
  v1::Case c = ReceivedCase("clinic-a");
  c.set_version(1);
  ASSERT_TRUE(redis_->Command({"HSET", keys::Case(c.case_id()), "v", "1", "pb", c.SerializeAsString()}).ok());
  auto read = store.Get(c.case_id());
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ((*read)->SerializeAsString(), c.SerializeAsString());
  auto parsed = ParseCaseRecord(c.case_id(), c.SerializeAsString());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->SerializeAsString(), c.SerializeAsString());

  auto updated = store.Update(c.case_id(), [](v1::Case& record) -> absl::StatusOr<bool> {
    record.set_pool("general");
    return true;
  });
  ASSERT_TRUE(updated.ok()) << updated.status();
  auto stored = redis_->Command({"HGET", keys::Case(c.case_id()), "pb"});
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->str.find(c.case_id()), std::string::npos);
  EXPECT_EQ((*store.Get(c.case_id()))->SerializeAsString(), updated->SerializeAsString());
}

TEST_F(CaseStoreTest, RecordThatDoesNotParseIsDataLossNamingTheCase) {
  auto parsed = ParseCaseRecord("c-1", std::string("\xff\xff\xff", 3));
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(parsed.status().message().find("c-1"), absl::string_view::npos);
}

TEST_F(CaseStoreTest, EventLogResumesAfterTheLastSeenEventAndKeepsClinicsApart) {
  EventLog log(redis_);
  v1::Case a = NewCase("clinic-a");
  v1::Case b = NewCase("clinic-b");
  std::vector<std::string> ids;
  for (v1::EventType type : {v1::EVENT_TYPE_RECEIVED, v1::EVENT_TYPE_QUEUED, v1::EVENT_TYPE_REPORTED}) {
    auto id = log.Append(MakeCaseEvent(a, type, kT0), absl::Now());
    ASSERT_TRUE(id.ok()) << id.status();
    ids.push_back(*id);
  }
  ASSERT_TRUE(log.Append(MakeCaseEvent(b, v1::EVENT_TYPE_RECEIVED, kT0), absl::Now()).ok());

  auto all = log.ReadAfter("clinic-a", "", 100, absl::ZeroDuration());
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  for (const auto& event : *all) EXPECT_EQ(event.clinic_id(), "clinic-a");

  auto rest = log.ReadAfter("clinic-a", ids[0], 100, absl::ZeroDuration());
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 2u);
  EXPECT_EQ((*rest)[0].event_id(), ids[1]);
  EXPECT_EQ((*rest)[1].type(), v1::EVENT_TYPE_REPORTED);
}

// Memory per case: an event is stored as one field holding the event without
// the clinic id the key already names; it reads back whole, and an event of
// the earlier layout (case_id field, clinic id in pb) reads the same.
TEST_F(CaseStoreTest, EventIsStoredWithoutRepeatingItsIdsAndReadsBackWhole) {
  EventLog log(redis_);
  v1::Case a = NewCase("clinic-a");
  a.set_urgency(v1::URGENCY_URGENT);
  a.set_status(v1::CASE_STATUS_QUEUED);
  v1::CaseEvent old_event = MakeCaseEvent(a, v1::EVENT_TYPE_RECEIVED, kT0);
  ASSERT_TRUE(redis_->Command({"XADD", keys::ClinicEvents("clinic-a"), "*", "case_id", a.case_id(), "pb",
                               old_event.SerializeAsString()})
                  .ok());
  v1::CaseEvent event = MakeCaseEvent(a, v1::EVENT_TYPE_QUEUED, kT0 + absl::Seconds(1));
  auto id = log.Append(event, absl::Now());
  ASSERT_TRUE(id.ok()) << id.status();

  auto stored = redis_->Command({"XRANGE", keys::ClinicEvents("clinic-a"), *id, *id});
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_EQ(stored->elements.size(), 1u);
  const redis::Reply& fields = stored->elements[0].elements[1];
  ASSERT_EQ(fields.elements.size(), 2u);
  EXPECT_EQ(fields.elements[0].str, "pb");
  EXPECT_EQ(fields.elements[1].str.find("clinic-a"), std::string::npos);

  auto read = log.ReadAfter("clinic-a", "", 10, absl::ZeroDuration());
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 2u);
  old_event.set_event_id((*read)[0].event_id());
  EXPECT_EQ((*read)[0].SerializeAsString(), old_event.SerializeAsString());
  event.set_event_id(*id);
  EXPECT_EQ((*read)[1].event_id(), *id);
  EXPECT_EQ((*read)[1].SerializeAsString(), event.SerializeAsString());
  EXPECT_EQ((*read)[1].clinic_id(), "clinic-a");
  EXPECT_EQ((*read)[1].case_id(), a.case_id());
  EXPECT_EQ((*read)[1].status(), v1::CASE_STATUS_QUEUED);
  EXPECT_EQ((*read)[1].urgency(), v1::URGENCY_URGENT);
}

TEST_F(CaseStoreTest, EventLogRefusesMalformedResumeTokenWithAHint) {
  EventLog log(redis_);
  auto read = log.ReadAfter("clinic-a", "yesterday", 10, absl::ZeroDuration());
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(read.status().message().find("event_id of the last event"), absl::string_view::npos);
}

}  // namespace
}  // namespace telederm
