#include "tools/cli/upload_progress.h"

#include <gtest/gtest.h>

namespace telederm::cli {
namespace {

TEST(UploadProgressTest, HalfOfAMebibyteImageAtItsRate) {
  EXPECT_EQ(FormatUploadProgress("lesion.jpg", 1572864, 3145728, absl::Seconds(2), 10),
            "upload lesion.jpg [#####.....]  50%  1.5/3.0 MiB  768 KiB/s");
}

TEST(UploadProgressTest, SmallImageInKibibytesWithoutARateAtTheStart) {
  EXPECT_EQ(FormatUploadProgress("a.png", 0, 204800, absl::ZeroDuration(), 4), "upload a.png [....]   0%  0/200 KiB");
}

TEST(UploadProgressTest, DoneIsFullAndNeverBeyond) {
  EXPECT_EQ(FormatUploadProgress("a.png", 300000, 204800, absl::ZeroDuration(), 4),
            "upload a.png [####] 100%  293/200 KiB");
}

}  // namespace
}  // namespace telederm::cli
