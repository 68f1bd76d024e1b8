// libFuzzer target: what intake does with an uploaded DICOM file's bytes —
// parse it with DCMTK, unwrap the JPEG or decode the uncompressed pixels to
// PNG, read the acquisition attributes (common/dicom, docs/DICOM.md).
#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "common/dicom/dicom_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The services' limit is 50 MP; a fuzzer's memory budget wants less, and the
  // Rows x Columns check that enforces it is the same code either way.
  telederm::dicom::ImportOptions options;
  options.max_pixels = 4'000'000;
  (void)telederm::dicom::ImportDicom(bytes, options);
  return 0;
}
