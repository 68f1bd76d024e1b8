#include "common/auth/audit_interceptor.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "telederm/v1/image.pb.h"
#include "telederm/v1/intake.pb.h"
#include "telederm/v1/referral.pb.h"

namespace telederm::auth {
namespace {

TEST(AuditedCasesTest, ListRecordsEveryCaseItShowed) {
  v1::ListQueueResponse queue;
  queue.add_entries()->set_case_id("c-1");
  queue.add_entries()->set_case_id("c-2");
  queue.add_entries();  // no case id: nothing recorded for it
  std::set<std::string> cases;
  CollectCaseIds(queue, cases);
  EXPECT_EQ(cases, (std::set<std::string>{"c-1", "c-2"}));

  v1::ListCasesResponse list;
  list.add_cases()->set_case_id("c-3");
  list.add_cases()->set_case_id("c-4");
  CollectCaseIds(list, cases);  // adds to what was gathered
  EXPECT_EQ(cases, (std::set<std::string>{"c-1", "c-2", "c-3", "c-4"}));
}

TEST(AuditedCasesTest, SameTypeAgainGivesItsOwnCases) {
  for (const char* id : {"c-a", "c-b"}) {
    v1::ListQueueResponse queue;
    queue.add_entries()->set_case_id(id);
    std::set<std::string> cases;
    CollectCaseIds(queue, cases);
    EXPECT_EQ(cases, std::set<std::string>{id});
  }
}

TEST(AuditedCasesTest, MessageWithoutCaseIdsRecordsNone) {
  v1::WatchEventsRequest request;
  request.set_after_event_id("1-0");
  std::set<std::string> cases;
  CollectCaseIds(request, cases);
  EXPECT_TRUE(cases.empty());
}

TEST(AuditedCasesTest, LongIdIsCutAndAListStopsAtTheEntryBound) {
  v1::ListQueueResponse queue;
  queue.add_entries()->set_case_id(std::string(100, 'x'));
  for (size_t i = 0; i < audit::kMaxCasesPerEntry + 20; ++i) queue.add_entries()->set_case_id(absl::StrCat("c-", i));
  std::set<std::string> cases;
  CollectCaseIds(queue, cases);
  EXPECT_EQ(cases.size(), audit::kMaxCasesPerEntry);
  EXPECT_TRUE(cases.contains(std::string(64, 'x')));
}

TEST(AuditedImageTest, ImageReadRecordsTheDigestAndOtherRequestsNone) {
  v1::GetImageRequest read;
  read.set_case_id("c-1");
  read.set_sha256(std::string(64, 'a'));
  EXPECT_EQ(RequestedImageDigest(read), std::string(64, 'a'));
  read.set_sha256(std::string(100, 'b'));
  EXPECT_EQ(RequestedImageDigest(read), std::string(64, 'b'));
  EXPECT_EQ(RequestedImageDigest(v1::ListQueueResponse()), "");
}

}  // namespace
}  // namespace telederm::auth
