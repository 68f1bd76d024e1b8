#include "common/auth/audit_interceptor.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "telederm/v1/image.pb.h"
#include "telederm/v1/intake.pb.h"
#include "telederm/v1/referral.pb.h"

namespace telederm::auth {
namespace {

// A well-formed case id (common/ids), the n-th.
std::string CaseId(int n) { return absl::StrCat("c-01JD", absl::StrFormat("%022d", n)); }

TEST(AuditedCasesTest, ListRecordsEveryCaseItShowed) {
  v1::ListQueueResponse queue;
  queue.add_entries()->set_case_id(CaseId(1));
  queue.add_entries()->set_case_id(CaseId(2));
  queue.add_entries();  // no case id: nothing recorded for it
  std::set<std::string> cases;
  CollectCaseIds(queue, cases);
  EXPECT_EQ(cases, (std::set<std::string>{CaseId(1), CaseId(2)}));

  v1::ListCasesResponse list;
  list.add_cases()->set_case_id(CaseId(3));
  list.add_cases()->set_case_id(CaseId(4));
  CollectCaseIds(list, cases);  // adds to what was gathered
  EXPECT_EQ(cases, (std::set<std::string>{CaseId(1), CaseId(2), CaseId(3), CaseId(4)}));
}

TEST(AuditedCasesTest, SameTypeAgainGivesItsOwnCases) {
  for (const std::string& id : {CaseId(5), CaseId(6)}) {
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

TEST(AuditedCasesTest, ListStopsAtTheEntryBound) {
  v1::ListQueueResponse queue;
  for (size_t i = 0; i < audit::kMaxCasesPerEntry + 20; ++i) {
    queue.add_entries()->set_case_id(CaseId(static_cast<int>(i)));
  }
  std::set<std::string> cases;
  CollectCaseIds(queue, cases);
  EXPECT_EQ(cases.size(), audit::kMaxCasesPerEntry);
}

// Each recorded case id becomes a Redis key (audit:{log}:case:<id>) that is
// never deleted: a string that is not a case id must not become one, whatever
// the handler then answers.
TEST(AuditedCasesTest, StringsThatAreNotCaseIdsAreNotRecorded) {
  for (const std::string& id : {std::string("*"), std::string("c-1\r\nFLUSHALL\r\n"), std::string(100, 'x'),
                                CaseId(7) + " ", std::string("c-01jd0000000000000000000007"), std::string("c-")}) {
    v1::GetCaseRequest request;
    request.set_case_id(id);
    std::set<std::string> cases;
    CollectCaseIds(request, cases);
    EXPECT_TRUE(cases.empty()) << id;
  }
  v1::ListQueueResponse queue;
  queue.add_entries()->set_case_id("*");
  queue.add_entries()->set_case_id(CaseId(8));
  std::set<std::string> cases;
  CollectCaseIds(queue, cases);
  EXPECT_EQ(cases, std::set<std::string>{CaseId(8)});
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
