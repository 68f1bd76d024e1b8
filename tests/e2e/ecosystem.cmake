# Issue 8 (fitting the ecosystem): scale-out, metrics and FHIR through the real
# processes, the Python example clients, and the deployment files' syntax.
# Included from CMakeLists.txt beside it.
find_package(nlohmann_json 3 CONFIG REQUIRED)

# Two triage and two referral processes on one Redis: nothing lost, nothing twice.
add_executable(telederm_multi_process_test multi_process_test.cc)
target_compile_definitions(telederm_multi_process_test PRIVATE TELEDERM_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
target_link_libraries(telederm_multi_process_test PRIVATE telederm_e2e_stack absl::synchronization GTest::gtest_main)
gtest_discover_tests(telederm_multi_process_test DISCOVERY_TIMEOUT 30 PROPERTIES LABELS "e2e" TIMEOUT 300)

# deploy/ statically: YAML parses, manifests are complete, the Dockerfile's images
# install what the binaries built here link (deploy/container-check.sh runs them).
add_test(NAME telederm_deploy_check
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_deploy.py ${PROJECT_SOURCE_DIR}
                 $<TARGET_FILE:telederm-intake> $<TARGET_FILE:telederm-triage> $<TARGET_FILE:telederm-referral>
                 $<TARGET_FILE:telederm-web> $<TARGET_FILE:telederm>)
set_tests_properties(telederm_deploy_check PROPERTIES LABELS "deploy" TIMEOUT 120)

# /metrics, /healthz and JSON logs of the running services, and the FHIR export.
add_executable(telederm_observability_e2e_test observability_test.cc)
target_compile_definitions(telederm_observability_e2e_test PRIVATE TELEDERM_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data"
                           TELEDERM_CLI_BIN="$<TARGET_FILE:telederm>")
add_dependencies(telederm_observability_e2e_test telederm)
target_link_libraries(telederm_observability_e2e_test PRIVATE telederm_e2e_stack telederm::metrics
                      nlohmann_json::nlohmann_json GTest::gtest_main)
gtest_discover_tests(telederm_observability_e2e_test DISCOVERY_TIMEOUT 30 PROPERTIES LABELS "e2e" TIMEOUT 300)

# examples/python against the real services, with stubs generated here from proto/
# by Debian's protoc and grpc_python_plugin (never committed).
set(TELEDERM_PY_STUBS ${CMAKE_BINARY_DIR}/examples/python/gen)
set(TELEDERM_PY_PROTOS limits case intake triage referral fhir)
set(py_outputs)
foreach(p ${TELEDERM_PY_PROTOS})
  list(APPEND py_outputs ${TELEDERM_PY_STUBS}/telederm/v1/${p}_pb2.py ${TELEDERM_PY_STUBS}/telederm/v1/${p}_pb2_grpc.py)
  list(APPEND py_protos ${PROJECT_SOURCE_DIR}/proto/telederm/v1/${p}.proto)
endforeach()
add_custom_command(
  OUTPUT ${py_outputs}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${TELEDERM_PY_STUBS}
  COMMAND protobuf::protoc --proto_path=${PROJECT_SOURCE_DIR}/proto --python_out=${TELEDERM_PY_STUBS}
          --grpc_python_out=${TELEDERM_PY_STUBS} --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin ${py_protos}
  DEPENDS ${py_protos}
  COMMENT "protoc: Python stubs for examples/python")
add_custom_target(telederm_python_stubs ALL DEPENDS ${py_outputs})

add_executable(telederm_python_clients_test python_clients_test.cc)
target_compile_definitions(telederm_python_clients_test PRIVATE TELEDERM_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
                           TELEDERM_PY_STUBS="${TELEDERM_PY_STUBS}")
target_link_libraries(telederm_python_clients_test PRIVATE telederm_e2e_stack nlohmann_json::nlohmann_json
                      absl::strings GTest::gtest_main)
add_dependencies(telederm_python_clients_test telederm_python_stubs)
gtest_discover_tests(telederm_python_clients_test DISCOVERY_TIMEOUT 30 PROPERTIES LABELS "e2e;python" TIMEOUT 300)
