#ifndef TELEDERM_SERVICES_INTAKE_UPLOAD_REACTOR_H_
#define TELEDERM_SERVICES_INTAKE_UPLOAD_REACTOR_H_

#include <cstdint>
#include <string>

#include <boost/asio/thread_pool.hpp>
#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/blob/blob_store.h"
#include "services/intake/clinic_images.h"
#include "services/intake/image_gate.h"
#include "telederm/v1/intake.pb.h"

namespace telederm::intake {

// What an UploadImage call needs from the service that owns it. Everything
// borrowed here outlives every call (the service joins `executor` last).
struct UploadEnvironment {
  BlobStorePtr blobs;
  const ClinicImages* images = nullptr;  // the calling clinic's own images
  ImageGatePtr gate;                     // may be null: no quality gate
  int64_t max_image_bytes = 32 * 1024 * 1024;
  int64_t max_image_pixels = 50'000'000;  // what a DICOM file may declare
  boost::asio::thread_pool* executor = nullptr;  // blocking work: disk, hashing, the quality gate
};

// The upload session of a clinic's image: the same clinic, digest and size
// always give the same id, so a client that lost its connection (or
// restarted) finds its upload again without having kept anything.
std::string UploadId(absl::string_view clinic_id, absl::string_view sha256, int64_t size_bytes);

// GetUploadStatus: what the service holds of that upload for this clinic: the
// image is `stored` only if the clinic uploaded it itself (identical bytes
// another clinic sent are neither shown nor skipped). `ttl`: how long an
// untouched upload is kept (UploadSweeper removes it after that).
absl::StatusOr<v1::UploadStatus> GetUploadStatus(BlobStore& blobs, const ClinicImages& images,
                                                 absl::string_view clinic_id,
                                                 const v1::GetUploadStatusRequest& request, int64_t max_image_bytes,
                                                 absl::Duration ttl);

// The reactor of one UploadImage call: header, then chunks, appended durably
// to the upload session from header.offset on; when all bytes are there they
// are checked against the digest, shown to the quality gate, and only then
// stored as a blob and recorded as the clinic's image. A clinic that uploaded
// the image before needs to send only the header (already_stored); any other
// clinic sends the bytes, even if identical ones are stored, and is answered
// as if they were new. It deletes itself when the call is done.
grpc::ServerReadReactor<v1::UploadImageRequest>* NewUploadReactor(const UploadEnvironment& environment,
                                                                  grpc::CallbackServerContext* context,
                                                                  v1::UploadImageResponse* response);

}  // namespace telederm::intake

#endif  // TELEDERM_SERVICES_INTAKE_UPLOAD_REACTOR_H_
