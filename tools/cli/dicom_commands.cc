#include "tools/cli/dicom_commands.h"

#include <filesystem>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "common/blob/blob_store.h"
#include "common/dicom/dicom_export.h"
#include "telederm/v1/image.grpc.pb.h"
#include "telederm/v1/intake.grpc.pb.h"
#include "tools/cli/channel.h"

namespace telederm::cli {
namespace {

// The whole original of one image of the case, in memory (a DICOM file is
// written in one piece anyway).
grpc::Status ReadImage(v1::ImageService::Stub& stub, const CommandContext& context, const std::string& case_id,
                       const std::string& sha256, std::string& bytes) {
  v1::GetImageRequest request;
  request.set_case_id(case_id);
  request.set_sha256(sha256);
  request.set_variant(v1::IMAGE_VARIANT_ORIGINAL);
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  std::unique_ptr<grpc::ClientReader<v1::ImageChunk>> reader = stub.GetImage(&call, request);
  v1::ImageChunk chunk;
  while (reader->Read(&chunk)) bytes += chunk.data();
  return reader->Finish();
}

}  // namespace

int RunDicom(const CommandLine& line, const CommandContext& context) {
  const std::string case_id = *line.positional();
  const std::string dir = line.Value("out").value_or(".");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return LocalFailure(context, absl::InvalidArgumentError(absl::StrCat("--out: ", dir, ": ", ec.message())));

  Endpoint intake = OpenEndpoint("intake", context.options.intake_address);
  v1::GetCaseRequest request;
  request.set_case_id(case_id);
  v1::Case c;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  grpc::Status status = v1::IntakeService::NewStub(intake.channel)->GetCase(&call, request, &c);
  if (!status.ok()) return CallFailure(context, status, intake);

  auto images = v1::ImageService::NewStub(intake.channel);
  int instance = 0;
  for (const v1::ImageRef& ref : c.submission().images()) {
    std::string bytes;
    status = ReadImage(*images, context, case_id, ref.sha256(), bytes);
    if (!status.ok()) return CallFailure(context, status, intake);
    if (Sha256Hex(bytes) != ref.sha256()) {
      return LocalFailure(context, absl::DataLossError(absl::StrCat("the bytes received for ", ref.sha256(),
                                                                    " do not match their SHA-256: run the command "
                                                                    "again")));
    }
    dicom::ExportedImage image;
    image.encoded = std::move(bytes);
    image.dermoscopic = ref.modality() == v1::MODALITY_DERMOSCOPY;
    image.patient_id = c.submission().patient().reference();
    image.case_id = case_id;
    image.sha256 = ref.sha256();
    image.instance_number = ++instance;
    image.pixel_size_mm = ref.pixel_size_mm();
    const std::string path = absl::StrCat(dir, "/", ref.sha256(), ".dcm");
    if (absl::Status s = dicom::WriteDicomFile(image, path); !s.ok()) return LocalFailure(context, s);
    context.Print(absl::StrCat("wrote ", path, image.dermoscopic ? " dermoscopic-photography" : " vl-photographic",
                               " patient_id=", image.patient_id));
  }
  if (instance == 0) context.Print(absl::StrCat(case_id, " has no images"));
  return kExitOk;
}

}  // namespace telederm::cli
