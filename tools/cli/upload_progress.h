#ifndef TELEDERM_TOOLS_CLI_UPLOAD_PROGRESS_H_
#define TELEDERM_TOOLS_CLI_UPLOAD_PROGRESS_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace telederm::cli {

// "upload ISIC_0026266.jpg [##########..........]  52%  1.2/2.3 MiB  840 KiB/s"
// (without the carriage return); `width` is the bar's length in characters.
std::string FormatUploadProgress(const std::string& name, int64_t sent, int64_t total, absl::Duration elapsed,
                                 int width = 20);

// A progress line for one image upload, redrawn in place on stderr at most ten
// times a second, and only when stderr is a terminal: scripts and pipes never
// see it. Not thread-safe; one per upload call.
class UploadProgress {
 public:
  UploadProgress(std::string path, int64_t total, int64_t already_sent);
  ~UploadProgress();  // ends the line
  void Sent(int64_t bytes);

 private:
  void Draw();
  bool enabled_;
  std::string name_;
  int64_t total_;
  int64_t sent_;
  int64_t first_;  // bytes held before this call (a resumed upload)
  absl::Time start_;
  absl::Time last_draw_ = absl::InfinitePast();
};

}  // namespace telederm::cli

#endif  // TELEDERM_TOOLS_CLI_UPLOAD_PROGRESS_H_
