// What the DICOM import and export share: the two SOP classes telederm
// speaks, DCMTK's logger kept off the service's stderr, and DICOM's date-time
// values. Internal to common/dicom.
#ifndef TELEDERM_COMMON_DICOM_DICOM_ATTRIBUTES_H_
#define TELEDERM_COMMON_DICOM_DICOM_ATTRIBUTES_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace telederm::dicom {

inline constexpr char kVlPhotographicImageStorage[] = "1.2.840.10008.5.1.4.1.1.77.1.4";
inline constexpr char kDermoscopicPhotographyImageStorage[] = "1.2.840.10008.5.1.4.1.1.77.1.7";

// DCMTK logs parse warnings through its own logger; errors reach the caller
// as statuses instead. Idempotent and thread-safe.
void SilenceDcmtkLogger();

// A DT value ("YYYYMMDD[HHMM[SS[.F]]][&ZZXX]", colons tolerated) or a DA and a
// TM value joined; without an offset the time is read as UTC. nullopt when
// it is not a valid date.
std::optional<absl::Time> ParseDicomDateTime(absl::string_view value);

// A 2.25 UID (ISO/IEC 9834-8) from the first 128 bits of SHA-256(`seed`):
// the same seed always gives the same UID.
std::string UidFromSeed(absl::string_view seed);

}  // namespace telederm::dicom

#endif  // TELEDERM_COMMON_DICOM_DICOM_ATTRIBUTES_H_
