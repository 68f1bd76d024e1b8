#include "common/logging/log.h"

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace telederm {
namespace {

absl::Mutex log_mutex;
std::atomic<LogFormat> log_format{LogFormat::kText};
thread_local std::string scoped_case_id;

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

void AppendJsonString(std::string& out, absl::string_view text) {
  out.push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

// The first case id ("c-" and 26 Crockford base32 characters, common/ids) in `message`.
std::string CaseIdIn(absl::string_view message) {
  for (size_t at = message.find("c-"); at != absl::string_view::npos; at = message.find("c-", at + 1)) {
    if (at > 0 && absl::ascii_isalnum(static_cast<unsigned char>(message[at - 1]))) continue;
    if (at + 28 > message.size()) break;
    absl::string_view candidate = message.substr(at, 28);
    bool ok = true;
    for (char c : candidate.substr(2)) {
      if (!(absl::ascii_isdigit(static_cast<unsigned char>(c)) || absl::ascii_isupper(static_cast<unsigned char>(c)))) {
        ok = false;
        break;
      }
    }
    if (ok && (at + 28 == message.size() || !absl::ascii_isalnum(static_cast<unsigned char>(message[at + 28])))) {
      return std::string(candidate);
    }
  }
  return "";
}

}  // namespace

void SetLogComponent(absl::string_view component) {
  absl::MutexLock lock(&log_mutex);
  Component() = std::string(component);
}

void SetLogFormat(LogFormat format) { log_format = format; }

bool ParseLogFormat(absl::string_view text, LogFormat* format) {
  if (text == "text") {
    *format = LogFormat::kText;
  } else if (text == "json") {
    *format = LogFormat::kJson;
  } else {
    return false;
  }
  return true;
}

std::string FormatLogLine(LogFormat format, Severity severity, absl::string_view time, absl::string_view component,
                          absl::string_view message, const LogFields& fields) {
  if (format == LogFormat::kText) {
    std::string line = absl::StrCat(time, " ", SeverityName(severity), " ", component, ": ", message);
    for (const auto& [key, value] : fields) absl::StrAppend(&line, " ", key, "=", value);
    return line;
  }
  std::string line = "{\"ts\":";
  AppendJsonString(line, time);
  line += ",\"level\":";
  AppendJsonString(line, SeverityName(severity));
  line += ",\"component\":";
  AppendJsonString(line, component);
  line += ",\"msg\":";
  AppendJsonString(line, message);
  bool has_case_id = false;
  for (const auto& field : fields) has_case_id = has_case_id || field.first == "case_id";
  std::string case_id = has_case_id ? "" : (scoped_case_id.empty() ? CaseIdIn(message) : scoped_case_id);
  if (!case_id.empty()) {
    line += ",\"case_id\":";
    AppendJsonString(line, case_id);
  }
  for (const auto& [key, value] : fields) {
    line += ",";
    AppendJsonString(line, key);
    line += ":";
    AppendJsonString(line, value);
  }
  line += "}";
  return line;
}

std::string FormatLogTime(absl::Time time) {
  // Formatting a time zone's calendar fields is most of a log line's cost;
  // a thread formats each second once and writes the milliseconds itself.
  thread_local int64_t cached_second = std::numeric_limits<int64_t>::min();
  thread_local std::string cached;  // "2024-05-01T10:00:00"
  const absl::Duration since_epoch = time - absl::UnixEpoch();
  const int64_t second = absl::ToInt64Seconds(absl::Floor(since_epoch, absl::Seconds(1)));
  const int64_t millis = absl::ToInt64Milliseconds(absl::Floor(since_epoch, absl::Milliseconds(1))) - second * 1000;
  if (second != cached_second) {
    cached = absl::FormatTime("%Y-%m-%dT%H:%M:%S", absl::FromUnixSeconds(second), absl::UTCTimeZone());
    cached_second = second;
  }
  return absl::StrFormat("%s.%03dZ", cached, millis);
}

void Log(Severity severity, absl::string_view message) { Log(severity, message, {}); }

void Log(Severity severity, absl::string_view message, const LogFields& fields) {
  std::string time = FormatLogTime(absl::Now());
  absl::MutexLock lock(&log_mutex);
  std::string line = FormatLogLine(log_format, severity, time, Component(), message, fields);
  line.push_back('\n');
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

ScopedLogCaseId::ScopedLogCaseId(std::string case_id) : previous_(std::move(scoped_case_id)) {
  scoped_case_id = std::move(case_id);
}

ScopedLogCaseId::~ScopedLogCaseId() { scoped_case_id = std::move(previous_); }

}  // namespace telederm
