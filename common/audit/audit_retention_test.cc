#include "common/audit/audit_retention.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/case_store/keys.h"
#include "tests/harness/redis_test.h"
#include "tests/harness/temp_dir.h"

namespace telederm::audit {
namespace {

namespace fs = std::filesystem;

int64_t MillisOf(const std::string& id) {
  int64_t ms = 0;
  EXPECT_TRUE(absl::SimpleAtoi(id.substr(0, id.find('-')), &ms)) << id;
  return ms;
}

class AuditRetentionTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    dir_ = *testing::MakeTempDir("telederm-audit-archive");
  }
  void TearDown() override { fs::remove_all(dir_); }

  AuditEntry Entry(const std::string& subject, const std::string& case_id) {
    AuditEntry e;
    e.at = absl::Now();
    e.subject = subject;
    e.role = "clinic";
    e.scope = "clinic-a";
    e.action = "IntakeService/GetCase";
    e.case_ids = {case_id};
    e.peer = "ipv4:127.0.0.1:5000";
    e.outcome = "OK";
    return e;
  }

  std::vector<std::string> LogIds(const std::string& key) {
    std::vector<std::string> ids;
    absl::StatusOr<redis::Reply> rows = redis_->Command({"XRANGE", key, "-", "+"});
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (rows.ok()) {
      for (const redis::Reply& row : rows->elements) ids.push_back(row.elements[0].str);
    }
    return ids;
  }

  std::vector<nlohmann::json> Archived() {
    std::vector<nlohmann::json> lines;
    for (const fs::directory_entry& file : fs::directory_iterator(dir_)) {
      std::ifstream in(file.path());
      for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
    }
    return lines;
  }

  std::string dir_;
};

TEST_F(AuditRetentionTest, EntriesOlderThanTheRetentionAreArchivedThenRemovedRecentOnesStay) {
  AuditLog log(redis_);
  std::vector<std::string> old_ids;
  for (int i = 0; i < 5; ++i) old_ids.push_back(*log.Append(Entry("old-tablet", absl::StrCat("c-old-", i))));
  // Recent entries: appended until one lands in a later millisecond than the
  // old ones (Redis gives the ids their time), so a cut-off can part them.
  std::vector<std::string> recent_ids;
  for (int i = 0; i < 100000 && (recent_ids.empty() || MillisOf(recent_ids.back()) <= MillisOf(old_ids.back()));
       ++i) {
    recent_ids.push_back(*log.Append(Entry("new-tablet", "c-new")));
  }
  ASSERT_GT(MillisOf(recent_ids.back()), MillisOf(old_ids.back()));
  // Entries of the same millisecond as the last old one count as old too.
  std::vector<std::string> stay = {recent_ids.back()};
  for (const std::string& id : recent_ids) {
    if (id != recent_ids.back()) old_ids.push_back(id);
  }
  const absl::Time cutoff = absl::FromUnixMillis(MillisOf(recent_ids.back()));
  auto clock = std::make_shared<SimulatedClock>(cutoff + absl::Hours(24 * 400));
  auto retention = AuditRetention::Create(redis_, clock, {.keep = absl::Hours(24 * 400), .archive_dir = dir_, .batch = 2});
  ASSERT_TRUE(retention.ok()) << retention.status();

  absl::StatusOr<AuditRetention::Pass> pass = (*retention)->TrimOnce();
  ASSERT_TRUE(pass.ok()) << pass.status();
  EXPECT_EQ(pass->archived, static_cast<int64_t>(old_ids.size()));
  EXPECT_EQ(LogIds(keys::kAuditLog), stay);
  EXPECT_TRUE(LogIds(keys::AuditByUser("old-tablet")).empty());
  EXPECT_EQ(LogIds(keys::AuditByUser("new-tablet")), stay);
  EXPECT_EQ(pass->user_indexes, 2);

  // The archive holds each removed entry once, oldest first, in words.
  std::vector<nlohmann::json> archived = Archived();
  ASSERT_EQ(archived.size(), old_ids.size());
  for (size_t i = 0; i < archived.size(); ++i) EXPECT_EQ(archived[i]["id"], old_ids[i]) << i;
  EXPECT_EQ(archived[0]["subject"], "old-tablet");
  EXPECT_EQ(archived[0]["role"], "clinic");
  EXPECT_EQ(archived[0]["scope"], "clinic-a");
  EXPECT_EQ(archived[0]["action"], "IntakeService/GetCase");
  EXPECT_EQ(archived[0]["cases"], nlohmann::json::array({"c-old-0"}));
  EXPECT_EQ(archived[0]["outcome"], "OK");
  EXPECT_EQ(archived[0]["peer"], "ipv4:127.0.0.1:5000");
  EXPECT_EQ(fs::path(pass->archive_file).filename().string().rfind("audit-", 0), 0u) << pass->archive_file;

  // The recent entry is still found through its user; a second pass has nothing to do.
  auto by_user = log.ByUser("new-tablet", 10);
  ASSERT_TRUE(by_user.ok()) << by_user.status();
  ASSERT_EQ(by_user->size(), 1u);
  EXPECT_EQ((*by_user)[0].id, stay[0]);
  pass = (*retention)->TrimOnce();
  ASSERT_TRUE(pass.ok()) << pass.status();
  EXPECT_EQ(pass->archived, 0);
  EXPECT_EQ(Archived().size(), old_ids.size());
}

TEST_F(AuditRetentionTest, ZeroRetentionKeepsEverything) {
  AuditLog log(redis_);
  ASSERT_TRUE(log.Append(Entry("tablet", "c-1")).ok());
  auto clock = std::make_shared<SimulatedClock>(absl::Now() + absl::Hours(24 * 365 * 50));
  auto retention = AuditRetention::Create(redis_, clock, {.keep = absl::ZeroDuration(), .archive_dir = ""});
  ASSERT_TRUE(retention.ok()) << retention.status();
  absl::StatusOr<AuditRetention::Pass> pass = (*retention)->TrimOnce();
  ASSERT_TRUE(pass.ok()) << pass.status();
  EXPECT_EQ(pass->archived, 0);
  EXPECT_EQ(LogIds(keys::kAuditLog).size(), 1u);
}

TEST_F(AuditRetentionTest, ArchiveThatCannotBeWrittenRemovesNothing) {
  AuditLog log(redis_);
  ASSERT_TRUE(log.Append(Entry("tablet", "c-1")).ok());
  auto clock = std::make_shared<SimulatedClock>(absl::Now() + absl::Hours(24 * 10));
  auto retention = AuditRetention::Create(redis_, clock, {.keep = absl::Hours(24), .archive_dir = dir_});
  ASSERT_TRUE(retention.ok()) << retention.status();
  fs::remove_all(dir_);
  absl::StatusOr<AuditRetention::Pass> pass = (*retention)->TrimOnce();
  EXPECT_EQ(pass.status().code(), absl::StatusCode::kFailedPrecondition) << pass.status();
  EXPECT_EQ(LogIds(keys::kAuditLog).size(), 1u);
}

TEST_F(AuditRetentionTest, RedisUserThatMayNotTrimArchivesNothing) {
  AuditLog log(redis_);
  ASSERT_TRUE(log.Append(Entry("tablet", "c-1")).ok());
  // A service's user: it may read the audit log, not trim it (deploy/redis/users.acl).
  ASSERT_TRUE(redis_->Command({"ACL", "SETUSER", "service", "on", ">service-pw", "~*", "+@all", "-xtrim"}).ok());
  redis::ClientOptions options;
  options.endpoint.port = redis_server().port();
  options.username = "service";
  options.password = "service-pw";
  auto clock = std::make_shared<SimulatedClock>(absl::Now() + absl::Hours(24 * 10));
  auto retention =
      AuditRetention::Create(redis::Client::Create(options), clock, {.keep = absl::Hours(24), .archive_dir = dir_});
  ASSERT_TRUE(retention.ok()) << retention.status();
  absl::StatusOr<AuditRetention::Pass> pass = (*retention)->TrimOnce();
  EXPECT_EQ(pass.status().code(), absl::StatusCode::kFailedPrecondition) << pass.status();
  EXPECT_TRUE(absl::StrContains(pass.status().message(), "run retention as the Redis user auditretention"))
      << pass.status();
  EXPECT_TRUE(Archived().empty());
  EXPECT_EQ(LogIds(keys::kAuditLog).size(), 1u);
  EXPECT_TRUE(redis_->Command({"ACL", "DELUSER", "service"}).ok());
}

TEST_F(AuditRetentionTest, RetentionWithoutAWritableArchiveDirectoryIsRefused) {
  auto clock = std::make_shared<SimulatedClock>(absl::Now());
  auto none = AuditRetention::Create(redis_, clock, {.keep = absl::Hours(24), .archive_dir = ""});
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(none.status().message(),
            "--audit_archive_dir: audit entries are archived there before they are removed; give a writable "
            "directory, or --audit_retention=0 to keep every entry in Redis");
  auto missing = AuditRetention::Create(redis_, clock, {.keep = absl::Hours(24), .archive_dir = dir_ + "/absent"});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().message(), absl::StrCat("--audit_archive_dir: ", dir_, "/absent is not a writable directory"));
}

TEST(ParseRetentionTest, DaysHoursAndZero) {
  EXPECT_EQ(*ParseRetention("400d"), absl::Hours(24 * 400));
  EXPECT_EQ(*ParseRetention("72h"), absl::Hours(72));
  EXPECT_EQ(*ParseRetention("0"), absl::ZeroDuration());
  EXPECT_EQ(ParseRetention("-1d").status().message(),
            "--audit_retention: '-1d' is not a duration such as 2557d, 72h or 0 (keep for good)");
  EXPECT_EQ(ParseRetention("soon").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace telederm::audit
