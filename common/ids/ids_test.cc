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
