#include "services/intake/quality_gate.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/imaging_proto/proto_adapters.h"

namespace telederm::intake {
namespace {

class QualityGate final : public ImageGate {
 public:
  QualityGate(const QualityGateOptions& options, std::shared_ptr<imaging::BoundedDecoder> decoder)
      : options_(options), decoder_(std::move(decoder)) {}

  absl::StatusOr<std::vector<v1::QualityFinding>> Inspect(absl::string_view bytes,
                                                          v1::Modality modality) const override {
    // The job may outlive this call (abandoned at the time limit): it owns a
    // copy of the bytes and its result.
    auto encoded = std::make_shared<const std::string>(bytes);
    auto report = std::make_shared<absl::StatusOr<imaging::QualityReport>>(absl::UnknownError("not run"));
    absl::Status ran = decoder_->Run([encoded, report, modality = imaging::FromProto(modality),
                                      thresholds = options_.thresholds, decode = options_.decode] {
      *report = imaging::CheckImageQuality(*encoded, modality, thresholds, decode);
    });
    const absl::Duration limit = decoder_->options().time_limit;
    if (absl::IsResourceExhausted(ran)) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "the service is checking other images right now (", ran.message(), "); nothing was lost: send the image ",
          "again in ", absl::FormatDuration(std::max(limit, absl::Seconds(1))), " (GetUploadStatus shows the bytes held)"));
    }
    if (absl::IsDeadlineExceeded(ran)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "image: could not be checked within ", absl::FormatDuration(limit),
          "; it is too large or too complex to decode. Send the photo as an ordinary camera JPEG ",
          "(at most about 12 megapixels), not a scan, panorama or edited export"));
    }
    if (!ran.ok()) return ran;
    if (!report->ok()) return report->status();
    std::vector<v1::QualityFinding> findings;
    for (const imaging::QualityFinding& finding : (*report)->findings) findings.push_back(imaging::ToProto(finding));
    return findings;
  }

 private:
  const QualityGateOptions options_;
  const std::shared_ptr<imaging::BoundedDecoder> decoder_;
};

}  // namespace

ImageGatePtr NewQualityGate(const QualityGateOptions& options) {
  return NewQualityGate(options, std::make_shared<imaging::BoundedDecoder>(options.bounds));
}

ImageGatePtr NewQualityGate(const QualityGateOptions& options, std::shared_ptr<imaging::BoundedDecoder> decoder) {
  return std::make_shared<QualityGate>(options, std::move(decoder));
}

}  // namespace telederm::intake
