# Debian 12's libopencv-{core,imgproc,imgcodecs,dnn}-dev ship headers and
# libraries but no CMake package config (that comes with the full
# libopencv-dev), so the four modules are located here directly.
find_path(TELEDERM_OPENCV_INCLUDE_DIR opencv2/core.hpp PATH_SUFFIXES opencv4)
foreach(module core imgproc imgcodecs dnn)
  find_library(TELEDERM_OPENCV_${module}_LIBRARY NAMES opencv_${module})
  list(APPEND _telederm_opencv_vars TELEDERM_OPENCV_${module}_LIBRARY)
endforeach()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(TeledermOpenCV
  REQUIRED_VARS TELEDERM_OPENCV_INCLUDE_DIR ${_telederm_opencv_vars})
if(TeledermOpenCV_FOUND AND NOT TARGET telederm::opencv)
  add_library(telederm_opencv INTERFACE)
  add_library(telederm::opencv ALIAS telederm_opencv)
  target_include_directories(telederm_opencv SYSTEM INTERFACE ${TELEDERM_OPENCV_INCLUDE_DIR})
  target_link_libraries(telederm_opencv INTERFACE
    ${TELEDERM_OPENCV_dnn_LIBRARY} ${TELEDERM_OPENCV_imgcodecs_LIBRARY}
    ${TELEDERM_OPENCV_imgproc_LIBRARY} ${TELEDERM_OPENCV_core_LIBRARY})
endif()
