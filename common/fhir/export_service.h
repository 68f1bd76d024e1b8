#ifndef TELEDERM_COMMON_FHIR_EXPORT_SERVICE_H_
#define TELEDERM_COMMON_FHIR_EXPORT_SERVICE_H_

#include <memory>

#include <boost/asio/thread_pool.hpp>

#include "common/access/case_access.h"
#include "common/case_store/consult_thread.h"
#include "common/caller/caller.h"
#include "common/clock/clock.h"
#include "telederm/v1/fhir.grpc.pb.h"

namespace telederm::fhir {

// telederm.v1.FhirExportService: reads the case and its consult thread and
// answers the FHIR bundle (fhir_bundle.h). Served by intake and referral.
// Who may export a case is CaseAccess's rule (CaseRead::kFhirExport): an
// administrator only with a break-glass reason, which the policy gate has
// checked and the audit entry records.
// Thread-safe; work runs on its own executor, never in the gRPC reaction.
class FhirExportServiceImpl final : public v1::FhirExportService::CallbackService {
 public:
  FhirExportServiceImpl(std::shared_ptr<redis::Client> redis, ClockPtr clock);
  ~FhirExportServiceImpl() override;

  grpc::ServerUnaryReactor* ExportCaseFhir(grpc::CallbackServerContext* context,
                                           const v1::ExportCaseFhirRequest* request,
                                           v1::ExportCaseFhirResponse* response) override;

 private:
  CaseAccess access_;
  ConsultThread threads_;
  ClockPtr clock_;
  boost::asio::thread_pool executor_{2};
};

}  // namespace telederm::fhir

#endif  // TELEDERM_COMMON_FHIR_EXPORT_SERVICE_H_
