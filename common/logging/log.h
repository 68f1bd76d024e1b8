#ifndef TELEDERM_COMMON_LOGGING_LOG_H_
#define TELEDERM_COMMON_LOGGING_LOG_H_

#include "absl/strings/string_view.h"

namespace telederm {

enum class Severity { kInfo, kWarning, kError };

// Names the process in every log line ("intake", "triage", ...). Call once at start.
void SetLogComponent(absl::string_view component);

// Writes one line to stderr: time, severity, component, message. Safe from any thread.
// Never log patient data here: case ids and clinic ids only.
void Log(Severity severity, absl::string_view message);
inline void LogInfo(absl::string_view message) { Log(Severity::kInfo, message); }
inline void LogWarning(absl::string_view message) { Log(Severity::kWarning, message); }
inline void LogError(absl::string_view message) { Log(Severity::kError, message); }

}  // namespace telederm

#endif  // TELEDERM_COMMON_LOGGING_LOG_H_
