#include "common/dicom/dicom_attributes.h"

#include <cctype>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "common/blob/blob_store.h"
#include "dcmtk/config/osconfig.h"
#include "dcmtk/oflog/oflog.h"

namespace telederm::dicom {

void SilenceDcmtkLogger() {
  static std::once_flag once;
  std::call_once(once, [] { OFLog::configure(OFLogger::OFF_LOG_LEVEL); });
}

namespace {

// `digits` characters of `text` from `at` as a number, or -1.
int Field(const std::string& text, size_t at, size_t digits) {
  int value = 0;
  if (at + digits > text.size() || !absl::SimpleAtoi(text.substr(at, digits), &value)) return -1;
  return value;
}

}  // namespace

std::optional<absl::Time> ParseDicomDateTime(absl::string_view value) {
  std::string text;
  int offset_seconds = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '+' || c == '-') {
      const std::string zone(value.substr(i + 1));
      int hours = Field(zone, 0, 2), minutes = Field(zone, 2, 2);
      if (zone.size() != 4 || hours < 0 || hours > 14 || minutes < 0 || minutes > 59) return std::nullopt;
      offset_seconds = (c == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
      break;
    }
    if (c == '.') {  // fractions of a second: not kept
      while (i + 1 < value.size() && absl::ascii_isdigit(static_cast<unsigned char>(value[i + 1]))) ++i;
      continue;
    }
    if (c == ':' || c == ' ') continue;
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    text.push_back(c);
  }
  if (text.size() < 8 || text.size() > 14 || text.size() % 2 != 0) return std::nullopt;
  text.resize(14, '0');
  const int year = Field(text, 0, 4), month = Field(text, 4, 2), day = Field(text, 6, 2);
  const int hour = Field(text, 8, 2), minute = Field(text, 10, 2), second = Field(text, 12, 2);
  if (year < 1900 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  const absl::CivilSecond civil(year, month, day, hour, minute, second);
  if (civil.day() != day) return std::nullopt;  // 31 April and the like
  return absl::FromCivil(civil, absl::FixedTimeZone(offset_seconds));
}

std::string UidFromSeed(absl::string_view seed) {
  const std::string hex = Sha256Hex(seed);
  unsigned __int128 number = 0;
  for (size_t i = 0; i < 32; ++i) {
    const char c = hex[i];
    number = (number << 4) | static_cast<unsigned>(c <= '9' ? c - '0' : c - 'a' + 10);
  }
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(number % 10)));
    number /= 10;
  } while (number != 0);
  return "2.25." + digits;
}

}  // namespace telederm::dicom
