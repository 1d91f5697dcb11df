# ONNX export (`edgeforge export onnx`): a separate static library on Debian's ONNX protobuf
# bindings (libonnx-dev, libprotobuf-dev), and its own executable edgeforge-export-onnx, which
# `edgeforge export onnx` runs (src/cli/siblings.h). Linked neither into the device library
# `edgeforge` nor into the `edgeforge` command.
find_package(Protobuf REQUIRED)
find_package(ONNX REQUIRED CONFIG)

file(GLOB EF_ONNX_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/onnx/*.cc)
add_library(edgeforge_onnx STATIC ${EF_ONNX_SOURCES})
add_dependencies(edgeforge_onnx ef_schema)
target_include_directories(edgeforge_onnx PRIVATE ${CMAKE_SOURCE_DIR}/src ${EF_GEN_DIR})
# onnx_proto carries ONNX_NAMESPACE=onnx and ONNX_ML=1, which onnx/onnx_pb.h needs.
target_link_libraries(edgeforge_onnx PUBLIC edgeforge onnx_proto protobuf::libprotobuf)

add_executable(edgeforge_export_onnx_cli ${CMAKE_SOURCE_DIR}/src/cli/export_onnx/main.cc
  ${CMAKE_SOURCE_DIR}/src/cli/siblings.cc)
set_target_properties(edgeforge_export_onnx_cli PROPERTIES OUTPUT_NAME edgeforge-export-onnx)
target_include_directories(edgeforge_export_onnx_cli PRIVATE ${CMAKE_SOURCE_DIR}/src ${EF_GEN_DIR})
target_link_libraries(edgeforge_export_onnx_cli PRIVATE edgeforge_onnx CLI11::CLI11)
# Building `edgeforge` builds the commands it hands over to.
add_dependencies(edgeforge_cli edgeforge_export_onnx_cli)
install(TARGETS edgeforge_export_onnx_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# tests/ is added after this file is included, so the test binary is linked once the top-level
# CMakeLists.txt has been read to its end. The tests also use ONNX's checker (libonnx), and
# the CLI tests run edgeforge-export-onnx through `edgeforge export onnx`.
function(ef_link_onnx_tests)
  if(TARGET edgeforge_tests)
    target_link_libraries(edgeforge_tests PRIVATE edgeforge_onnx onnx)
    add_dependencies(edgeforge_tests edgeforge_export_onnx_cli)
  endif()
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL ef_link_onnx_tests)
