#include "tools/cli/upload_progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace telederm::cli {
namespace {

std::string Size(double bytes) {
  if (bytes >= 1024 * 1024) return absl::StrFormat("%.1f MiB", bytes / (1024 * 1024));
  return absl::StrFormat("%.0f KiB", bytes / 1024);
}

}  // namespace

std::string FormatUploadProgress(const std::string& name, int64_t sent, int64_t total, absl::Duration elapsed,
                                 int width) {
  const double fraction = total > 0 ? std::clamp(static_cast<double>(sent) / static_cast<double>(total), 0.0, 1.0) : 1;
  const int filled = static_cast<int>(fraction * width + 0.5);
  std::string line = absl::StrCat("upload ", name, " [", std::string(filled, '#'), std::string(width - filled, '.'),
                                  "] ", absl::StrFormat("%3d%%", static_cast<int>(fraction * 100 + 1e-9)), "  ");
  if (total >= 1024 * 1024) {
    absl::StrAppend(&line, absl::StrFormat("%.1f/%.1f MiB", sent / 1048576.0, total / 1048576.0));
  } else {
    absl::StrAppend(&line, absl::StrFormat("%.0f/%.0f KiB", sent / 1024.0, total / 1024.0));
  }
  const double seconds = absl::ToDoubleSeconds(elapsed);
  if (seconds >= 0.05) absl::StrAppend(&line, "  ", Size(sent / seconds), "/s");
  return line;
}

UploadProgress::UploadProgress(std::string path, int64_t total, int64_t already_sent)
    : enabled_(isatty(STDERR_FILENO) == 1),
      name_(path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1)),
      total_(total),
      sent_(already_sent),
      first_(already_sent),
      start_(absl::Now()) {}

UploadProgress::~UploadProgress() {
  if (!enabled_) return;
  last_draw_ = absl::InfinitePast();
  Draw();
  std::fputs("\n", stderr);
}

void UploadProgress::Sent(int64_t bytes) {
  sent_ += bytes;
  if (enabled_ && absl::Now() - last_draw_ >= absl::Milliseconds(100)) Draw();
}

void UploadProgress::Draw() {
  last_draw_ = absl::Now();
  // The rate counts only this call's bytes; the bar counts what intake holds.
  std::string line = FormatUploadProgress(name_, sent_, total_, absl::ZeroDuration());
  const double seconds = absl::ToDoubleSeconds(last_draw_ - start_);
  if (seconds >= 0.05) absl::StrAppend(&line, "  ", Size((sent_ - first_) / seconds), "/s");
  std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
  std::fflush(stderr);
}

}  // namespace telederm::cli
