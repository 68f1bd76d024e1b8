// ImageService.GetImage through a real gRPC server with the real security
// stack (tokens, the audit interceptor) against a real redis-server, with
// real dermoscopy images in a blob store on disk.
#include "common/images/image_service.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/audit/audit_log.h"
#include "common/auth/key_ring.h"
#include "common/auth/server_security.h"
#include "common/auth/token.h"
#include "common/case_store/case_store.h"
#include "common/case_store/consult_thread.h"
#include "common/case_store/keys.h"
#include "common/ids/ids.h"
#include "common/images/thumbnail.h"
#include "common/imaging/decode.h"
#include "common/server/grpc_server.h"
#include "opencv2/imgcodecs.hpp"
#include "opencv2/imgproc.hpp"
#include "telederm/v1/referral.pb.h"
#include "tests/harness/files.h"
#include "tests/harness/redis_test.h"
#include "tests/harness/temp_dir.h"
#include "tests/harness/wait.h"

namespace telederm::images {
namespace {

namespace fs = std::filesystem;

constexpr char kTokenKeys[] = "images-test 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0\n";
const std::string kDermoscopy = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0026266.jpg";
const std::string kOtherDermoscopy = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0024311.jpg";
const std::string kAttachment = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0025248.jpg";

// A real dermoscopy image as a PNG at twice its size: over 1 MiB, so that it
// travels in several chunks.
std::string LargePng() {
  std::string jpeg = testing::ReadFileBytes(kDermoscopy);
  cv::Mat image = cv::imdecode(cv::Mat(1, static_cast<int>(jpeg.size()), CV_8U, jpeg.data()), cv::IMREAD_COLOR);
  cv::resize(image, image, cv::Size(), 2.0, 2.0, cv::INTER_CUBIC);
  std::vector<unsigned char> png;
  cv::imencode(".png", image, png);
  return std::string(png.begin(), png.end());
}

struct Read {
  grpc::Status status;
  std::vector<v1::ImageChunk> chunks;
  std::string bytes;  // the chunks' data in order
};

class ImageServiceTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    dir_ = *testing::MakeTempDir("telederm-images");
    std::ofstream(dir_ + "/keys") << kTokenKeys;
    keys_ = std::make_unique<auth::KeyRing>(*auth::KeyRing::Parse(kTokenKeys));
    blobs_ = *OpenDirectoryBlobStore(dir_ + "/blobs");
    auth::SecurityOptions security_options;
    security_options.plaintext_for_development = true;
    security_options.token_keys_file = dir_ + "/keys";
    security_options.clinic_rate = {10000, 100000};
    absl::StatusOr<ServerSecurity> security = auth::MakeServerSecurity(security_options, redis_, RealClock(), nullptr);
    ASSERT_TRUE(security.ok()) << security.status();
    service_ = std::make_unique<ImageServiceImpl>(redis_, blobs_);
    auto server = GrpcServer::Start("127.0.0.1:0", {service_.get()}, *std::move(security));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::ImageService::NewStub(
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));

    png_ = LargePng();
    png_sha256_ = Store(png_);
    attachment_sha256_ = Store(testing::ReadFileBytes(kAttachment));
    case_id_ = CreateCase("clinic-kisumu-03", "general", {png_sha256_});
    v1::Message message;
    message.set_case_id(case_id_);
    message.set_author_id("clinic-kisumu-03");
    message.set_author_role(v1::ROLE_CLINIC);
    message.set_text("Another view, closer.");
    message.add_attachments()->set_sha256(attachment_sha256_);
    ASSERT_TRUE(ConsultThread(redis_).Append(message).ok());
    // Another clinic's case and photo: the blob exists, but not in case_id_.
    other_sha256_ = Store(testing::ReadFileBytes(kOtherDermoscopy));
    other_case_id_ = CreateCase("clinic-eldoret-01", "general", {other_sha256_});
  }

  void TearDown() override {
    server_.reset();
    service_.reset();
    fs::remove_all(dir_);
  }

  std::string Store(const std::string& bytes) {
    auto writer = blobs_->NewWriter();
    EXPECT_TRUE(writer.ok() && (*writer)->Append(bytes).ok());
    auto committed = (*writer)->Commit(Sha256Hex(bytes));
    EXPECT_TRUE(committed.ok()) << committed.status();
    return committed->sha256;
  }

  std::string CreateCase(const std::string& clinic, const std::string& pool, const std::vector<std::string>& images) {
    v1::Case c;
    c.set_case_id(NewCaseId(absl::Now()));
    c.set_clinic_id(clinic);
    c.set_status(v1::CASE_STATUS_QUEUED);
    c.set_pool(pool);
    c.mutable_submission()->set_type(v1::CASE_TYPE_SUSPECTED_SKIN_TUMOUR);
    for (const std::string& sha256 : images) {
      v1::ImageRef* image = c.mutable_submission()->add_images();
      image->set_sha256(sha256);
      image->set_modality(v1::MODALITY_DERMOSCOPY);
    }
    EXPECT_TRUE(CaseStore(redis_).Create(c).ok());
    return c.case_id();
  }

  std::string Token(auth::Role role, const std::string& subject, const std::string& scope) {
    auth::Claims claims;
    claims.subject = subject;
    claims.role = role;
    if (role == auth::Role::kClinic) claims.clinic_id = scope;
    else claims.pools = {scope};
    claims.issued_at = absl::Now() - absl::Minutes(1);
    claims.expires_at = absl::Now() + absl::Hours(1);
    return *auth::IssueToken(claims, *keys_);
  }
  std::string Clinic(const std::string& clinic = "clinic-kisumu-03") {
    return Token(auth::Role::kClinic, absl::StrCat("device-", clinic), clinic);
  }

  Read Get(const std::string& token, const std::string& case_id, const std::string& sha256, int64_t offset = 0,
           v1::ImageVariant variant = v1::IMAGE_VARIANT_ORIGINAL) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(30)));
    v1::GetImageRequest request;
    request.set_case_id(case_id);
    request.set_sha256(sha256);
    request.set_offset(offset);
    request.set_variant(variant);
    Read read;
    std::unique_ptr<grpc::ClientReader<v1::ImageChunk>> reader = stub_->GetImage(&context, request);
    v1::ImageChunk chunk;
    while (reader->Read(&chunk)) {
      read.bytes += chunk.data();
      read.chunks.push_back(chunk);
    }
    read.status = reader->Finish();
    return read;
  }

  std::string BlobPath(const std::string& sha256) {
    return absl::StrCat(dir_, "/blobs/sha256/", sha256.substr(0, 2), "/", sha256);
  }
  std::string ThumbnailPath(const std::string& sha256) {
    return absl::StrCat(dir_, "/blobs/derived/", sha256.substr(0, 2), "/", sha256, ".", kThumbnailVariant);
  }
  void Damage(const std::string& path) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(-100, std::ios::end);
    file.put('\x5a');
  }

  std::string dir_;
  std::unique_ptr<auth::KeyRing> keys_;
  BlobStorePtr blobs_;
  std::unique_ptr<ImageServiceImpl> service_;
  std::unique_ptr<GrpcServer> server_;
  std::unique_ptr<v1::ImageService::Stub> stub_;
  std::string png_, png_sha256_, attachment_sha256_, case_id_, other_sha256_, other_case_id_;
};

TEST_F(ImageServiceTest, ClinicReadsItsOwnImageInChunksOfAtMostOneMebibyteWithMetadataFirst) {
  ASSERT_GT(png_.size(), 1u << 20);
  Read read = Get(Clinic(), case_id_, png_sha256_);
  ASSERT_TRUE(read.status.ok()) << read.status.error_message();
  EXPECT_EQ(Sha256Hex(read.bytes), png_sha256_);
  ASSERT_EQ(read.chunks.size(), (png_.size() + (1 << 20) - 1) >> 20);
  int64_t offset = 0;
  for (size_t i = 0; i < read.chunks.size(); ++i) {
    EXPECT_EQ(read.chunks[i].has_metadata(), i == 0);
    EXPECT_EQ(read.chunks[i].offset(), offset);
    EXPECT_LE(read.chunks[i].data().size(), size_t{1} << 20);
    offset += static_cast<int64_t>(read.chunks[i].data().size());
  }
  const v1::ImageMetadata& metadata = read.chunks[0].metadata();
  EXPECT_EQ(metadata.sha256(), png_sha256_);
  EXPECT_EQ(metadata.content_type(), "image/png");
  EXPECT_EQ(metadata.size_bytes(), static_cast<int64_t>(png_.size()));
  EXPECT_EQ(metadata.variant(), v1::IMAGE_VARIANT_ORIGINAL);
  auto header = imaging::ReadImageHeader(png_);
  EXPECT_EQ(metadata.width(), header->width);
  EXPECT_EQ(metadata.height(), header->height);
}

TEST_F(ImageServiceTest, AnAttachmentOfTheConsultThreadIsAnImageOfTheCase) {
  Read read = Get(Clinic(), case_id_, attachment_sha256_);
  ASSERT_TRUE(read.status.ok()) << read.status.error_message();
  EXPECT_EQ(Sha256Hex(read.bytes), attachment_sha256_);
  EXPECT_EQ(read.chunks[0].metadata().content_type(), "image/jpeg");
}

TEST_F(ImageServiceTest, ReadResumesFromAnOffsetAndAtTheEndSendsOnlyTheMetadata) {
  const int64_t offset = (1 << 20) + 12345;
  Read read = Get(Clinic(), case_id_, png_sha256_, offset);
  ASSERT_TRUE(read.status.ok()) << read.status.error_message();
  EXPECT_EQ(read.bytes, png_.substr(offset));
  EXPECT_EQ(read.chunks[0].offset(), offset);
  EXPECT_EQ(read.chunks[0].metadata().size_bytes(), static_cast<int64_t>(png_.size()));

  Read at_end = Get(Clinic(), case_id_, png_sha256_, static_cast<int64_t>(png_.size()));
  ASSERT_TRUE(at_end.status.ok()) << at_end.status.error_message();
  ASSERT_EQ(at_end.chunks.size(), 1u);
  EXPECT_TRUE(at_end.chunks[0].has_metadata());
  EXPECT_TRUE(at_end.chunks[0].data().empty());
}

TEST_F(ImageServiceTest, BadFieldsAreInvalidArgumentNamingTheField) {
  Read beyond = Get(Clinic(), case_id_, png_sha256_, static_cast<int64_t>(png_.size()) + 1);
  EXPECT_EQ(beyond.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(beyond.status.error_message(),
            absl::StrCat("offset: ", png_.size() + 1, " is beyond the end of the image (", png_.size(), " bytes)"));
  EXPECT_TRUE(beyond.chunks.empty());
  Read negative = Get(Clinic(), case_id_, png_sha256_, -1);
  EXPECT_EQ(negative.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(negative.status.error_message(), "offset: -1 is negative; 0 reads from the start");
  Read digest = Get(Clinic(), case_id_, "ABC");
  EXPECT_EQ(digest.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(digest.status.error_message(), "sha256: 'ABC' is not an image digest (64 lower-case hex characters)");
  Read case_id = Get(Clinic(), "case-1", png_sha256_);
  EXPECT_EQ(case_id.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(case_id.status.error_message(), "case_id")) << case_id.status.error_message();
}

TEST_F(ImageServiceTest, AnotherClinicAndAnImageNotInTheCaseGetTheAnswerOfAnUnknownCase) {
  const std::string unknown = NewCaseId(absl::Now());
  Read not_there = Get(Clinic(), unknown, png_sha256_);
  EXPECT_EQ(not_there.status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(not_there.status.error_message(), absl::StrCat("no case ", unknown));

  Read other_clinic = Get(Clinic("clinic-eldoret-01"), case_id_, png_sha256_);
  EXPECT_EQ(other_clinic.status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(other_clinic.status.error_message(), absl::StrCat("no case ", case_id_));
  EXPECT_TRUE(other_clinic.chunks.empty());

  // Another clinic's photo (stored, but not this case's), named in the own case.
  Read not_in_case = Get(Clinic(), case_id_, other_sha256_);
  EXPECT_EQ(not_in_case.status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(not_in_case.status.error_message(), absl::StrCat("no case ", case_id_));
  EXPECT_TRUE(not_in_case.chunks.empty());
  // Its own clinic reads it through its own case.
  EXPECT_TRUE(Get(Clinic("clinic-eldoret-01"), other_case_id_, other_sha256_).status.ok());
}

TEST_F(ImageServiceTest, SpecialistOfThePoolAndItsSupervisorReadAnotherPoolsSpecialistDoesNot) {
  Read specialist = Get(Token(auth::Role::kSpecialist, "dr-otieno", "general"), case_id_, png_sha256_);
  ASSERT_TRUE(specialist.status.ok()) << specialist.status.error_message();
  EXPECT_EQ(Sha256Hex(specialist.bytes), png_sha256_);

  v1::SpecialistProfile supervisor;
  supervisor.set_specialist_id("dr-wanjiru");
  supervisor.add_pools("oncology");
  supervisor.add_supervises("general");
  ASSERT_TRUE(redis_->Command({"HSET", keys::kDirectorySpecialists, "dr-wanjiru", supervisor.SerializeAsString()}).ok());
  Read supervised = Get(Token(auth::Role::kSpecialist, "dr-wanjiru", "oncology"), case_id_, png_sha256_);
  EXPECT_TRUE(supervised.status.ok()) << supervised.status.error_message();

  Read other_pool = Get(Token(auth::Role::kSpecialist, "dr-kamau", "oncology"), case_id_, png_sha256_);
  EXPECT_EQ(other_pool.status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(other_pool.status.error_message(), absl::StrCat("no case ", case_id_));
}

TEST_F(ImageServiceTest, ThumbnailIsAJpegWithLongSide256MadeOnceAndKeptBesideTheBlob) {
  Read first = Get(Clinic(), case_id_, png_sha256_, 0, v1::IMAGE_VARIANT_THUMBNAIL);
  ASSERT_TRUE(first.status.ok()) << first.status.error_message();
  const v1::ImageMetadata& metadata = first.chunks[0].metadata();
  EXPECT_EQ(metadata.variant(), v1::IMAGE_VARIANT_THUMBNAIL);
  EXPECT_EQ(metadata.content_type(), "image/jpeg");
  EXPECT_EQ(metadata.sha256(), Sha256Hex(first.bytes));
  EXPECT_EQ(metadata.size_bytes(), static_cast<int64_t>(first.bytes.size()));
  auto header = imaging::ReadImageHeader(first.bytes);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->format, imaging::ImageFormat::kJpeg);
  EXPECT_EQ(std::max(header->width, header->height), 256);
  EXPECT_EQ(metadata.width(), header->width);
  EXPECT_EQ(metadata.height(), header->height);
  auto original = imaging::ReadImageHeader(png_);
  EXPECT_NEAR(static_cast<double>(header->width) / header->height,
              static_cast<double>(original->width) / original->height, 0.01);

  struct stat made;
  ASSERT_EQ(::stat(ThumbnailPath(png_sha256_).c_str(), &made), 0);
  Read second = Get(Clinic(), case_id_, png_sha256_, 0, v1::IMAGE_VARIANT_THUMBNAIL);
  ASSERT_TRUE(second.status.ok()) << second.status.error_message();
  EXPECT_EQ(second.bytes, first.bytes);
  struct stat kept;
  ASSERT_EQ(::stat(ThumbnailPath(png_sha256_).c_str(), &kept), 0);
  EXPECT_EQ(kept.st_ino, made.st_ino);
  EXPECT_EQ(kept.st_mtim.tv_sec, made.st_mtim.tv_sec);
  EXPECT_EQ(kept.st_mtim.tv_nsec, made.st_mtim.tv_nsec);
}

TEST_F(ImageServiceTest, ConcurrentFirstThumbnailReadsAllGetTheSameWholeThumbnail) {
  std::vector<Read> reads(4);
  std::vector<std::thread> readers;
  for (Read& read : reads) {
    readers.emplace_back([&] { read = Get(Clinic(), case_id_, png_sha256_, 0, v1::IMAGE_VARIANT_THUMBNAIL); });
  }
  for (std::thread& reader : readers) reader.join();
  for (const Read& read : reads) {
    ASSERT_TRUE(read.status.ok()) << read.status.error_message();
    EXPECT_EQ(read.bytes, reads[0].bytes);
  }
  auto kept = blobs_->GetDerived(png_sha256_, kThumbnailVariant);
  ASSERT_TRUE(kept.ok() && kept->has_value());
  EXPECT_EQ((*kept)->bytes, reads[0].bytes);
  EXPECT_EQ((*kept)->recorded_sha256, Sha256Hex(reads[0].bytes));
}

TEST_F(ImageServiceTest, CorruptedBlobIsDataLossAndNotOneByteIsSent) {
  Damage(BlobPath(png_sha256_));
  Read original = Get(Clinic(), case_id_, png_sha256_);
  EXPECT_EQ(original.status.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_EQ(original.status.error_message(),
            absl::StrCat("image ", png_sha256_, " of case ", case_id_,
                         " is damaged in storage (its bytes no longer match their SHA-256) and cannot be served; "
                         "ask the clinic to send the photo again"));
  EXPECT_TRUE(original.chunks.empty());
  // Nor is a thumbnail made of it.
  Read thumbnail = Get(Clinic(), case_id_, png_sha256_, 0, v1::IMAGE_VARIANT_THUMBNAIL);
  EXPECT_EQ(thumbnail.status.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_TRUE(thumbnail.chunks.empty());
  EXPECT_FALSE(fs::exists(ThumbnailPath(png_sha256_)));
}

TEST_F(ImageServiceTest, DamagedThumbnailIsNeverServedButMadeAgainFromTheVerifiedOriginal) {
  Read first = Get(Clinic(), case_id_, png_sha256_, 0, v1::IMAGE_VARIANT_THUMBNAIL);
  ASSERT_TRUE(first.status.ok());
  Damage(ThumbnailPath(png_sha256_));
  Read again = Get(Clinic(), case_id_, png_sha256_, 0, v1::IMAGE_VARIANT_THUMBNAIL);
  ASSERT_TRUE(again.status.ok()) << again.status.error_message();
  EXPECT_EQ(again.bytes, first.bytes);
  EXPECT_EQ((*blobs_->GetDerived(png_sha256_, kThumbnailVariant))->bytes, first.bytes);
}

TEST_F(ImageServiceTest, EveryReadIsOneAuditEntryWithWhoTheCaseTheImageAndTheRole) {
  ASSERT_TRUE(Get(Clinic(), case_id_, png_sha256_).status.ok());
  ASSERT_EQ(Get(Clinic("clinic-eldoret-01"), case_id_, png_sha256_).status.error_code(), grpc::StatusCode::NOT_FOUND);
  audit::AuditLog log(redis_);
  std::vector<audit::AuditEntry> entries;
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        auto found = log.ByCase(case_id_, 10);
        if (found.ok()) entries = *found;
        return entries.size() >= 2;
      },
      absl::Seconds(10)));
  ASSERT_EQ(entries.size(), 2u);
  // Newest first.
  EXPECT_EQ(entries[1].action, "ImageService/GetImage");
  EXPECT_EQ(entries[1].subject, "device-clinic-kisumu-03");
  EXPECT_EQ(entries[1].role, "clinic");
  EXPECT_EQ(entries[1].outcome, "OK");
  EXPECT_EQ(entries[1].case_ids, std::vector<std::string>{case_id_});
  EXPECT_EQ(entries[1].detail, absl::StrCat("image ", png_sha256_));
  EXPECT_EQ(entries[0].subject, "device-clinic-eldoret-01");
  EXPECT_EQ(entries[0].outcome, "NOT_FOUND");
  EXPECT_EQ(entries[0].detail, absl::StrCat("image ", png_sha256_, "; no case ", case_id_));
}

}  // namespace
}  // namespace telederm::images
