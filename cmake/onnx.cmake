# ONNX export (`edgeforge export onnx`): a separate static library on Debian's ONNX protobuf
# bindings (libonnx-dev, libprotobuf-dev). Never linked into the device library `edgeforge`.
find_package(Protobuf REQUIRED)
find_package(ONNX REQUIRED CONFIG)

file(GLOB EF_ONNX_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/onnx/*.cc)
add_library(edgeforge_onnx STATIC ${EF_ONNX_SOURCES})
add_dependencies(edgeforge_onnx ef_schema)
target_include_directories(edgeforge_onnx PRIVATE ${CMAKE_SOURCE_DIR}/src ${EF_GEN_DIR})
# onnx_proto carries ONNX_NAMESPACE=onnx and ONNX_ML=1, which onnx/onnx_pb.h needs.
target_link_libraries(edgeforge_onnx PUBLIC edgeforge onnx_proto protobuf::libprotobuf)

target_link_libraries(edgeforge_cli PRIVATE edgeforge_onnx)

# tests/ is added after this file is included, so the test binary is linked once the top-level
# CMakeLists.txt has been read to its end. The tests also use ONNX's checker (libonnx).
function(ef_link_onnx_tests)
  if(TARGET edgeforge_tests)
    target_link_libraries(edgeforge_tests PRIVATE edgeforge_onnx onnx)
  endif()
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL ef_link_onnx_tests)
