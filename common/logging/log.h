#ifndef TELEDERM_COMMON_LOGGING_LOG_H_
#define TELEDERM_COMMON_LOGGING_LOG_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace telederm {

enum class Severity { kInfo, kWarning, kError };

// kText: "2024-05-01T10:00:00.000Z INFO intake: message" (the default).
// kJson: one JSON object per line, for log shippers:
//   {"ts":"...","level":"INFO","component":"intake","msg":"...","case_id":"c-..."}
// case_id is the scoped one (ScopedLogCaseId), else the first case id the
// message names; extra fields follow.
enum class LogFormat { kText, kJson };

// Names the process in every log line ("intake", "triage", ...). Call once at start.
void SetLogComponent(absl::string_view component);
void SetLogFormat(LogFormat format);
// "text" or "json"; false for anything else.
bool ParseLogFormat(absl::string_view text, LogFormat* format);

using LogFields = std::vector<std::pair<std::string, std::string>>;

// Writes one line to stderr: time, severity, component, message. Safe from any thread.
// Never log patient data here: case ids and clinic ids only.
void Log(Severity severity, absl::string_view message);
// The same with structured fields (in text mode appended as key=value).
void Log(Severity severity, absl::string_view message, const LogFields& fields);
inline void LogInfo(absl::string_view message) { Log(Severity::kInfo, message); }
inline void LogWarning(absl::string_view message) { Log(Severity::kWarning, message); }
inline void LogError(absl::string_view message) { Log(Severity::kError, message); }

// While alive, every line this thread logs carries `case_id` (a stream
// handler working on one case). Nests; not for use across threads.
class ScopedLogCaseId {
 public:
  explicit ScopedLogCaseId(std::string case_id);
  ~ScopedLogCaseId();
  ScopedLogCaseId(const ScopedLogCaseId&) = delete;
  ScopedLogCaseId& operator=(const ScopedLogCaseId&) = delete;

 private:
  std::string previous_;
};

// A log line's time: UTC with milliseconds, "2024-05-01T10:00:00.000Z".
std::string FormatLogTime(absl::Time time);

// The line Log would write, without the trailing newline (for tests).
std::string FormatLogLine(LogFormat format, Severity severity, absl::string_view time, absl::string_view component,
                          absl::string_view message, const LogFields& fields);

}  // namespace telederm

#endif  // TELEDERM_COMMON_LOGGING_LOG_H_
