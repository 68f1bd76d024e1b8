#include "common/audit/audit_log.h"

#include <gtest/gtest.h>

#include "common/case_store/keys.h"
#include "tests/harness/redis_test.h"

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

TEST_F(AuditLogTest, BadPageSizeIsInvalidArgument) {
  AuditLog log(redis_);
  EXPECT_EQ(log.ByCase("c-1", 0).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(log.ByCase("c-1", 1001).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace telederm::audit
