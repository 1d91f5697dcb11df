# Training (`edgeforge-train`): the only code that includes LibTorch (Debian libtorch-dev). It
# is its own library and executable so the device binary `edgeforge` never loads LibTorch;
# -DEF_BUILD_TRAINING=OFF builds everything else without it.
option(EF_BUILD_TRAINING "Build edgeforge-train and its tests (needs LibTorch)" ON)
if(NOT EF_BUILD_TRAINING)
  return()
endif()
find_package(Torch REQUIRED CONFIG)

file(GLOB EF_TRAIN_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/train/*.cc)
list(REMOVE_ITEM EF_TRAIN_SOURCES ${CMAKE_SOURCE_DIR}/src/train/train_main.cc)
# The fused optimizer loop vectorises its square root only when sqrt need not set errno.
set_source_files_properties(${CMAKE_SOURCE_DIR}/src/train/optimizer.cc PROPERTIES COMPILE_OPTIONS -fno-math-errno)
add_library(edgeforge_train STATIC ${EF_TRAIN_SOURCES})
add_dependencies(edgeforge_train ef_schema)
target_include_directories(edgeforge_train PUBLIC ${CMAKE_SOURCE_DIR}/src ${EF_GEN_DIR})
# LibTorch's headers are not warning-clean under -Wextra: include them as system headers.
target_include_directories(edgeforge_train SYSTEM PUBLIC ${TORCH_INCLUDE_DIRS})
target_link_libraries(edgeforge_train PUBLIC edgeforge ${TORCH_LIBRARIES} nlohmann_json::nlohmann_json)

add_executable(edgeforge_train_cli ${CMAKE_SOURCE_DIR}/src/train/train_main.cc)
set_target_properties(edgeforge_train_cli PROPERTIES OUTPUT_NAME edgeforge-train)
target_link_libraries(edgeforge_train_cli PRIVATE edgeforge_train CLI11::CLI11)
install(TARGETS edgeforge_train_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The tests of train/ link LibTorch, so they are their own binary: the main test binary stays
# free of it and builds with -DEF_BUILD_TRAINING=OFF.
function(ef_add_training_tests)
  if(NOT EF_BUILD_TESTS)
    return()
  endif()
  find_package(GTest REQUIRED)
  include(GoogleTest)
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/train_*_test.cc)
  add_executable(edgeforge_train_tests ${sources} ${CMAKE_SOURCE_DIR}/tests/test_util.cc)
  target_include_directories(edgeforge_train_tests PRIVATE ${CMAKE_SOURCE_DIR}/tests)
  target_link_libraries(edgeforge_train_tests PRIVATE edgeforge_train GTest::gtest GTest::gtest_main)
  target_compile_definitions(edgeforge_train_tests PRIVATE
    EF_TESTDATA_DIR="${CMAKE_SOURCE_DIR}/../shared/testdata"
    EF_CLI_PATH="$<TARGET_FILE:edgeforge_cli>"
    EF_TRAIN_CLI_PATH="$<TARGET_FILE:edgeforge_train_cli>"
    EF_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    EF_BINARY_DIR="${CMAKE_BINARY_DIR}")
  add_dependencies(edgeforge_train_tests edgeforge_cli edgeforge_train_cli)
  gtest_discover_tests(edgeforge_train_tests DISCOVERY_TIMEOUT 120 PROPERTIES TIMEOUT 900)
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL ef_add_training_tests)
