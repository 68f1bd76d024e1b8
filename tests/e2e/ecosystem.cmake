# Issue 8 (fitting the ecosystem): scale-out, metrics and FHIR through the real
# processes, the Python example clients, and the deployment files' syntax.
# Included from CMakeLists.txt beside it.

# Two triage and two referral processes on one Redis: nothing lost, nothing twice.
add_executable(telederm_multi_process_test multi_process_test.cc)
target_compile_definitions(telederm_multi_process_test PRIVATE TELEDERM_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
target_link_libraries(telederm_multi_process_test PRIVATE telederm_e2e_stack absl::synchronization GTest::gtest_main)
gtest_discover_tests(telederm_multi_process_test DISCOVERY_TIMEOUT 30 PROPERTIES LABELS "e2e" TIMEOUT 300)

# deploy/ without Docker or a cluster: YAML parses, manifests are complete, the
# Dockerfiles' runtime stages install what the binaries built here link.
add_test(NAME telederm_deploy_check
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/check_deploy.py ${PROJECT_SOURCE_DIR}
                 $<TARGET_FILE:telederm-intake> $<TARGET_FILE:telederm-triage> $<TARGET_FILE:telederm-referral>)
set_tests_properties(telederm_deploy_check PROPERTIES LABELS "deploy" TIMEOUT 120)
