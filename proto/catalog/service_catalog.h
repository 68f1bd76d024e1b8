#ifndef TELEDERM_PROTO_CATALOG_SERVICE_CATALOG_H_
#define TELEDERM_PROTO_CATALOG_SERVICE_CATALOG_H_

#include <vector>

#include <google/protobuf/descriptor.h>

namespace telederm::v1 {

// The .proto files of the public API that declare a service, as protoc names
// them ("telederm/v1/intake.proto"). The one list that code enumerating every
// RPC walks (the policy table's test, the field-bound checks);
// ServiceCatalogTest checks it against proto/telederm/v1.
const std::vector<const char*>& ServiceProtoFiles();

// Every method of every service in ServiceProtoFiles(), in file order.
std::vector<const google::protobuf::MethodDescriptor*> AllServiceMethods();

}  // namespace telederm::v1

#endif  // TELEDERM_PROTO_CATALOG_SERVICE_CATALOG_H_
