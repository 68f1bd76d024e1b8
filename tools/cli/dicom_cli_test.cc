// DICOM in and out through the `telederm` CLI and the real intake service
// (its gRPC server, the image service, a real redis-server, a blob store on
// disk): a clinic submits DICOM files made by DCMTK's img2dcm, then exports
// the case with `telederm dicom`, and DCMTK's dcmdump and dcm2pnm read the
// files back.
#include <filesystem>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "common/blob/blob_store.h"
#include "common/clock/clock.h"
#include "common/images/image_service.h"
#include "common/server/grpc_server.h"
#include "services/intake/intake_service.h"
#include "services/intake/quality_gate.h"
#include "tests/harness/files.h"
#include "tests/harness/redis_test.h"
#include "tests/harness/run_tool.h"
#include "tests/harness/temp_dir.h"
#include "tools/cli/cli.h"

namespace telederm::cli {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kDermoscopy = std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0025248.jpg";
const std::string kClinicalPhoto = std::string(TELEDERM_TEST_DATA_DIR) + "/images/pad-ufes-20/PAT_1161_578_233.jpg";

class DicomCliTest : public testing::RedisTest {
 protected:
  void SetUp() override {
    RedisTest::SetUp();
    absl::StatusOr<std::string> dir = testing::MakeTempDir("dicom-cli");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *dir;
    fs::create_directories(dir_ + "/blobs");
    BlobStorePtr blobs = *OpenDirectoryBlobStore(dir_ + "/blobs");
    intake_ = std::make_unique<intake::IntakeServiceImpl>(
        intake::IntakeDependencies{redis_, blobs, RealClock(), intake::NewQualityGate()}, intake::IntakeOptions{});
    images_ = std::make_unique<images::ImageServiceImpl>(redis_, blobs);
    auto server = GrpcServer::Start("127.0.0.1:0", {intake_.get(), images_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    address_ = absl::StrCat("127.0.0.1:", server_->port());
  }

  void TearDown() override {
    if (server_) server_->Shutdown(absl::Seconds(1));
    server_.reset();
    images_.reset();
    intake_.reset();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  int Cli(const std::string& clinic, std::vector<std::string> args) {
    std::vector<std::string> full = {"--clinic", clinic, "--intake", address_, "--deadline", "30s"};
    full.insert(full.end(), args.begin(), args.end());
    out_.str("");
    err_.str("");
    return RunCli(full, [](const char*) { return std::nullopt; }, out_, err_);
  }

  // Runs a DCMTK tool; its output, or "" with a test failure unless it exits 0.
  std::string Tool(std::vector<std::string> argv) {
    const std::string log = absl::StrCat(dir_, "/", argv[0], ".log");
    fs::remove(log);
    absl::StatusOr<int> exit_code = testing::RunTool(argv, log);
    EXPECT_TRUE(exit_code.ok()) << exit_code.status();
    EXPECT_EQ(exit_code.value_or(-1), 0) << argv[0] << ": " << testing::ReadFileBytes(log);
    return testing::ReadFileBytes(log);
  }

  std::string dir_;
  std::unique_ptr<intake::IntakeServiceImpl> intake_;
  std::unique_ptr<images::ImageServiceImpl> images_;
  std::unique_ptr<GrpcServer> server_;
  std::string address_;
  std::ostringstream out_, err_;
};

TEST_F(DicomCliTest, ClinicSubmitsDicomFilesAndExportsTheCaseAsDicomWithOnlyItsPseudonym) {
  const std::string dermoscopy = dir_ + "/dermoscopy.dcm";
  Tool({"img2dcm", "--vl-photo", "--key", "SOPClassUID=1.2.840.10008.5.1.4.1.1.77.1.7", "--key", "Modality=DMS",
        "--key", "PatientName=Doe^Jane", "--key", "PatientID=MRN-7731", "--key", "PixelSpacing=0.02\\0.02",
        kDermoscopy, dermoscopy});
  const std::string clinical = dir_ + "/clinical.dcm";
  Tool({"img2dcm", "--vl-photo", "--key", "PatientName=Doe^Jane", kClinicalPhoto, clinical});

  ASSERT_EQ(Cli("clinic-a", {"submit", "--type", "tumour", "--patient", "pt-0042", "--age", "61", "--sex", "female",
                             "--site", "back", "--question", "Growing mole?", "--consent", "--image",
                             dermoscopy + ":dermoscopy", "--image", clinical + ":clinical-close-up"}),
            kExitOk)
      << err_.str();
  std::smatch match;
  const std::string submitted = out_.str();
  ASSERT_TRUE(std::regex_search(submitted, match, std::regex("submitted (c-[A-Za-z0-9]+)"))) << submitted;
  const std::string case_id = match[1];

  const std::string out = dir_ + "/pacs";
  ASSERT_EQ(Cli("clinic-a", {"dicom", case_id, "--out", out}), kExitOk) << err_.str();
  const std::string jpeg_sha = Sha256Hex(testing::ReadFileBytes(kDermoscopy));
  EXPECT_THAT(out_.str(), HasSubstr(absl::StrCat("wrote ", out, "/", jpeg_sha,
                                                 ".dcm dermoscopic-photography patient_id=pt-0042")));
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(out)) files.push_back(entry.path().string());
  ASSERT_EQ(files.size(), 2u);

  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    const bool dermoscopic = file == absl::StrCat(out, "/", jpeg_sha, ".dcm");
    const std::string dump = Tool({"dcmdump", file});
    EXPECT_THAT(dump, HasSubstr("(0010,0020) LO [pt-0042]"));
    EXPECT_THAT(dump, HasSubstr("(0010,0010) PN (no value available)"));
    EXPECT_THAT(dump, HasSubstr("(0010,0030) DA (no value available)"));
    EXPECT_THAT(dump, Not(HasSubstr("Doe^Jane")));
    EXPECT_THAT(dump, Not(HasSubstr("MRN-7731")));
    EXPECT_THAT(dump, HasSubstr(dermoscopic ? "=DermoscopicPhotographyImageStorage" : "=VLPhotographicImageStorage"));
    EXPECT_THAT(dump, HasSubstr(dermoscopic ? "(0008,0060) CS [DMS]" : "(0008,0060) CS [XC]"));
    if (dermoscopic) {
      EXPECT_THAT(dump, HasSubstr("(0028,0010) US 450"));
      EXPECT_THAT(dump, HasSubstr("(0028,0011) US 600"));
      EXPECT_THAT(dump, HasSubstr("(0028,0030) DS [0.02\\0.02]"));
    }
    const std::string pnm = file + ".ppm";
    Tool({"dcm2pnm", "--write-raw-pnm", file, pnm});
    if (dermoscopic) {
      EXPECT_EQ(testing::ReadFileBytes(pnm).substr(0, 15), "P6\n600 450\n255\n");
    }
  }

  // Another clinic's case is not found, as an unknown one.
  EXPECT_NE(Cli("clinic-b", {"dicom", case_id, "--out", dir_ + "/other"}), kExitOk);
  EXPECT_THAT(err_.str(), HasSubstr("NOT_FOUND"));
}

}  // namespace
}  // namespace telederm::cli
