#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "absl/time/clock.h"
#include "common/blob/blob_store.h"

namespace telederm {
namespace {

namespace fs = std::filesystem;

class DirectoryBlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("telederm-blob-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    store_ = *OpenDirectoryBlobStore(root_.string());
  }
  void TearDown() override { fs::remove_all(root_); }

  size_t FilesUnder(const std::string& sub) {
    size_t n = 0;
    for (auto& entry : fs::recursive_directory_iterator(root_ / sub)) n += entry.is_regular_file();
    return n;
  }

  fs::path root_;
  BlobStorePtr store_;
};

TEST(Sha256Test, KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(IsValidSha256Hex(Sha256Hex("")));
  EXPECT_FALSE(IsValidSha256Hex("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
  EXPECT_FALSE(IsValidSha256Hex("../../etc/passwd"));
}

TEST_F(DirectoryBlobStoreTest, ChunkedUploadIsStoredUnderItsDigest) {
  std::string image(300000, '\0');
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<char>(i * 31);
  auto writer = *store_->NewWriter();
  for (size_t offset = 0; offset < image.size(); offset += 65536) {
    ASSERT_TRUE(writer->Append(absl::string_view(image).substr(offset, 65536)).ok());
  }
  auto committed = writer->Commit(Sha256Hex(image));
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_EQ(committed->size_bytes, 300000);
  EXPECT_FALSE(committed->already_stored);
  EXPECT_EQ(**store_->Get(Sha256Hex(image)), image);
  EXPECT_EQ(**store_->Size(Sha256Hex(image)), 300000);
}

TEST_F(DirectoryBlobStoreTest, DigestMismatchStoresNothingAndSaysWhatToDo) {
  auto writer = *store_->NewWriter();
  ASSERT_TRUE(writer->Append("half an image").ok());
  std::string claimed = Sha256Hex("the whole image");
  auto committed = writer->Commit(claimed);
  EXPECT_EQ(committed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(committed.status().message().find("send it again"), absl::string_view::npos);
  writer.reset();
  EXPECT_FALSE(store_->Get(claimed)->has_value());
  EXPECT_EQ(FilesUnder("sha256"), 0u);
  EXPECT_EQ(FilesUnder("incoming"), 0u);
}

TEST_F(DirectoryBlobStoreTest, AbandonedWriterLeavesNothingVisible) {
  {
    auto writer = *store_->NewWriter();
    ASSERT_TRUE(writer->Append("partial").ok());
  }
  EXPECT_EQ(FilesUnder("incoming"), 0u);
  EXPECT_EQ(FilesUnder("sha256"), 0u);
}

TEST_F(DirectoryBlobStoreTest, SameBytesTwiceAreStoredOnce) {
  for (int i = 0; i < 2; ++i) {
    auto writer = *store_->NewWriter();
    ASSERT_TRUE(writer->Append("dermoscopy").ok());
    auto committed = writer->Commit(Sha256Hex("dermoscopy"));
    ASSERT_TRUE(committed.ok());
    EXPECT_EQ(committed->already_stored, i == 1);
  }
  EXPECT_EQ(FilesUnder("sha256"), 1u);
  EXPECT_EQ(FilesUnder("incoming"), 0u);
}

TEST_F(DirectoryBlobStoreTest, UnknownOrMalformedDigestIsEmptyNotError) {
  EXPECT_FALSE(store_->Get(Sha256Hex("never uploaded"))->has_value());
  EXPECT_FALSE(store_->Get("../../../etc/passwd")->has_value());
  EXPECT_FALSE(store_->Size(Sha256Hex("never uploaded"))->has_value());
}

TEST_F(DirectoryBlobStoreTest, PartialUploadResumesAtItsDurableSizeAfterItsHolderWentAway) {
  std::string image(200000, '\0');
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<char>(i * 7);
  {
    auto partial = store_->OpenPartial("u-1");
    ASSERT_TRUE(partial.ok()) << partial.status();
    ASSERT_TRUE((*partial)->Append(image.substr(0, 70000)).ok());
  }  // the connection dropped
  auto info = store_->StatPartial("u-1");
  ASSERT_TRUE(info.ok() && info->has_value());
  EXPECT_EQ((*info)->size_bytes, 70000);
  EXPECT_LT(absl::Now() - (*info)->last_write, absl::Minutes(1));
  EXPECT_FALSE(store_->Size(Sha256Hex(image))->has_value());  // never visible half-uploaded

  auto resumed = store_->OpenPartial("u-1");
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ((*resumed)->size(), 70000);
  ASSERT_TRUE((*resumed)->Append(image.substr(70000)).ok());
  EXPECT_EQ(*(*resumed)->ReadAll(), image);
  auto committed = (*resumed)->Commit(Sha256Hex(image));
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_EQ(committed->size_bytes, 200000);
  EXPECT_FALSE(committed->already_stored);
  EXPECT_EQ(**store_->Get(Sha256Hex(image)), image);
  EXPECT_FALSE(store_->StatPartial("u-1")->has_value());
  EXPECT_EQ(FilesUnder("incoming"), 0u);
}

TEST_F(DirectoryBlobStoreTest, PartialUploadKnowsItsDigestAsChunksArriveAndAfterAResume) {
  std::string image(300000, '\0');
  for (size_t i = 0; i < image.size(); ++i) image[i] = static_cast<char>(i * 13 + 1);
  {
    auto partial = store_->OpenPartial("u-2");
    ASSERT_TRUE(partial.ok()) << partial.status();
    ASSERT_TRUE((*partial)->Append(image.substr(0, 1000)).ok());
    EXPECT_EQ(*(*partial)->Sha256(), Sha256Hex(image.substr(0, 1000)));
    ASSERT_TRUE((*partial)->Append(image.substr(1000, 99000)).ok());
    EXPECT_EQ(*(*partial)->Sha256(), Sha256Hex(image.substr(0, 100000)));
  }  // the connection dropped
  auto resumed = store_->OpenPartial("u-2");
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  ASSERT_TRUE((*resumed)->Append(image.substr(100000, 50000)).ok());
  EXPECT_EQ(*(*resumed)->Sha256(), Sha256Hex(image.substr(0, 150000)));
  ASSERT_TRUE((*resumed)->Append(image.substr(150000)).ok());
  EXPECT_EQ(*(*resumed)->Sha256(), Sha256Hex(image));
  auto committed = (*resumed)->Commit(Sha256Hex(image));
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_EQ(**store_->Get(Sha256Hex(image)), image);
}

TEST_F(DirectoryBlobStoreTest, PartialUploadHeldByOneConnectionIsAbortedForAnother) {
  auto first = store_->OpenPartial("u-1");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(store_->OpenPartial("u-1").status().code(), absl::StatusCode::kAborted);
  first->reset();
  EXPECT_TRUE(store_->OpenPartial("u-1").ok());
  EXPECT_EQ(store_->OpenPartial("../etc").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(DirectoryBlobStoreTest, DamagedPartialUploadIsDiscardedAtCommitAndStartsAgainEmpty) {
  auto partial = store_->OpenPartial("u-1");
  ASSERT_TRUE((*partial)->Append("not the declared bytes").ok());
  EXPECT_EQ((*partial)->Commit(Sha256Hex("the declared bytes")).status().code(),
            absl::StatusCode::kInvalidArgument);
  partial->reset();
  EXPECT_EQ(FilesUnder("sha256"), 0u);
  EXPECT_EQ((*store_->OpenPartial("u-1"))->size(), 0);
}

TEST_F(DirectoryBlobStoreTest, AbandonedUploadsExpireButOneInProgressIsKept) {
  {
    auto abandoned = store_->OpenPartial("u-abandoned");
    ASSERT_TRUE((*abandoned)->Append("half an image").ok());
  }
  auto held = store_->OpenPartial("u-held");
  ASSERT_TRUE((*held)->Append("being uploaded").ok());
  auto writer = store_->NewWriter();  // a writer whose process died would leave this
  ASSERT_TRUE((*writer)->Append("x").ok());
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(*store_->RemoveStalePartials(absl::Now() - absl::Hours(1)), 0);  // nothing that old
  EXPECT_EQ(*store_->RemoveStalePartials(absl::Now()), 2);
  EXPECT_FALSE(store_->StatPartial("u-abandoned")->has_value());
  EXPECT_TRUE(store_->StatPartial("u-held")->has_value());
}

TEST_F(DirectoryBlobStoreTest, DerivedVariantIsKeptBesideItsBlobWithTheDigestOfItsBytes) {
  const std::string original = Sha256Hex("original");
  EXPECT_FALSE(store_->GetDerived(original, "thumb256.jpg")->has_value());
  ASSERT_TRUE(store_->PutDerived(original, "thumb256.jpg", "small").ok());
  absl::StatusOr<std::optional<DerivedBlob>> kept = store_->GetDerived(original, "thumb256.jpg");
  ASSERT_TRUE(kept.ok() && kept->has_value()) << kept.status();
  EXPECT_EQ((*kept)->bytes, "small");
  EXPECT_EQ((*kept)->recorded_sha256, Sha256Hex("small"));
  EXPECT_TRUE(fs::exists(root_ / "derived" / original.substr(0, 2) / (original + ".thumb256.jpg")));
  EXPECT_EQ(FilesUnder("incoming"), 0u);
  EXPECT_FALSE(store_->GetDerived(original, "thumb128.jpg")->has_value());
}

TEST_F(DirectoryBlobStoreTest, DamagedDerivedVariantNoLongerMatchesItsRecordedDigest) {
  const std::string original = Sha256Hex("original");
  ASSERT_TRUE(store_->PutDerived(original, "thumb256.jpg", "small").ok());
  const fs::path path = root_ / "derived" / original.substr(0, 2) / (original + ".thumb256.jpg");
  {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(-1, std::ios::end);
    file.put('X');
  }
  absl::StatusOr<std::optional<DerivedBlob>> kept = store_->GetDerived(original, "thumb256.jpg");
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->bytes, "smalX");
  EXPECT_NE(Sha256Hex((*kept)->bytes), (*kept)->recorded_sha256);
}

TEST_F(DirectoryBlobStoreTest, DerivedVariantNamesCannotLeaveTheStore) {
  const std::string original = Sha256Hex("original");
  EXPECT_EQ(store_->PutDerived(original, "../x", "b").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->PutDerived(original, ".hidden", "b").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->PutDerived("../../etc/passwd", "thumb", "b").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->GetDerived(original, "a/b").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(DirectoryBlobStoreTest, ConcurrentWritersOfOneVariantLeaveOneWholeCopy) {
  const std::string original = Sha256Hex("original");
  const std::string bytes(3 << 20, 't');
  std::vector<std::thread> writers;
  for (int i = 0; i < 4; ++i) {
    writers.emplace_back([&] { EXPECT_TRUE(store_->PutDerived(original, "thumb256.jpg", bytes).ok()); });
  }
  for (std::thread& writer : writers) writer.join();
  absl::StatusOr<std::optional<DerivedBlob>> kept = store_->GetDerived(original, "thumb256.jpg");
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->bytes, bytes);
  EXPECT_EQ((*kept)->recorded_sha256, Sha256Hex(bytes));
  EXPECT_EQ(FilesUnder("incoming"), 0u);
}

}  // namespace
}  // namespace telederm
