#include "proto/catalog/service_catalog.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace telederm::v1 {
namespace {

// Each .proto file of proto/telederm/v1 that declares a service.
std::set<std::string> ProtoFilesDeclaringAService() {
  std::set<std::string> files;
  const std::regex service_line(R"(^\s*service\s+\w+\s*\{)");
  for (const auto& entry : std::filesystem::directory_iterator(TELEDERM_PROTO_DIR "/telederm/v1")) {
    if (entry.path().extension() != ".proto") continue;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      if (std::regex_search(line, service_line)) {
        files.insert("telederm/v1/" + entry.path().filename().string());
        break;
      }
    }
  }
  return files;
}

// A new service file must join the catalog, or the policy table's and the
// field bounds' tests would silently skip its RPCs.
TEST(ServiceCatalogTest, ListsEveryProtoFileThatDeclaresAServiceAndEachIsLinked) {
  const std::set<std::string> on_disk = ProtoFilesDeclaringAService();
  ASSERT_FALSE(on_disk.empty()) << "no .proto file with a service under " << TELEDERM_PROTO_DIR;
  const std::set<std::string> listed(ServiceProtoFiles().begin(), ServiceProtoFiles().end());
  EXPECT_EQ(listed, on_disk) << "proto/catalog/service_catalog.cc must list every service file";

  const std::vector<const google::protobuf::MethodDescriptor*> methods = AllServiceMethods();
  std::set<std::string> with_methods;
  for (const google::protobuf::MethodDescriptor* method : methods) with_methods.insert(method->file()->name());
  EXPECT_EQ(with_methods, on_disk) << "a listed file's descriptor is not linked, or has no method";
}

}  // namespace
}  // namespace telederm::v1
