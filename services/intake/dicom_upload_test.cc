// DICOM uploads through the real intake gRPC server, against a real
// redis-server and a blob store on disk. The files are made in the test by
// DCMTK's own tools (img2dcm, dcmdjpeg, dcmodify) from the shared sample images.
#include "services/intake/dicom_upload.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/case_state/timestamps.h"
#include "services/intake/intake_server_test.h"
#include "services/intake/quality_gate.h"
#include "services/intake/test_submissions.h"
#include "tests/harness/files.h"
#include "tests/harness/run_tool.h"
#include "tests/harness/temp_dir.h"

namespace telederm::intake {
namespace {

namespace fs = std::filesystem;

const std::string kMelanoma = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0025248.jpg";
constexpr char kDermoscopicSopClass[] = "1.2.840.10008.5.1.4.1.1.77.1.7";

// What identifies the patient in the test's files: none of it may be stored.
const std::vector<std::string> kIdentifying = {
    "Doe^Jane", "MRN-7731", "19610214", "Mill Lane", "Ruraltown", "Smith^Anna", "has a mole",
    "1.2.826.0.1.3680043.2.1143.777",  // the study, series and instance UIDs
};
const std::vector<std::string> kIdentifyingKeys = {
    "PatientName=Doe^Jane",
    "PatientID=MRN-7731",
    "PatientBirthDate=19610214",
    "PatientSex=F",
    "PatientAddress=12 Mill Lane^Ruraltown",
    "InstitutionName=Ruraltown Health Post",
    "ReferringPhysicianName=Smith^Anna",
    "ImageComments=Jane Doe has a mole on the left arm",
    "StudyInstanceUID=1.2.826.0.1.3680043.2.1143.777.1",
    "SeriesInstanceUID=1.2.826.0.1.3680043.2.1143.777.2",
    "SOPInstanceUID=1.2.826.0.1.3680043.2.1143.777.3",
};

class DicomUploadTest : public IntakeServerTest {
 protected:
  void SetUp() override {
    IntakeServerTest::SetUp();
    StartIntake(NewQualityGate());
    absl::StatusOr<std::string> dir = testing::MakeTempDir("dicom-upload");
    ASSERT_TRUE(dir.ok()) << dir.status();
    work_dir_ = *dir;
  }

  void TearDown() override {
    if (!work_dir_.empty()) fs::remove_all(work_dir_);
    IntakeServerTest::TearDown();
  }

  // Runs a DCMTK tool; fails the test unless it exits 0.
  void Run(std::vector<std::string> argv) {
    const std::string log = work_dir_ + "/tools.log";
    absl::StatusOr<int> exit_code = testing::RunTool(argv, log);
    ASSERT_TRUE(exit_code.ok()) << exit_code.status();
    ASSERT_EQ(*exit_code, 0) << argv[0] << " failed: " << testing::ReadFileBytes(log);
  }

  // img2dcm: the JPEG at `jpeg` as a VL Photographic file with the attributes `keys`; its path.
  std::string Img2dcm(const std::string& jpeg, const std::vector<std::string>& keys, const std::string& name) {
    std::vector<std::string> argv = {"img2dcm", "--vl-photo"};
    for (const std::string& key : keys) {
      argv.push_back("--key");
      argv.push_back(key);
    }
    const std::string out = absl::StrCat(work_dir_, "/", name);
    argv.push_back(jpeg);
    argv.push_back(out);
    Run(argv);
    return out;
  }

  // Uploads `bytes` declared as `modality` (a DICOM file goes in like any image).
  grpc::Status UploadAs(const std::string& bytes, v1::Modality modality, v1::UploadImageResponse* response) {
    auto context = As("clinic-a");
    auto writer = stub_->UploadImage(context.get(), response);
    v1::UploadImageRequest header;
    header.mutable_header()->set_sha256(Sha256Hex(bytes));
    header.mutable_header()->set_size_bytes(static_cast<int64_t>(bytes.size()));
    header.mutable_header()->set_content_type("application/dicom");
    header.mutable_header()->set_modality(modality);
    writer->Write(header);
    v1::UploadImageRequest chunk;
    chunk.set_chunk(bytes);
    writer->Write(chunk);
    writer->WritesDone();
    return writer->Finish();
  }

  // Every value Redis holds, whatever its type, concatenated.
  std::string EverythingInRedis() {
    std::string all;
    absl::StatusOr<redis::Reply> keys = redis_->Command({"KEYS", "*"});
    EXPECT_TRUE(keys.ok()) << keys.status();
    if (!keys.ok()) return all;
    for (const redis::Reply& key : keys->elements) {
      absl::StatusOr<redis::Reply> type = redis_->Command({"TYPE", key.str});
      if (!type.ok()) continue;
      std::vector<std::string> read = {"GET", key.str};
      if (type->str == "hash") read = {"HGETALL", key.str};
      if (type->str == "list") read = {"LRANGE", key.str, "0", "-1"};
      if (type->str == "set") read = {"SMEMBERS", key.str};
      if (type->str == "zset") read = {"ZRANGE", key.str, "0", "-1"};
      if (type->str == "stream") read = {"XRANGE", key.str, "-", "+"};
      absl::StatusOr<redis::Reply> value = redis_->Command(read);
      EXPECT_TRUE(value.ok()) << key.str << ": " << value.status();
      if (value.ok()) absl::StrAppend(&all, key.str, "\n", value->DebugString(), Flatten(*value), "\n");
    }
    return all;
  }

  static std::string Flatten(const redis::Reply& reply) {
    std::string all = reply.str;
    for (const redis::Reply& element : reply.elements) all += Flatten(element);
    return all;
  }

  // Every file under the blob store (blobs, derived variants, upload sessions), concatenated.
  std::string EverythingInBlobStore() {
    std::string all;
    for (const auto& entry : fs::recursive_directory_iterator(blob_dir_)) {
      if (entry.is_regular_file()) all += testing::ReadFileBytes(entry.path().string());
    }
    return all;
  }

  std::string work_dir_;
};

TEST_F(DicomUploadTest, DermoscopyFileIsStoredAsItsJpegWithItsAttributesAndNothingThatNamesThePatient) {
  std::vector<std::string> keys = kIdentifyingKeys;
  keys.insert(keys.end(), {absl::StrCat("SOPClassUID=", kDermoscopicSopClass), "Modality=DMS",
                           "BodyPartExamined=ARM", "PixelSpacing=0.02\\0.02",
                           "AcquisitionDateTime=20260301093015+0100"});
  const std::string file = testing::ReadFileBytes(Img2dcm(kMelanoma, keys, "dermoscopy.dcm"));
  ASSERT_TRUE(absl::StrContains(file, "Doe^Jane"));

  v1::UploadImageResponse response;
  grpc::Status status = UploadAs(file, v1::MODALITY_CLINICAL_CLOSE_UP, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();

  // The file's own JPEG (HAM10000's has no APPn or COM segment), stored as is.
  const std::string jpeg = testing::ReadFileBytes(kMelanoma);
  const v1::ImageRef& image = response.image();
  EXPECT_EQ(image.sha256(), Sha256Hex(jpeg));
  EXPECT_EQ(**blobs_->Get(image.sha256()), jpeg);
  EXPECT_EQ(image.size_bytes(), static_cast<int64_t>(jpeg.size()));
  EXPECT_EQ(image.content_type(), "image/jpeg");
  EXPECT_EQ(image.modality(), v1::MODALITY_DERMOSCOPY);  // the SOP class says so, whatever was declared
  EXPECT_DOUBLE_EQ(image.pixel_size_mm(), 0.02);
  EXPECT_EQ(image.recorded_body_part(), "ARM");
  EXPECT_EQ(FromProtoTimestamp(image.acquired_at()), absl::FromUnixSeconds(1772353815));  // 2026-03-01 08:30:15 UTC
  // The same gate as any upload: a 600x450 image is warned about.
  ASSERT_GE(response.warnings_size(), 1);
  EXPECT_EQ(response.warnings(0).code(), "low_resolution");
  EXPECT_FALSE(blobs_->Get(Sha256Hex(file))->has_value());

  v1::CaseSubmission submission = ValidTumourSubmission(image.sha256());
  *submission.mutable_images(0) = image;
  v1::SubmitCaseResponse submitted;
  status = Submit("clinic-a", submission, "dicom-case", &submitted);
  ASSERT_TRUE(status.ok()) << status.error_message();

  const std::string redis = EverythingInRedis();
  const std::string blobs = EverythingInBlobStore();
  ASSERT_TRUE(absl::StrContains(redis, submitted.case_id()));  // the scan sees the case record
  ASSERT_TRUE(absl::StrContains(redis, "ARM"));
  for (const std::string& value : kIdentifying) {
    EXPECT_FALSE(absl::StrContains(redis, value)) << value << " is in Redis";
    EXPECT_FALSE(absl::StrContains(blobs, value)) << value << " is in the blob store";
  }
  EXPECT_FALSE(absl::StrContains(blobs, "DICM")) << "a DICOM file is in the blob store";
}

TEST_F(DicomUploadTest, CommentInTheEncapsulatedJpegIsDroppedWithTheFile) {
  // The sample JPEG with a COM segment naming the patient, right after SOI.
  std::string jpeg = testing::ReadFileBytes(kMelanoma);
  const std::string comment = "Patient Doe^Jane MRN-7731";
  const std::string segment = absl::StrCat("\xFF\xFE", std::string(1, '\0'),
                                           std::string(1, static_cast<char>(comment.size() + 2)), comment);
  const std::string commented = jpeg.substr(0, 2) + segment + jpeg.substr(2);
  const std::string commented_path = work_dir_ + "/commented.jpg";
  std::ofstream(commented_path, std::ios::binary) << commented;
  const std::string file = testing::ReadFileBytes(Img2dcm(commented_path, {}, "commented.dcm"));
  ASSERT_TRUE(absl::StrContains(file, comment));

  v1::UploadImageResponse response;
  grpc::Status status = UploadAs(file, v1::MODALITY_DERMOSCOPY, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(**blobs_->Get(response.image().sha256()), jpeg);
  EXPECT_FALSE(absl::StrContains(EverythingInBlobStore(), "Doe^Jane"));
}

TEST_F(DicomUploadTest, UncompressedFilesAreStoredAsPngOfTheSamePixels) {
  const std::string compressed = Img2dcm(kMelanoma, kIdentifyingKeys, "compressed.dcm");
  for (const std::string syntax : {"+te", "+ti"}) {  // explicit and implicit VR little endian
    SCOPED_TRACE(syntax);
    const std::string path = absl::StrCat(work_dir_, "/uncompressed", syntax, ".dcm");
    Run({"dcmdjpeg", syntax, compressed, path});
    const std::string file = testing::ReadFileBytes(path);

    v1::UploadImageResponse response;
    grpc::Status status = UploadAs(file, v1::MODALITY_DERMOSCOPY, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.image().content_type(), "image/png");
    EXPECT_EQ(response.image().modality(), v1::MODALITY_DERMOSCOPY);
    const std::string png = **blobs_->Get(response.image().sha256());
    ASSERT_EQ(png.substr(0, 8), "\x89PNG\r\n\x1a\n");
    cv::Mat stored = cv::imdecode(cv::Mat(1, static_cast<int>(png.size()), CV_8UC1, const_cast<char*>(png.data())),
                                  cv::IMREAD_COLOR);
    cv::Mat original = cv::imread(kMelanoma, cv::IMREAD_COLOR);
    ASSERT_EQ(stored.size(), original.size());
    // dcmdjpeg and OpenCV decode the same JPEG with the same libjpeg: the same pixels, near enough.
    EXPECT_LT(cv::norm(stored, original, cv::NORM_INF), 8);
    ASSERT_GE(response.warnings_size(), 1);
    EXPECT_EQ(response.warnings(0).code(), "low_resolution");
    const std::string blobs = EverythingInBlobStore();
    for (const std::string& value : kIdentifying) EXPECT_FALSE(absl::StrContains(blobs, value)) << value;
  }
}

TEST_F(DicomUploadTest, TheServicesPixelLimitDecidesBeforeTheFilesPixelsAreRead) {
  const std::string uncompressed = work_dir_ + "/uncompressed.dcm";
  Run({"dcmdjpeg", Img2dcm(kMelanoma, {}, "good.dcm"), uncompressed});
  Run({"dcmodify", "--no-backup", "--modify", "Rows=5000", "--modify", "Columns=5000", uncompressed});
  const std::string file = testing::ReadFileBytes(uncompressed);

  // 25 MP is within the default limit: the file is refused for its short pixel data instead.
  v1::UploadImageResponse response;
  grpc::Status status = UploadAs(file, v1::MODALITY_DERMOSCOPY, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_FALSE(absl::StrContains(status.error_message(), "megapixels")) << status.error_message();

  // An intake run with --max_image_megapixels=20 refuses it for its size, naming that limit.
  server_->Shutdown(absl::Seconds(1));
  IntakeOptions options;
  options.max_image_pixels = 20'000'000;
  StartIntake(NewQualityGate(), options);
  status = UploadAs(file, v1::MODALITY_DERMOSCOPY, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "dicom: the image is 5000x5000 pixels, above the limit of 20 megapixels: export it at a smaller size");
  EXPECT_EQ(EverythingInBlobStore(), "");
}

TEST_F(DicomUploadTest, MalformedFilesAreInvalidArgumentWithWhatToDoAndNothingIsStored) {
  const std::string good = Img2dcm(kMelanoma, {}, "good.dcm");
  const std::string uncompressed = work_dir_ + "/uncompressed.dcm";
  Run({"dcmdjpeg", good, uncompressed});
  const std::string huge = work_dir_ + "/huge.dcm";
  fs::copy_file(uncompressed, huge);
  Run({"dcmodify", "--no-backup", "--modify", "Rows=65535", "--modify", "Columns=65535", huge});
  const std::string sixteen_bits = work_dir_ + "/sixteen.dcm";
  fs::copy_file(uncompressed, sixteen_bits);
  Run({"dcmodify", "--no-backup", "--modify", "BitsAllocated=16", sixteen_bits});
  const std::string secondary_capture = work_dir_ + "/sc.dcm";
  Run({"img2dcm", kMelanoma, secondary_capture});

  // The pixel data declaring 3 GB in a file of under 1 MB.
  std::string lying = testing::ReadFileBytes(uncompressed);
  const size_t pixel_data = lying.rfind(std::string("\xE0\x7F\x10\x00OW\x00\x00", 8));
  ASSERT_NE(pixel_data, std::string::npos);
  lying.replace(pixel_data + 8, 4, std::string("\x00\x00\x00\xC0", 4));

  const std::string file = testing::ReadFileBytes(good);
  const std::string kDamaged =
      "dicom: the file is damaged or incomplete: export the image again from the dermatoscope or PACS";
  struct Case {
    std::string name;
    std::string bytes;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"truncated in the pixel data", file.substr(0, file.size() - 4000), kDamaged},
      {"truncated in the header", file.substr(0, 300), kDamaged},
      {"no data set", file.substr(0, 132), kDamaged},
      {"a length beyond the end of the file", lying, kDamaged},
      {"a decompression bomb", testing::ReadFileBytes(huge),
       "dicom: the image is 65535x65535 pixels, above the limit of 50 megapixels: export it at a smaller size"},
      {"16-bit pixels", testing::ReadFileBytes(sixteen_bits),
       "dicom: pixel data of 16 bits per sample is not supported: export the photo with 8 bits per sample"},
      {"a secondary capture", testing::ReadFileBytes(secondary_capture),
       "dicom: SOP class 1.2.840.10008.5.1.4.1.1.7 is not a skin photograph: send VL Photographic Image "
       "(1.2.840.10008.5.1.4.1.1.77.1.4) or Dermoscopic Photography Image (1.2.840.10008.5.1.4.1.1.77.1.7) "
       "Storage"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::UploadImageResponse response;
    grpc::Status status = UploadAs(c.bytes, v1::MODALITY_DERMOSCOPY, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message(), c.message);
  }
  EXPECT_EQ(EverythingInBlobStore(), "");  // no blob, no upload session left
  // The service is still there, and takes the good file.
  v1::UploadImageResponse response;
  grpc::Status status = UploadAs(file, v1::MODALITY_DERMOSCOPY, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

}  // namespace
}  // namespace telederm::intake
