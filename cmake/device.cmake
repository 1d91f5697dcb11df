# edgeforge-lite: the deploy binary of issue 3 (info, run, classify, bench only), built for size.
# Its own static library over just the modules inference needs, so nothing from quant/, models/,
# transfer/, edgetpu/, ondevice/, onnx/, serve/ or train/ can be linked in by accident; the main
# `edgeforge` library is left as it is. Included from the top-level CMakeLists.txt after the CLI
# (it uses EF_GEN_DIR, ef_schema and the *_<isa>.cc source properties set there).
# The sanitized suite builds the library once, without size flags: edgeforge-lite is the same
# sources recompiled, and the Release suite builds and tests it.
if(EF_SANITIZE)
  return()
endif()
set(EF_LITE_MODULES core ir tflite kernels/reference kernels/optimized runtime runtime/ops data api)
set(EF_LITE_SOURCES)
foreach(m ${EF_LITE_MODULES})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/${m}/*.cc)
  list(APPEND EF_LITE_SOURCES ${srcs})
endforeach()

# Size flags: every function and object in its own section so the linker drops what the four
# commands never reach (most of data/'s dataset code, unused kernel variants). -Os everywhere
# except the optimized kernels: they are the hot loops the binary exists to run, and -Os there
# (no unrolling, tighter inlining) costs latency for a few tens of KB; they keep the build
# type's optimization (and their *_<isa>.cc flags, which are source properties).
set(EF_LITE_SECTIONS -ffunction-sections -fdata-sections)
set(EF_LITE_SIZE $<$<NOT:$<BOOL:${EF_SANITIZE}>>:-Os>)
file(GLOB EF_LITE_HOT CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/kernels/optimized/*.cc)
list(REMOVE_ITEM EF_LITE_SOURCES ${EF_LITE_HOT})

add_library(edgeforge_lite_hot OBJECT ${EF_LITE_HOT})
target_include_directories(edgeforge_lite_hot PRIVATE ${CMAKE_SOURCE_DIR}/include ${CMAKE_SOURCE_DIR}/src)
target_compile_options(edgeforge_lite_hot PRIVATE ${EF_LITE_SECTIONS})

add_library(edgeforge_lite_core STATIC ${EF_LITE_SOURCES} $<TARGET_OBJECTS:edgeforge_lite_hot>)
add_dependencies(edgeforge_lite_core ef_schema)
target_include_directories(edgeforge_lite_core
  PUBLIC ${CMAKE_SOURCE_DIR}/include
  PRIVATE ${CMAKE_SOURCE_DIR}/src ${EF_GEN_DIR})
target_link_libraries(edgeforge_lite_core PRIVATE JPEG::JPEG PNG::PNG ZLIB::ZLIB PUBLIC Threads::Threads)
target_compile_options(edgeforge_lite_core PRIVATE ${EF_LITE_SECTIONS} ${EF_LITE_SIZE})

add_executable(edgeforge_lite
  ${CMAKE_SOURCE_DIR}/src/cli/lite/main.cc
  ${CMAKE_SOURCE_DIR}/src/cli/info.cc
  ${CMAKE_SOURCE_DIR}/src/cli/run.cc
  ${CMAKE_SOURCE_DIR}/src/cli/classify.cc
  ${CMAKE_SOURCE_DIR}/src/cli/bench.cc)
set_target_properties(edgeforge_lite PROPERTIES OUTPUT_NAME edgeforge-lite)
target_include_directories(edgeforge_lite PRIVATE ${CMAKE_SOURCE_DIR}/src ${EF_GEN_DIR})
target_compile_options(edgeforge_lite PRIVATE ${EF_LITE_SECTIONS} ${EF_LITE_SIZE})
target_link_libraries(edgeforge_lite PRIVATE edgeforge_lite_core CLI11::CLI11 nlohmann_json::nlohmann_json)
target_link_options(edgeforge_lite PRIVATE -Wl,--gc-sections)
include(GNUInstallDirs)
install(TARGETS edgeforge_lite RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# tests/device_binary_test.cc compares it with the full CLI; the test target is created later
# (tests/), hence the deferred call, as in serve.cmake.
function(ef_lite_tests)
  if(TARGET edgeforge_tests)
    target_compile_definitions(edgeforge_tests PRIVATE EF_LITE_CLI_PATH="$<TARGET_FILE:edgeforge_lite>")
    add_dependencies(edgeforge_tests edgeforge_lite)
  endif()
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL ef_lite_tests)
