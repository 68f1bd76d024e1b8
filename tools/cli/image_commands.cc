#include "tools/cli/image_commands.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/blob/blob_store.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "telederm/v1/fhir.grpc.pb.h"
#include "telederm/v1/image.grpc.pb.h"
#include "telederm/v1/intake.grpc.pb.h"
#include "telederm/v1/referral.grpc.pb.h"

namespace telederm::cli {
namespace {

namespace fs = std::filesystem;

// The identifier system of a Media resource's image digest (docs/FHIR.md).
constexpr char kImageSha256System[] = "urn:telederm:image-sha256";

struct CaseImage {
  std::string sha256;
  std::string content_type;
};

// A failed call and the service it went to, for the error line.
struct Failure {
  grpc::Status status;
  Endpoint endpoint;
};

void AddOnce(std::vector<CaseImage>& images, const std::string& sha256, const std::string& content_type) {
  for (const CaseImage& image : images) {
    if (image.sha256 == sha256) return;
  }
  images.push_back({sha256, content_type});
}

// The Media resources' digests of a FHIR bundle, in order.
void AddMediaOfBundle(const std::string& bundle_json, std::vector<CaseImage>& images) {
  google::protobuf::Struct bundle;
  if (!google::protobuf::util::JsonStringToMessage(bundle_json, &bundle).ok()) return;
  auto entries = bundle.fields().find("entry");
  if (entries == bundle.fields().end()) return;
  for (const google::protobuf::Value& entry : entries->second.list_value().values()) {
    const auto& fields = entry.struct_value().fields();
    auto resource = fields.find("resource");
    if (resource == fields.end()) continue;
    const auto& media = resource->second.struct_value().fields();
    auto type = media.find("resourceType");
    if (type == media.end() || type->second.string_value() != "Media" || !media.contains("identifier")) continue;
    std::string content_type;
    if (auto content = media.find("content"); content != media.end()) {
      auto declared = content->second.struct_value().fields().find("contentType");
      if (declared != content->second.struct_value().fields().end()) content_type = declared->second.string_value();
    }
    for (const google::protobuf::Value& identifier : media.at("identifier").list_value().values()) {
      const auto& id = identifier.struct_value().fields();
      if (id.contains("system") && id.at("system").string_value() == kImageSha256System && id.contains("value")) {
        AddOnce(images, id.at("value").string_value(), content_type);
      }
    }
  }
}

// The case's images as the caller reads the case.
std::optional<Failure> ListCaseImages(const CommandContext& context, const std::string& case_id,
                                      std::vector<CaseImage>& images) {
  const bool specialist = context.identity.role == CallIdentity::Role::kSpecialist;
  Endpoint endpoint = specialist ? OpenEndpoint("referral", context.options.referral_address)
                                 : OpenEndpoint("intake", context.options.intake_address);
  grpc::Status status;
  if (specialist) {
    v1::ExportCaseFhirRequest request;
    request.set_case_id(case_id);
    v1::ExportCaseFhirResponse response;
    grpc::ClientContext call;
    PrepareContext(call, context.identity, context.options.deadline);
    status = v1::FhirExportService::NewStub(endpoint.channel)->ExportCaseFhir(&call, request, &response);
    if (!status.ok()) return Failure{status, endpoint};
    AddMediaOfBundle(response.bundle_json(), images);
  } else {
    v1::GetCaseRequest request;
    request.set_case_id(case_id);
    v1::Case c;
    grpc::ClientContext call;
    PrepareContext(call, context.identity, context.options.deadline);
    status = v1::IntakeService::NewStub(endpoint.channel)->GetCase(&call, request, &c);
    if (!status.ok()) return Failure{status, endpoint};
    for (const v1::ImageRef& image : c.submission().images()) AddOnce(images, image.sha256(), image.content_type());
  }
  v1::ListMessagesRequest request;
  request.set_case_id(case_id);
  v1::ListMessagesResponse response;
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  status = specialist ? v1::ReferralService::NewStub(endpoint.channel)->ListMessages(&call, request, &response)
                      : v1::IntakeService::NewStub(endpoint.channel)->ListMessages(&call, request, &response);
  if (!status.ok()) return Failure{status, endpoint};
  for (const v1::Message& message : response.messages()) {
    for (const v1::ImageRef& image : message.attachments()) AddOnce(images, image.sha256(), image.content_type());
  }
  return std::nullopt;
}

std::string Extension(const std::string& content_type) { return content_type == "image/png" ? ".png" : ".jpg"; }

// SHA-256 of a file's bytes, or "" when it cannot be read.
std::string FileSha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  return Sha256Hex(std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
}

// What one download did, for its printed line.
struct Written {
  std::string path;
  v1::ImageMetadata metadata;
  int64_t resumed_from = 0;
  bool kept = false;  // already there, with the right digest
};

// Streams the image from `offset` into `part` (appending); the metadata of the first message.
grpc::Status Stream(v1::ImageService::Stub& stub, const CommandContext& context, v1::GetImageRequest request,
                    const std::string& part, v1::ImageMetadata& metadata) {
  grpc::ClientContext call;
  PrepareContext(call, context.identity, context.options.deadline);
  std::ofstream out(part, std::ios::binary | (request.offset() > 0 ? std::ios::app : std::ios::trunc));
  if (!out) return grpc::Status(grpc::StatusCode::INTERNAL, absl::StrCat("cannot write ", part));
  std::unique_ptr<grpc::ClientReader<v1::ImageChunk>> reader = stub.GetImage(&call, request);
  int64_t next = request.offset();
  v1::ImageChunk chunk;
  while (reader->Read(&chunk)) {
    if (chunk.has_metadata()) metadata = chunk.metadata();
    if (chunk.offset() != next) {
      call.TryCancel();
      reader->Finish();
      return grpc::Status(grpc::StatusCode::DATA_LOSS,
                          absl::StrCat("a chunk arrived at offset ", chunk.offset(), ", expected ", next));
    }
    out.write(chunk.data().data(), static_cast<std::streamsize>(chunk.data().size()));
    out.flush();  // what arrived is kept for a resume, whatever happens next
    next += static_cast<int64_t>(chunk.data().size());
  }
  return reader->Finish();
}

// Writes one image into `dir`, resuming a partial file.
absl::StatusOr<Written> Download(v1::ImageService::Stub& stub, const CommandContext& context,
                                 const std::string& case_id, const CaseImage& image, const std::string& dir,
                                 bool thumbnail, grpc::Status& call_failure) {
  Written written;
  const std::string stem = absl::StrCat(dir, "/", image.sha256, thumbnail ? ".thumb" : "");
  if (!thumbnail) {
    for (const char* extension : {".jpg", ".png"}) {
      const std::string path = stem + extension;
      if (fs::exists(path) && FileSha256(path) == image.sha256) {
        written.path = path;
        written.kept = true;
        written.metadata.set_sha256(image.sha256);
        written.metadata.set_size_bytes(static_cast<int64_t>(fs::file_size(path)));
        return written;
      }
    }
  }
  const std::string part = stem + ".part";
  std::error_code ec;
  v1::GetImageRequest request;
  request.set_case_id(case_id);
  request.set_sha256(image.sha256);
  request.set_variant(thumbnail ? v1::IMAGE_VARIANT_THUMBNAIL : v1::IMAGE_VARIANT_ORIGINAL);
  request.set_offset(fs::exists(part) ? static_cast<int64_t>(fs::file_size(part, ec)) : 0);
  grpc::Status status = Stream(stub, context, request, part, written.metadata);
  if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT && request.offset() > 0 &&
      absl::StartsWith(status.error_message(), "offset:")) {
    // The partial file is longer than the image (e.g. a thumbnail made again): start afresh.
    request.set_offset(0);
    status = Stream(stub, context, request, part, written.metadata);
  }
  if (!status.ok()) {
    call_failure = status;
    return absl::UnknownError("the call failed");
  }
  written.resumed_from = request.offset();
  const std::string expected = thumbnail ? written.metadata.sha256() : image.sha256;
  if (FileSha256(part) != expected || written.metadata.sha256() != expected) {
    fs::remove(part, ec);
    return absl::DataLossError(absl::StrCat("the bytes received for ", image.sha256,
                                            " do not match their SHA-256; the partial file was removed: run the "
                                            "command again to fetch it afresh"));
  }
  written.path = stem + (thumbnail ? ".jpg" : Extension(written.metadata.content_type()));
  fs::rename(part, written.path, ec);
  if (ec) return absl::InternalError(absl::StrCat("cannot rename ", part, ": ", ec.message()));
  return written;
}

std::string JsonLine(const std::string& case_id, const Written& written) {
  google::protobuf::Struct line;
  auto& fields = *line.mutable_fields();
  fields["case_id"].set_string_value(case_id);
  fields["path"].set_string_value(written.path);
  fields["sha256"].set_string_value(written.metadata.sha256());
  fields["size_bytes"].set_number_value(static_cast<double>(written.metadata.size_bytes()));
  fields["resumed_from"].set_number_value(static_cast<double>(written.resumed_from));
  fields["kept"].set_bool_value(written.kept);
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(line, &json);
  return json;
}

}  // namespace

int RunImage(const CommandLine& line, const CommandContext& context) {
  const std::string case_id = *line.positional();
  const std::string dir = line.Value("out").value_or(".");
  const bool thumbnail = line.Has("thumbnail");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return LocalFailure(context, absl::InvalidArgumentError(absl::StrCat("--out: ", dir, ": ", ec.message())));

  std::vector<CaseImage> images;
  if (std::optional<Failure> failed = ListCaseImages(context, case_id, images)) {
    return CallFailure(context, failed->status, failed->endpoint);
  }
  Endpoint intake = OpenEndpoint("intake", context.options.intake_address);
  auto stub = v1::ImageService::NewStub(intake.channel);
  for (const CaseImage& image : images) {
    grpc::Status call_failure;
    absl::StatusOr<Written> written = Download(*stub, context, case_id, image, dir, thumbnail, call_failure);
    if (!call_failure.ok()) return CallFailure(context, call_failure, intake);
    if (!written.ok()) return LocalFailure(context, written.status());
    if (context.options.json) {
      context.Print(JsonLine(case_id, *written));
    } else {
      context.Print(absl::StrCat(written->kept ? "kept " : "wrote ", written->path,
                                 " sha256=", written->metadata.sha256(), " bytes=", written->metadata.size_bytes(),
                                 written->resumed_from > 0 ? absl::StrCat(" resumed_from=", written->resumed_from)
                                                           : ""));
    }
  }
  if (images.empty()) context.Print(absl::StrCat(case_id, " has no images"));
  return kExitOk;
}

}  // namespace telederm::cli
