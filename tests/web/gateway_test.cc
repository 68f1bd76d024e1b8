// telederm-web in front of the real stack (Redis and the three services over
// TLS), spoken to over HTTPS as the console's pages speak to it.
#include <openssl/sha.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <google/protobuf/util/json_util.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/e2e/api.h"
#include "tests/e2e/credentials.h"
#include "tests/e2e/stack.h"
#include "tests/harness/child_process.h"
#include "tests/harness/net.h"
#include "tests/harness/temp_dir.h"
#include "tests/web/https_client.h"

namespace telederm::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kCsp[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

std::string Sha256Hex(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return absl::BytesToHexString(std::string(reinterpret_cast<char*>(digest), sizeof(digest)));
}

void WriteFile(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

std::string Bearer(const std::string& token) { return absl::StrCat("Bearer ", token); }

std::string ClinicToken(const std::string& clinic) {
  return TestToken(auth::Role::kClinic, absl::StrCat("tablet-", clinic), clinic);
}

class GatewayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::string> dir = MakeTempDir("telederm-web-test-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = new std::string(*dir);
    absl::StatusOr<TestCertificates> certs = MakeTestCertificates(*dir_ + "/certs");
    ASSERT_TRUE(certs.ok()) << certs.status();
    certs_ = new TestCertificates(*certs);
    // Pages of the test's own, and a file beside them that must stay out of reach.
    WriteFile(*dir_ + "/static/index.html", "<!doctype html><title>telederm</title>");
    WriteFile(*dir_ + "/static/js/app.js", "export const ready = true;\n");
    WriteFile(*dir_ + "/secret.txt", "not for the web");

    StackOptions options;
    options.tls_dir = certs_->dir;
    absl::StatusOr<std::unique_ptr<Stack>> stack = Stack::Start(options);
    ASSERT_TRUE(stack.ok()) << stack.status();
    stack_ = stack->release();

    port_ = FreeLoopbackPort();
    absl::StatusOr<std::unique_ptr<ChildProcess>> web = ChildProcess::Spawn(
        {TELEDERM_WEB_BIN, absl::StrCat("--listen=127.0.0.1:", port_),
         "--intake=" + stack_->address(Service::kIntake), "--triage=" + stack_->address(Service::kTriage),
         "--referral=" + stack_->address(Service::kReferral), "--tls_cert=" + certs_->server_cert_file(),
         "--tls_key=" + certs_->server_key_file(), "--tls_ca=" + certs_->ca_file(), "--static_dir=" + *dir_ + "/static",
         std::string("--icd10_table=") + TELEDERM_ICD10_TABLE, "--max_streams_per_peer=4"},
        {}, *dir_ + "/web.log");
    ASSERT_TRUE(web.ok()) << web.status();
    web_ = web->release();
    absl::Status listening = WaitForPort(port_, absl::Seconds(30));
    ASSERT_TRUE(listening.ok()) << listening << FileTail(*dir_ + "/web.log");
  }

  static void TearDownTestSuite() {
    delete web_;
    delete stack_;
    if (dir_ != nullptr) std::filesystem::remove_all(*dir_);
    delete dir_;
    delete certs_;
  }

  static HttpReply Get(const std::string& target, const HttpHeaders& headers = {}) {
    absl::StatusOr<HttpReply> reply = Fetch(port_, certs_->ca_pem, "GET", target, "", headers);
    EXPECT_TRUE(reply.ok()) << reply.status() << FileTail(*dir_ + "/web.log");
    return reply.ok() ? *reply : HttpReply{};
  }
  static HttpReply Post(const std::string& target, const std::string& json, const std::string& token) {
    HttpHeaders headers = {{"Content-Type", "application/json"}};
    if (!token.empty()) headers.emplace_back("Authorization", Bearer(token));
    absl::StatusOr<HttpReply> reply = Fetch(port_, certs_->ca_pem, "POST", target, json, headers);
    EXPECT_TRUE(reply.ok()) << reply.status() << FileTail(*dir_ + "/web.log");
    return reply.ok() ? *reply : HttpReply{};
  }
  static HttpReply Upload(const std::string& bytes, const std::string& token) {
    absl::StatusOr<HttpReply> reply =
        Fetch(port_, certs_->ca_pem, "PUT", "/api/v1/uploads/" + Sha256Hex(bytes), bytes,
              {{"Authorization", Bearer(token)},
               {"Content-Type", "image/jpeg"},
               {"X-Telederm-Modality", "MODALITY_DERMOSCOPY"},
               {"X-Telederm-Size", std::to_string(bytes.size())},
               {"X-Telederm-Offset", "0"}});
    EXPECT_TRUE(reply.ok()) << reply.status() << FileTail(*dir_ + "/web.log");
    return reply.ok() ? *reply : HttpReply{};
  }
  // Uploads a sample image and submits a case with it; the case id.
  static std::string SubmitCaseWithImage(const std::string& clinic, const std::string& image_bytes,
                                         const std::string& idempotency_key) {
    HttpReply uploaded = Upload(image_bytes, ClinicToken(clinic));
    EXPECT_EQ(uploaded.status, 200) << uploaded.body;
    v1::UploadImageResponse upload;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(uploaded.body, &upload).ok()) << uploaded.body;
    v1::SubmitCaseRequest request;
    *request.mutable_submission() = QuietTumourSubmission("P-" + idempotency_key, upload.image());
    request.set_idempotency_key(idempotency_key);
    std::string json;
    EXPECT_TRUE(google::protobuf::util::MessageToJsonString(request, &json).ok());
    HttpReply submitted = Post("/api/v1/IntakeService/SubmitCase", json, ClinicToken(clinic));
    EXPECT_EQ(submitted.status, 200) << submitted.body;
    v1::SubmitCaseResponse response;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(submitted.body, &response).ok()) << submitted.body;
    return response.case_id();
  }

  static void ExpectSecurityHeaders(const HttpReply& reply) {
    EXPECT_EQ(reply.header("content-security-policy"), kCsp);
    EXPECT_EQ(reply.header("x-content-type-options"), "nosniff");
    EXPECT_EQ(reply.header("referrer-policy"), "no-referrer");
    EXPECT_EQ(reply.header("strict-transport-security"), "max-age=31536000");
  }

  static std::string* dir_;
  static TestCertificates* certs_;
  static Stack* stack_;
  static ChildProcess* web_;
  static int port_;
};

std::string* GatewayTest::dir_ = nullptr;
TestCertificates* GatewayTest::certs_ = nullptr;
Stack* GatewayTest::stack_ = nullptr;
ChildProcess* GatewayTest::web_ = nullptr;
int GatewayTest::port_ = 0;

TEST_F(GatewayTest, IndexPageIsServedWithEverySecurityHeader) {
  HttpReply reply = Get("/");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "<!doctype html><title>telederm</title>");
  EXPECT_EQ(reply.header("content-type"), "text/html; charset=utf-8");
  ExpectSecurityHeaders(reply);
  EXPECT_EQ(reply.header("cache-control"), "no-cache");
}

TEST_F(GatewayTest, ScriptModuleIsServedAsJavascript) {
  HttpReply reply = Get("/static/js/app.js");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(reply.body, "export const ready = true;\n");
}

TEST_F(GatewayTest, Icd10TableIsServedFromItsOwnFile) {
  HttpReply reply = Get("/static/icd10.tsv");
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.header("content-type"), "text/tab-separated-values; charset=utf-8");
  EXPECT_THAT(reply.body, HasSubstr("D48.5\t"));
}

TEST_F(GatewayTest, PathTraversalOutOfTheStaticDirectoryIsNotFound) {
  for (const char* target : {"/static/../secret.txt", "/static/js/../../secret.txt", "/static/%2e%2e/secret.txt",
                             "/static/..%2fsecret.txt", "/static/", "/static/js", "/secret.txt"}) {
    HttpReply reply = Get(target);
    EXPECT_EQ(reply.status, 404) << target;
    EXPECT_THAT(reply.body, HasSubstr("\"code\":\"NOT_FOUND\"")) << target;
    EXPECT_THAT(reply.body, ::testing::Not(HasSubstr("not for the web"))) << target;
    ExpectSecurityHeaders(reply);
  }
}

TEST_F(GatewayTest, UnaryCallIsForwardedWithTheCallersToken) {
  HttpReply reply = Post("/api/v1/IntakeService/ListCases", "{}", ClinicToken("clinic-unary"));
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.header("content-type"), "application/json");
  EXPECT_EQ(reply.header("cache-control"), "no-store");
  ExpectSecurityHeaders(reply);
  v1::ListCasesResponse response;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(reply.body, &response).ok()) << reply.body;
  EXPECT_EQ(response.cases_size(), 0);
}

TEST_F(GatewayTest, CallWithoutTokenIsRefusedByTheServiceAs401) {
  HttpReply reply = Post("/api/v1/IntakeService/ListCases", "{}", "");
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.body,
            "{\"code\":\"UNAUTHENTICATED\",\"message\":\"no bearer token: send 'authorization: Bearer \\u003ctoken\\u003e' "
            "(telederm admin issue-token makes one)\"}");
  EXPECT_EQ(reply.header("cache-control"), "no-store");
  ExpectSecurityHeaders(reply);
}

TEST_F(GatewayTest, MalformedJsonIsBadRequest) {
  HttpReply reply = Post("/api/v1/IntakeService/ListCases", "{\"pageSize\": ", ClinicToken("clinic-json"));
  EXPECT_EQ(reply.status, 400);
  EXPECT_THAT(reply.body, HasSubstr("{\"code\":\"INVALID_ARGUMENT\",\"message\":\"the body is not a valid "
                                    "ListCasesRequest in JSON: "));
  HttpReply unknown_field = Post("/api/v1/IntakeService/ListCases", "{\"noSuchField\": 1}", ClinicToken("clinic-json"));
  EXPECT_EQ(unknown_field.status, 400);
  EXPECT_THAT(unknown_field.body, HasSubstr("\"code\":\"INVALID_ARGUMENT\""));
}

TEST_F(GatewayTest, UnknownMethodOrServiceIsNotFound) {
  for (const char* target : {"/api/v1/IntakeService/NoSuchMethod", "/api/v1/NoSuchService/ListCases",
                             "/api/v1/AdminService/ListClinics", "/api/v1/IntakeService", "/api/v2/x"}) {
    HttpReply reply = Post(target, "{}", ClinicToken("clinic-unknown"));
    EXPECT_EQ(reply.status, 404) << target;
    EXPECT_THAT(reply.body, HasSubstr("\"code\":\"NOT_FOUND\"")) << target;
    ExpectSecurityHeaders(reply);
  }
}

TEST_F(GatewayTest, UploadThenSubmitThenImageReadBackHasTheUploadedDigest) {
  const std::string bytes = ReadFileBytes(std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0024311.jpg");
  ASSERT_FALSE(bytes.empty());
  const std::string case_id = SubmitCaseWithImage("clinic-images", bytes, "web-image-1");
  ASSERT_FALSE(case_id.empty());

  HttpReply image = Get(absl::StrCat("/api/v1/images/", case_id, "/", Sha256Hex(bytes)),
                        {{"Authorization", Bearer(ClinicToken("clinic-images"))}});
  ASSERT_EQ(image.status, 200) << image.body;
  EXPECT_EQ(image.header("content-type"), "image/jpeg");
  EXPECT_EQ(image.header("content-length"), std::to_string(bytes.size()));
  EXPECT_EQ(image.header("cache-control"), "no-store");
  EXPECT_EQ(Sha256Hex(image.body), Sha256Hex(bytes));

  // Another clinic gets the answer an unknown case gets.
  HttpReply other = Get(absl::StrCat("/api/v1/images/", case_id, "/", Sha256Hex(bytes)),
                        {{"Authorization", Bearer(ClinicToken("clinic-other"))}});
  EXPECT_EQ(other.status, 404) << other.body;
  EXPECT_THAT(other.body, HasSubstr("\"code\":\"NOT_FOUND\""));
}

// A browser reuses a connection as soon as a reply has come in whole: the
// gateway must be reading the next request by then, even when the service's
// end of the image stream arrives while the image's last bytes are written.
TEST_F(GatewayTest, ImageReadsAndCallsInTurnOnOneKeptAliveConnectionAreAllAnswered) {
  const std::string bytes = ReadFileBytes(std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0024311.jpg");
  ASSERT_FALSE(bytes.empty());
  const std::string case_id = SubmitCaseWithImage("clinic-keepalive", bytes, "web-keepalive-1");
  ASSERT_FALSE(case_id.empty());
  const HttpHeaders auth = {{"Authorization", Bearer(ClinicToken("clinic-keepalive"))}};
  const std::string image = absl::StrCat("/api/v1/images/", case_id, "/", Sha256Hex(bytes));
  std::vector<HttpRequest> requests;
  for (int round = 0; round < 10; ++round) {
    requests.push_back({"GET", image + "?variant=thumbnail", "", auth});
    requests.push_back({"GET", image, "", auth});
    requests.push_back({"POST", "/api/v1/IntakeService/ListCases", "{}",
                        {auth[0], {"Content-Type", "application/json"}}});
  }
  absl::StatusOr<std::vector<HttpReply>> replies = FetchInTurn(port_, certs_->ca_pem, requests);
  ASSERT_TRUE(replies.ok()) << replies.status() << FileTail(*dir_ + "/web.log");
  ASSERT_EQ(replies->size(), requests.size());
  for (size_t i = 0; i < replies->size(); ++i) {
    const HttpReply& reply = (*replies)[i];
    EXPECT_EQ(reply.status, 200) << requests[i].target << ": " << reply.body;
    if (i % 3 == 1) EXPECT_EQ(Sha256Hex(reply.body), Sha256Hex(bytes)) << "reply " << i;
    if (i % 3 == 2) EXPECT_THAT(reply.body, HasSubstr(case_id)) << "reply " << i;
  }
}

// The JSON API's limit holds for the declared length: such a body is refused
// before it is read, so no connection can make the gateway buffer an image's
// worth of JSON.
TEST_F(GatewayTest, JsonBodyDeclaredOverTheLimitIsRefusedBeforeItIsRead) {
  absl::StatusOr<HttpReply> reply =
      FetchDeclaringBody(port_, certs_->ca_pem, "POST", "/api/v1/IntakeService/ListCases", 4 * 1024 * 1024 + 1,
                         {{"Authorization", Bearer(ClinicToken("clinic-limits"))},
                          {"Content-Type", "application/json"}});
  ASSERT_TRUE(reply.ok()) << reply.status() << FileTail(*dir_ + "/web.log");
  EXPECT_EQ(reply->status, 413) << reply->body;
  EXPECT_EQ(reply->body, "{\"code\":\"RESOURCE_EXHAUSTED\",\"message\":\"the request body is larger than 4194304 bytes\"}");
  EXPECT_EQ(reply->header("connection"), "close");
}

TEST_F(GatewayTest, UploadWithoutModalityIsBadRequestNamingTheHeader) {
  absl::StatusOr<HttpReply> reply = Fetch(port_, certs_->ca_pem, "PUT", "/api/v1/uploads/00", "abc",
                                          {{"Authorization", Bearer(ClinicToken("clinic-upload"))},
                                           {"X-Telederm-Size", "3"}});
  ASSERT_TRUE(reply.ok()) << reply.status();
  EXPECT_EQ(reply->status, 400);
  EXPECT_THAT(reply->body, HasSubstr("X-Telederm-Modality: name the image's modality"));
}

TEST_F(GatewayTest, WatchEventsStreamsAnEventAsAnNdjsonLine) {
  const std::string clinic = "clinic-watch";
  absl::StatusOr<std::unique_ptr<StreamedReply>> stream =
      StreamedReply::Open(port_, certs_->ca_pem, "/api/v1/IntakeService/WatchEvents", "{}",
                          {{"Authorization", Bearer(ClinicToken(clinic))}, {"Content-Type", "application/json"}});
  ASSERT_TRUE(stream.ok()) << stream.status();
  const std::string bytes = ReadFileBytes(std::string(TELEDERM_TEST_DATA_DIR) + "/cases/ISIC_0025248.jpg");
  // The stream answers once its first event exists: cause it from another connection.
  const std::string case_id = SubmitCaseWithImage(clinic, bytes, "web-watch-1");
  ASSERT_FALSE(case_id.empty());
  EXPECT_EQ((*stream)->status(), 200);
  EXPECT_EQ((*stream)->header("content-type"), "application/x-ndjson");
  EXPECT_EQ((*stream)->header("cache-control"), "no-store");
  absl::StatusOr<std::string> line = (*stream)->NextLine(absl::Seconds(30));
  ASSERT_TRUE(line.ok()) << line.status();
  v1::CaseEvent event;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(*line, &event).ok()) << *line;
  EXPECT_EQ(event.case_id(), case_id);
  EXPECT_EQ(event.clinic_id(), clinic);
}

TEST_F(GatewayTest, StreamWithoutTokenIsAnsweredLikeAUnaryError) {
  // Refused before its first message, a stream is answered as a whole JSON
  // error, not as a 200 followed by an error line.
  HttpReply reply = Post("/api/v1/ReferralService/WatchQueue", "{}", "");
  EXPECT_EQ(reply.status, 401);
  EXPECT_EQ(reply.header("content-type"), "application/json");
  EXPECT_THAT(reply.body, HasSubstr("{\"code\":\"UNAUTHENTICATED\",\"message\":\"no bearer token"));
}

TEST_F(GatewayTest, OversizedHeaderIsRefusedWith431) {
  HttpReply reply = Get("/", {{"X-Padding", std::string(20000, 'a')}});
  EXPECT_EQ(reply.status, 431);
  EXPECT_THAT(reply.body, HasSubstr("\"code\":\"RESOURCE_EXHAUSTED\""));
}

}  // namespace
}  // namespace telederm::testing
