#include "services/web/json_mapping.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"

#include "services/web/api_routes.h"
#include "telederm/v1/intake.pb.h"

namespace telederm::web {
namespace {

namespace http = boost::beast::http;

TEST(JsonMappingTest, RequestJsonBecomesTheMessage) {
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> message =
      MessageFromJson(*v1::ListCasesRequest::descriptor(), R"({"pageSize": 7})");
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(static_cast<const v1::ListCasesRequest&>(**message).page_size(), 7);
}

TEST(JsonMappingTest, EmptyBodyIsTheEmptyMessage) {
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> message =
      MessageFromJson(*v1::ListCasesRequest::descriptor(), " \n");
  ASSERT_TRUE(message.ok()) << message.status();
  EXPECT_EQ(static_cast<const v1::ListCasesRequest&>(**message).page_size(), 0);
}

TEST(JsonMappingTest, UnknownFieldIsInvalidArgument) {
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> message =
      MessageFromJson(*v1::ListCasesRequest::descriptor(), R"({"clinicId": "other"})");
  EXPECT_EQ(message.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(message.status().message(), "the body is not a valid ListCasesRequest in JSON: "))
      << message.status();
}

TEST(JsonMappingTest, ResponsePrintsDefaultValuedFields) {
  v1::UploadStatus status;
  EXPECT_EQ(MessageToJson(status), R"({"uploadId":"","committedOffset":"0","sizeBytes":"0","stored":false})");
}

TEST(JsonMappingTest, WireBytesRoundTrip) {
  v1::ListCasesRequest request;
  request.set_page_size(42);
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> back =
      MessageFromByteBuffer(*v1::ListCasesRequest::descriptor(), ToByteBuffer(request));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(static_cast<const v1::ListCasesRequest&>(**back).page_size(), 42);
}

TEST(JsonMappingTest, GrpcCodesMapToTheContractsHttpStatuses) {
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::INVALID_ARGUMENT), http::status::bad_request);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::UNAUTHENTICATED), http::status::unauthorized);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::PERMISSION_DENIED), http::status::forbidden);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::NOT_FOUND), http::status::not_found);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::ALREADY_EXISTS), http::status::conflict);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::FAILED_PRECONDITION), http::status::precondition_failed);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::RESOURCE_EXHAUSTED), http::status::too_many_requests);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::UNIMPLEMENTED), http::status::not_implemented);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::UNAVAILABLE), http::status::service_unavailable);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::DEADLINE_EXCEEDED), http::status::gateway_timeout);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::DATA_LOSS), http::status::internal_server_error);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::ABORTED), http::status::internal_server_error);
}

TEST(JsonMappingTest, ErrorBodiesEscapeTheMessage) {
  EXPECT_EQ(ErrorJson("NOT_FOUND", "no case \"c-1\" <here>"),
            R"({"code":"NOT_FOUND","message":"no case \"c-1\" \u003chere\u003e"})");
  EXPECT_EQ(StreamErrorJson(grpc::Status(grpc::StatusCode::UNAVAILABLE, "redis away")),
            R"({"error":{"code":"UNAVAILABLE","message":"redis away"}})");
}

TEST(ApiRoutesTest, ServicesGoToTheBinaryThatServesThem) {
  ApiRoutes routes = ApiRoutes::Build();
  ASSERT_NE(routes.Find("IntakeService/ListCases"), nullptr);
  EXPECT_EQ(routes.Find("IntakeService/ListCases")->grpc_path, "/telederm.v1.IntakeService/ListCases");
  EXPECT_EQ(routes.Find("IntakeService/ListCases")->backend, Backend::kIntake);
  EXPECT_EQ(routes.Find("ImageService/GetImage")->backend, Backend::kIntake);
  EXPECT_EQ(routes.Find("FhirExportService/ExportCaseFhir")->backend, Backend::kIntake);
  EXPECT_EQ(routes.Find("TriageService/GetTriageResult")->backend, Backend::kTriage);
  EXPECT_EQ(routes.Find("ReferralService/WatchQueue")->backend, Backend::kReferral);
  EXPECT_EQ(routes.Find("AdminService/ListClinics"), nullptr);
  EXPECT_EQ(routes.Find("SecurityService/RevokeToken"), nullptr);
  EXPECT_EQ(routes.Find("IntakeService/NoSuchMethod"), nullptr);
}

}  // namespace
}  // namespace telederm::web
