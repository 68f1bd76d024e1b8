#include "services/triage/intake_stream_handler.h"

#include <atomic>
#include <filesystem>

#include <gtest/gtest.h>

#include "common/case_state/state_machine.h"
#include "common/case_store/case_store.h"
#include "common/case_store/keys.h"
#include "common/ids/ids.h"
#include "tests/harness/redis_test.h"
#include "tests/harness/temp_dir.h"

namespace telederm::triage {
namespace {

// Counts how often images are analysed, to prove redelivery does not re-screen.
class CountingAnalyzer final : public Analyzer {
 public:
  v1::AnalyzerInfo info() const override {
    v1::AnalyzerInfo info;
    info.set_name("counting");
    info.set_version("0");
    return info;
  }
  absl::StatusOr<ImageFinding> Analyze(absl::string_view, const v1::ImageRef&, double) const override {
    ++calls;
    return ImageFinding{.analysable = true, .risk = 0.9};
  }
  mutable std::atomic<int> calls{0};
};

class IntakeStreamHandlerTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    dir_ = *testing::MakeTempDir("triage-handler-test");
    blobs_ = *OpenDirectoryBlobStore(dir_);
    analyzer_ = std::make_shared<CountingAnalyzer>();
    clock_ = std::make_shared<SimulatedClock>(absl::FromUnixSeconds(1'800'000'000));
    handler_ = std::make_unique<IntakeStreamHandler>(redis_, std::make_shared<Screener>(analyzer_, blobs_, ScreeningOptions{}),
                                               clock_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string ReceivedCase() {
    auto writer = *blobs_->NewWriter();
    EXPECT_TRUE(writer->Append("pixels").ok());
    EXPECT_TRUE(writer->Commit(Sha256Hex("pixels")).ok());
    v1::Case c;
    c.set_case_id(NewCaseId(clock_->Now()));
    c.set_clinic_id("clinic-a");
    c.mutable_submission()->set_type(v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
    v1::ImageRef* image = c.mutable_submission()->add_images();
    image->set_sha256(Sha256Hex("pixels"));
    image->set_modality(v1::MODALITY_DERMOSCOPY);
    EXPECT_TRUE(TransitionCase(c, v1::CASE_STATUS_RECEIVED, clock_->Now(), "clinic-a").ok());
    EXPECT_TRUE(CaseStore(redis_).Create(c).ok());
    return c.case_id();
  }

  redis::StreamEntry EntryFor(const std::string& case_id) { return {"1-0", {{"case_id", case_id}}}; }

  v1::Case Stored(const std::string& case_id) { return **CaseStore(redis_).Get(case_id); }

  std::string dir_;
  BlobStorePtr blobs_;
  std::shared_ptr<CountingAnalyzer> analyzer_;
  std::shared_ptr<SimulatedClock> clock_;
  std::unique_ptr<IntakeStreamHandler> handler_;
};

TEST_F(IntakeStreamHandlerTest, ReceivedCaseIsScreenedAndHandedToReferral) {
  std::string id = ReceivedCase();
  ASSERT_TRUE(handler_->Handle(EntryFor(id)).ok());
  v1::Case c = Stored(id);
  EXPECT_EQ(c.status(), v1::CASE_STATUS_SCREENING);
  EXPECT_TRUE(c.triage().screened());
  EXPECT_EQ(c.triage().tier(), v1::URGENCY_URGENT);
  EXPECT_EQ(c.history(c.history_size() - 1).actor(), "triage");
  auto triaged = redis_->Command({"XRANGE", keys::kTriagedStream, "-", "+"});
  ASSERT_EQ(triaged->elements.size(), 1u);
  EXPECT_EQ(triaged->elements[0].elements[1].elements[1].str, id);
}

TEST_F(IntakeStreamHandlerTest, RedeliveredEntryIsNotScreenedTwice) {
  std::string id = ReceivedCase();
  ASSERT_TRUE(handler_->Handle(EntryFor(id)).ok());
  int64_t version = Stored(id).version();
  ASSERT_TRUE(handler_->Handle(EntryFor(id)).ok());
  EXPECT_EQ(analyzer_->calls.load(), 1);
  EXPECT_EQ(Stored(id).version(), version);
}

TEST_F(IntakeStreamHandlerTest, CaseAlreadyPastTriageIsLeftAlone) {
  std::string id = ReceivedCase();
  ASSERT_TRUE(handler_->Handle(EntryFor(id)).ok());
  ASSERT_TRUE(CaseStore(redis_)
                  .Update(id,
                          [&](v1::Case& c) -> absl::StatusOr<bool> {
                            absl::Status s = TransitionCase(c, v1::CASE_STATUS_QUEUED, clock_->Now(), "referral");
                            if (!s.ok()) return s;
                            return true;
                          })
                  .ok());
  int64_t version = Stored(id).version();
  ASSERT_TRUE(handler_->Handle(EntryFor(id)).ok());
  EXPECT_EQ(Stored(id).version(), version);
  EXPECT_EQ(redis_->Command({"XLEN", keys::kTriagedStream})->integer, 1);
}

TEST_F(IntakeStreamHandlerTest, CaseAnsweredWithNewImagesIsScreenedAgainWithEveryImage) {
  std::string id = ReceivedCase();
  ASSERT_TRUE(handler_->Handle(EntryFor(id)).ok());
  // Queued, claimed, a question, and the clinic's answer with a new image, as
  // intake stores it: NEEDS_INFO -> SCREENING, the image added, the old result
  // kept in earlier_triage and cleared.
  auto writer = *blobs_->NewWriter();
  ASSERT_TRUE(writer->Append("more pixels").ok());
  ASSERT_TRUE(writer->Commit(Sha256Hex("more pixels")).ok());
  ASSERT_TRUE(CaseStore(redis_)
                  .Update(id,
                          [&](v1::Case& c) -> absl::StatusOr<bool> {
                            for (v1::CaseStatus to : {v1::CASE_STATUS_QUEUED, v1::CASE_STATUS_CLAIMED,
                                                      v1::CASE_STATUS_NEEDS_INFO, v1::CASE_STATUS_SCREENING}) {
                              if (absl::Status s = TransitionCase(c, to, clock_->Now(), "test"); !s.ok()) return s;
                            }
                            v1::ImageRef* image = c.mutable_submission()->add_images();
                            image->set_sha256(Sha256Hex("more pixels"));
                            image->set_modality(v1::MODALITY_DERMOSCOPY);
                            *c.add_earlier_triage() = c.triage();
                            c.clear_triage();
                            return true;
                          })
                  .ok());
  ASSERT_EQ(analyzer_->calls.load(), 1);
  ASSERT_TRUE(handler_->Handle(EntryFor(id)).ok());
  v1::Case c = Stored(id);
  EXPECT_EQ(c.status(), v1::CASE_STATUS_SCREENING);
  EXPECT_TRUE(c.triage().has_screened_at());
  EXPECT_EQ(c.earlier_triage_size(), 1);
  EXPECT_EQ(analyzer_->calls.load(), 3);  // both images analysed again
  EXPECT_EQ(redis_->Command({"XLEN", keys::kTriagedStream})->integer, 2);
}

TEST_F(IntakeStreamHandlerTest, EntryForAnUnknownCaseIsDroppedWithoutError) {
  EXPECT_TRUE(handler_->Handle(EntryFor(NewCaseId(clock_->Now()))).ok());
  EXPECT_TRUE(handler_->Handle({"1-0", {{"case_id", "}{not-an-id"}}}).ok());
  EXPECT_EQ(redis_->Command({"XLEN", keys::kTriagedStream})->integer, 0);
}

TEST_F(IntakeStreamHandlerTest, RedisAwayIsAnErrorSoTheEntryStaysPending) {
  std::string id = ReceivedCase();
  ASSERT_TRUE(redis_server().Stop().ok());
  absl::Status handled = handler_->Handle(EntryFor(id));
  ASSERT_TRUE(redis_server().Restart().ok());
  EXPECT_EQ(handled.code(), absl::StatusCode::kUnavailable);
}

TEST_F(IntakeStreamHandlerTest, DeadLetteredCaseGoesToReferralUrgentAndNotScreenedOnce) {
  std::string id = ReceivedCase();
  ASSERT_TRUE(handler_->HandOverUnscreened(EntryFor(id), "INTERNAL: decoder crashed").ok());
  v1::Case c = Stored(id);
  EXPECT_EQ(c.status(), v1::CASE_STATUS_SCREENING);
  EXPECT_FALSE(c.triage().screened());
  EXPECT_EQ(c.triage().tier(), v1::URGENCY_URGENT);
  EXPECT_NE(c.triage().not_screened_reason().find("decoder crashed"), std::string::npos);
  EXPECT_EQ(analyzer_->calls.load(), 0);
  // The hook may run again (moving the entry failed): nothing changes twice.
  const int64_t version = c.version();
  ASSERT_TRUE(handler_->HandOverUnscreened(EntryFor(id), "INTERNAL: decoder crashed").ok());
  EXPECT_EQ(Stored(id).version(), version);
  EXPECT_EQ(redis_->Command({"XLEN", keys::kTriagedStream})->integer, 2);  // referral ignores the repeat
  // A case already screened is handed on as it is.
  std::string screened = ReceivedCase();
  ASSERT_TRUE(handler_->Handle(EntryFor(screened)).ok());
  ASSERT_TRUE(handler_->HandOverUnscreened(EntryFor(screened), "late").ok());
  EXPECT_TRUE(Stored(screened).triage().screened());
}

TEST_F(IntakeStreamHandlerTest, ABatchIsScreenedStoredOnceEachAndHandedOnInOrder) {
  std::string a = ReceivedCase();
  std::string b = ReceivedCase();
  const int64_t version = Stored(a).version();
  std::vector<absl::Status> handled = handler_->HandleBatch(
      {{"1-0", {{"case_id", a}}}, {"2-0", {{"case_id", "not-a-case-id"}}}, {"3-0", {{"case_id", b}}}});
  ASSERT_EQ(handled.size(), 3u);
  for (const absl::Status& s : handled) EXPECT_TRUE(s.ok()) << s;
  for (const std::string& id : {a, b}) {
    v1::Case c = Stored(id);
    EXPECT_EQ(c.status(), v1::CASE_STATUS_SCREENING);
    EXPECT_TRUE(c.triage().screened());
    EXPECT_EQ(c.triage().tier(), v1::URGENCY_URGENT);
    EXPECT_EQ(c.version(), version + 1);  // received -> screening and the result: one write
    EXPECT_EQ(c.history(c.history_size() - 1).to(), v1::CASE_STATUS_SCREENING);
  }
  auto triaged = redis_->Command({"XRANGE", keys::kTriagedStream, "-", "+"});
  ASSERT_EQ(triaged->elements.size(), 2u);
  EXPECT_EQ(triaged->elements[0].elements[1].elements[1].str, a);
  EXPECT_EQ(triaged->elements[1].elements[1].elements[1].str, b);
}

TEST_F(IntakeStreamHandlerTest, ARedeliveredBatchIsNotScreenedTwiceAndCasesPastTriageAreLeftAlone) {
  std::string screened = ReceivedCase();
  std::string queued = ReceivedCase();
  ASSERT_TRUE(handler_->Handle(EntryFor(screened)).ok());
  ASSERT_TRUE(handler_->Handle(EntryFor(queued)).ok());
  ASSERT_TRUE(CaseStore(redis_)
                  .Update(queued,
                          [&](v1::Case& c) -> absl::StatusOr<bool> {
                            absl::Status s = TransitionCase(c, v1::CASE_STATUS_QUEUED, clock_->Now(), "referral");
                            if (!s.ok()) return s;
                            return true;
                          })
                  .ok());
  const int64_t screened_version = Stored(screened).version();
  const int64_t queued_version = Stored(queued).version();
  std::vector<absl::Status> handled = handler_->HandleBatch({EntryFor(screened), EntryFor(queued)});
  for (const absl::Status& s : handled) EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(analyzer_->calls.load(), 2);
  EXPECT_EQ(Stored(screened).version(), screened_version);
  EXPECT_EQ(Stored(queued).version(), queued_version);
  EXPECT_EQ(Stored(queued).status(), v1::CASE_STATUS_QUEUED);
  EXPECT_EQ(redis_->Command({"XLEN", keys::kTriagedStream})->integer, 3);  // only the screened one again
}

TEST_F(IntakeStreamHandlerTest, ACaseWrittenByOthersDuringTheBatchIsDecidedAgainAndScreenedOnce) {
  std::string id = ReceivedCase();
  // Another triage consumer screens the case while this batch's screener runs.
  class RacingAnalyzer final : public Analyzer {
   public:
    RacingAnalyzer(IntakeStreamHandler* other, redis::StreamEntry entry) : other_(other), entry_(std::move(entry)) {}
    v1::AnalyzerInfo info() const override { return {}; }
    absl::StatusOr<ImageFinding> Analyze(absl::string_view, const v1::ImageRef&, double) const override {
      if (!raced_.exchange(true)) {
        EXPECT_TRUE(other_->Handle(entry_).ok());
      }
      return ImageFinding{.analysable = true, .risk = 0.1};
    }

   private:
    IntakeStreamHandler* other_;
    redis::StreamEntry entry_;
    mutable std::atomic<bool> raced_{false};
  };
  auto racing = std::make_shared<RacingAnalyzer>(handler_.get(), EntryFor(id));
  IntakeStreamHandler batch(redis_, std::make_shared<Screener>(racing, blobs_, ScreeningOptions{}), clock_);
  std::vector<absl::Status> handled = batch.HandleBatch({EntryFor(id)});
  ASSERT_EQ(handled.size(), 1u);
  EXPECT_TRUE(handled[0].ok()) << handled[0];
  v1::Case c = Stored(id);
  EXPECT_EQ(c.status(), v1::CASE_STATUS_SCREENING);
  EXPECT_EQ(c.triage().tier(), v1::URGENCY_URGENT);  // the other consumer's result (risk 0.9) stands
  EXPECT_EQ(analyzer_->calls.load(), 1);
  EXPECT_EQ(redis_->Command({"XLEN", keys::kTriagedStream})->integer, 2);  // both handed it on; referral ignores the repeat
}

TEST_F(IntakeStreamHandlerTest, ABatchWhileRedisIsAwayLeavesEveryEntryWithAnError) {
  std::string id = ReceivedCase();
  redis::ClientOptions nowhere;
  nowhere.endpoint.port = 1;  // nothing listens there
  IntakeStreamHandler away(redis::Client::Create(nowhere), std::make_shared<Screener>(analyzer_, blobs_, ScreeningOptions{}),
                     clock_);
  std::vector<absl::Status> handled = away.HandleBatch({EntryFor(id), EntryFor(id)});
  ASSERT_EQ(handled.size(), 2u);
  EXPECT_TRUE(absl::IsUnavailable(handled[0])) << handled[0];
  EXPECT_TRUE(absl::IsUnavailable(handled[1])) << handled[1];
}

}  // namespace
}  // namespace telederm::triage
