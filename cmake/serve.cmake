# `edgeforge serve`: an HTTP front end on Debian's cpp-httplib (libcpp-httplib-dev). Its own
# library, linked into the tests and into its own executable edgeforge-serve, which
# `edgeforge serve` runs (src/cli/siblings.h); never into the device library or the `edgeforge`
# command (Debian's cpp-httplib brings OpenSSL and brotli with it).
find_package(PkgConfig REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)

file(GLOB EF_SERVE_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/serve/*.cc)
add_library(edgeforge_serve STATIC ${EF_SERVE_SOURCES})
add_dependencies(edgeforge_serve ef_schema)
target_include_directories(edgeforge_serve PRIVATE ${CMAKE_SOURCE_DIR}/src ${EF_GEN_DIR})
target_link_libraries(edgeforge_serve PUBLIC edgeforge PkgConfig::HTTPLIB nlohmann_json::nlohmann_json)

add_executable(edgeforge_serve_cli ${CMAKE_SOURCE_DIR}/src/cli/serve/main.cc ${CMAKE_SOURCE_DIR}/src/cli/siblings.cc)
set_target_properties(edgeforge_serve_cli PROPERTIES OUTPUT_NAME edgeforge-serve)
target_include_directories(edgeforge_serve_cli PRIVATE ${CMAKE_SOURCE_DIR}/src ${EF_GEN_DIR})
target_link_libraries(edgeforge_serve_cli PRIVATE edgeforge_serve CLI11::CLI11)
# Building `edgeforge` builds the commands it hands over to.
add_dependencies(edgeforge_cli edgeforge_serve_cli)
install(TARGETS edgeforge_serve_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

function(ef_link_serve_tests)
  if(TARGET edgeforge_tests)
    target_link_libraries(edgeforge_tests PRIVATE edgeforge_serve)
    add_dependencies(edgeforge_tests edgeforge_serve_cli)
  endif()
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL ef_link_serve_tests)

# The load generator of bench/ (8 keep-alive clients, throughput, p50/p99, server RSS).
if(EF_BUILD_BENCH AND NOT EF_SANITIZE)
  add_executable(serve_load ${CMAKE_SOURCE_DIR}/bench/serve_load.cc)
  target_link_libraries(serve_load PRIVATE PkgConfig::HTTPLIB CLI11::CLI11 Threads::Threads)
endif()
