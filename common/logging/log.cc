#include "common/logging/log.h"

#include <cstdio>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace telederm {
namespace {

absl::Mutex log_mutex;
std::string& Component() {
  static std::string* component = new std::string("telederm");
  return *component;
}

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return "INFO";
    case Severity::kWarning: return "WARN";
    case Severity::kError: return "ERROR";
  }
  return "INFO";
}

}  // namespace

void SetLogComponent(absl::string_view component) {
  absl::MutexLock lock(&log_mutex);
  Component() = std::string(component);
}

void Log(Severity severity, absl::string_view message) {
  std::string time = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone());
  absl::MutexLock lock(&log_mutex);
  std::string line = absl::StrCat(time, " ", SeverityName(severity), " ", Component(), ": ", message, "\n");
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace telederm
