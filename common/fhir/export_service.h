#ifndef TELEDERM_COMMON_FHIR_EXPORT_SERVICE_H_
#define TELEDERM_COMMON_FHIR_EXPORT_SERVICE_H_

#include <memory>

#include <boost/asio/thread_pool.hpp>

#include "common/case_store/case_store.h"
#include "common/case_store/consult_thread.h"
#include "common/caller/caller.h"
#include "common/clock/clock.h"
#include "telederm/v1/fhir.grpc.pb.h"

namespace telederm::fhir {

// Who may export a case: a clinic its own cases; a specialist the cases of
// their pools and those they hold or reported; an administrator any case, but
// only with a break-glass reason (`break_glass`: the call carried a valid
// one; the policy gate has checked it and the audit entry records it).
// Everyone else sees NOT_FOUND, as for a missing case, so that ids leak nothing.
bool MayExport(const Caller& caller, const v1::Case& c, bool break_glass = false);

// telederm.v1.FhirExportService: reads the case and its consult thread and
// answers the FHIR bundle (fhir_bundle.h). Served by intake and referral.
// Thread-safe; work runs on its own executor, never in the gRPC reaction.
class FhirExportServiceImpl final : public v1::FhirExportService::CallbackService {
 public:
  FhirExportServiceImpl(std::shared_ptr<redis::Client> redis, ClockPtr clock);
  ~FhirExportServiceImpl() override;

  grpc::ServerUnaryReactor* ExportCaseFhir(grpc::CallbackServerContext* context,
                                           const v1::ExportCaseFhirRequest* request,
                                           v1::ExportCaseFhirResponse* response) override;

 private:
  CaseStore cases_;
  ConsultThread threads_;
  ClockPtr clock_;
  boost::asio::thread_pool executor_{2};
};

}  // namespace telederm::fhir

#endif  // TELEDERM_COMMON_FHIR_EXPORT_SERVICE_H_
