#include "common/ids/ids.h"

#include <set>

#include <gtest/gtest.h>

namespace telederm {
namespace {

TEST(CaseIdTest, NewIdsAreValidUniqueAndSortByCreationTime) {
  absl::Time t0 = absl::FromUnixSeconds(1'800'000'000);
  std::set<std::string> seen;
  std::string previous;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewCaseId(t0 + absl::Milliseconds(i));
    EXPECT_TRUE(IsValidCaseId(id)) << id;
    EXPECT_TRUE(seen.insert(id).second) << "duplicate " << id;
    EXPECT_LT(previous, id);
    previous = id;
  }
}

TEST(CaseIdTest, CheckNamesTheFieldAndDoesNotEchoTheInput) {
  EXPECT_TRUE(CheckCaseId(NewCaseId(absl::Now())).ok());
  const absl::Status refused = CheckCaseId("c-x\r\nInjected: header");
  EXPECT_EQ(refused, absl::InvalidArgumentError("case_id: not a case id (they look like c-01J...)"));
}

TEST(CaseIdTest, RefusesKeysAnAttackerCouldBuild) {
  EXPECT_FALSE(IsValidCaseId(""));
  EXPECT_FALSE(IsValidCaseId("c-}{stream:intake"));
  EXPECT_FALSE(IsValidCaseId("c-01ARZ3NDEKTSV4RRFFQ69G5FA"));   // 25 characters
  EXPECT_FALSE(IsValidCaseId("x-01ARZ3NDEKTSV4RRFFQ69G5FAV"));
  EXPECT_FALSE(IsValidCaseId("c-01ARZ3NDEKTSV4RRFFQ69G5FAU"));  // U is not Crockford
}

TEST(ExternalIdTest, AllowsClinicStyleIdsAndRefusesBracesSpacesAndLength) {
  EXPECT_TRUE(IsValidExternalId("clinic-ke-017", 64));
  EXPECT_TRUE(IsValidExternalId("pt.2026:0042_b", 64));
  EXPECT_FALSE(IsValidExternalId("", 64));
  EXPECT_FALSE(IsValidExternalId("a{b}", 64));
  EXPECT_FALSE(IsValidExternalId("two words", 64));
  EXPECT_FALSE(IsValidExternalId(std::string(65, 'a'), 64));
}

}  // namespace
}  // namespace telederm
