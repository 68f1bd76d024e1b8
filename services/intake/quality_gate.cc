#include "services/intake/quality_gate.h"

#include <string>

#include "common/imaging_proto/proto_adapters.h"

namespace telederm::intake {
namespace {

class QualityGate final : public ImageGate {
 public:
  QualityGate(const imaging::QualityThresholds& thresholds, const imaging::DecodeOptions& decode_options)
      : thresholds_(thresholds), decode_options_(decode_options) {}

  absl::StatusOr<std::vector<v1::QualityFinding>> Inspect(absl::string_view bytes,
                                                          v1::Modality modality) const override {
    absl::StatusOr<imaging::QualityReport> report =
        imaging::CheckImageQuality(std::string_view(bytes.data(), bytes.size()), imaging::FromProto(modality),
                                   thresholds_, decode_options_);
    if (!report.ok()) return report.status();
    std::vector<v1::QualityFinding> findings;
    for (const imaging::QualityFinding& finding : report->findings) findings.push_back(imaging::ToProto(finding));
    return findings;
  }

 private:
  const imaging::QualityThresholds thresholds_;
  const imaging::DecodeOptions decode_options_;
};

}  // namespace

ImageGatePtr NewQualityGate(const imaging::QualityThresholds& thresholds,
                            const imaging::DecodeOptions& decode_options) {
  return std::make_shared<QualityGate>(thresholds, decode_options);
}

}  // namespace telederm::intake
