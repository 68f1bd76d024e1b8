#include "services/web/static_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

namespace telederm::web {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("telederm-static-" + std::to_string(::getpid()));
    fs::create_directories(root_ / "static" / "css");
    std::ofstream(root_ / "static" / "index.html") << "<!doctype html>";
    std::ofstream(root_ / "static" / "css" / "site.css") << "body{}";
    std::ofstream(root_ / "secret.txt") << "secret";
    std::ofstream(root_ / "icd10.tsv") << "D48.5\tNeoplasm\n";
    fs::create_symlink(root_ / "secret.txt", root_ / "static" / "escape.txt");
  }
  void TearDown() override { fs::remove_all(root_); }

  StaticFiles Open() {
    absl::StatusOr<StaticFiles> files = StaticFiles::Open((root_ / "static").string(), (root_ / "icd10.tsv").string());
    EXPECT_TRUE(files.ok()) << files.status();
    return *files;
  }

  fs::path root_;
};

TEST_F(StaticFilesTest, RootIsTheIndexPage) {
  absl::StatusOr<StaticFile> file = Open().Find("/");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->path.filename(), "index.html");
  EXPECT_EQ(file->content_type, "text/html; charset=utf-8");
}

TEST_F(StaticFilesTest, NestedFileHasItsContentType) {
  absl::StatusOr<StaticFile> file = Open().Find("/static/css/site.css");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->content_type, "text/css; charset=utf-8");
}

TEST_F(StaticFilesTest, Icd10TableComesFromItsFlag) {
  absl::StatusOr<StaticFile> file = Open().Find("/static/icd10.tsv");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->path, root_ / "icd10.tsv");
  EXPECT_EQ(file->content_type, "text/tab-separated-values; charset=utf-8");
}

TEST_F(StaticFilesTest, NothingOutsideTheDirectoryIsFound) {
  StaticFiles files = Open();
  for (const char* path : {"/static/../secret.txt", "/static/css/../../secret.txt", "/static/./index.html",
                           "/static//index.html", "/static/css", "/static/", "/static/escape.txt",
                           "/static/..\\secret.txt", "/secret.txt", "/static/missing.js"}) {
    absl::StatusOr<StaticFile> file = files.Find(path);
    EXPECT_EQ(file.status().code(), absl::StatusCode::kNotFound) << path;
    EXPECT_EQ(file.status().message(), std::string("no page at ") + path);
  }
}

TEST_F(StaticFilesTest, MissingDirectoryNamesTheFlag) {
  absl::StatusOr<StaticFiles> files = StaticFiles::Open((root_ / "nope").string(), (root_ / "icd10.tsv").string());
  EXPECT_EQ(files.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(files.status().message(), "--static_dir: no directory at '" + (root_ / "nope").string() + "'");
}

}  // namespace
}  // namespace telederm::web
