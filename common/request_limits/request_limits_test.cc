#include "common/request_limits/request_limits.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "telederm/v1/intake.pb.h"
#include "telederm/v1/referral.pb.h"

namespace telederm {
namespace {

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(RequestLimitsTest, QuestionOfExactly2000CharactersInAnAccentedLanguageIsAccepted) {
  v1::SubmitCaseRequest request;
  request.mutable_submission()->set_clinical_question(Repeat("\xc3\xa9", 2000));  // 4000 bytes
  EXPECT_TRUE(CheckRequestLimits(request).ok());
  request.mutable_submission()->set_clinical_question(Repeat("\xc3\xa9", 2001));
  absl::Status s = CheckRequestLimits(request);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "submission.clinical_question: at most 2000 characters are accepted (got 2001); shorten it");
}

TEST(RequestLimitsTest, SeventeenthImageIsRefusedAndAnItemInsideAListIsNamedByItsIndex) {
  v1::SubmitCaseRequest request;
  for (int i = 0; i < 17; ++i) request.mutable_submission()->add_images();
  EXPECT_EQ(CheckRequestLimits(request).message(), "submission.images: at most 16 are accepted (got 17); send fewer");
  request.mutable_submission()->mutable_images()->RemoveLast();
  request.mutable_submission()->mutable_images(3)->set_content_type(std::string(33, 'x'));
  EXPECT_TRUE(absl::StartsWith(CheckRequestLimits(request).message(),
                               "submission.images[3].content_type: at most 32 characters"));
}

TEST(RequestLimitsTest, EachPoolOfAProfileIsBoundedAsWellAsTheirNumber) {
  v1::PutSpecialistRequest request;
  request.mutable_profile()->add_pools("general");
  request.mutable_profile()->add_pools(std::string(65, 'p'));
  EXPECT_TRUE(absl::StartsWith(CheckRequestLimits(request).message(), "profile.pools[1]: at most 64 characters"));
}

TEST(RequestLimitsTest, UploadChunkOverOneMebibyteIsRefusedInBytes) {
  v1::UploadImageRequest request;
  request.set_chunk(std::string(1048577, '\xff'));
  EXPECT_TRUE(absl::StartsWith(CheckRequestLimits(request).message(), "chunk: at most 1048576 bytes"));
  request.set_chunk(std::string(1048576, '\xff'));
  EXPECT_TRUE(CheckRequestLimits(request).ok());
}

}  // namespace
}  // namespace telederm
