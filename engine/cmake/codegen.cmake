# Runs tools/codegen over engine/ops/*.yaml at build time. Outputs go to the build tree (never
# committed). The generator writes a file only when its content changes, so an unchanged registry
# does not trigger recompiles.
set(MIXNET_REPO_ROOT ${CMAKE_CURRENT_SOURCE_DIR}/..)
set(MIXNET_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)
file(GLOB MIXNET_OP_YAML CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/ops/*.yaml)
file(GLOB_RECURSE MIXNET_CODEGEN_SOURCES CONFIGURE_DEPENDS ${MIXNET_REPO_ROOT}/tools/codegen/src/*.ts)

find_program(NODE_EXECUTABLE node REQUIRED)

set(MIXNET_GENERATED_HEADERS "")
foreach(yaml ${MIXNET_OP_YAML})
  get_filename_component(family ${yaml} NAME_WE)
  list(APPEND MIXNET_GENERATED_HEADERS ${MIXNET_GENERATED_DIR}/ops/${family}.h)
endforeach()
set(MIXNET_GENERATED_SOURCES ${MIXNET_GENERATED_DIR}/ops/registry.gen.cc)

add_custom_command(
  OUTPUT ${MIXNET_GENERATED_SOURCES} ${MIXNET_GENERATED_HEADERS}
  COMMAND ${NODE_EXECUTABLE} --import tsx ${MIXNET_REPO_ROOT}/tools/codegen/src/cli.ts
          cpp --ops ${CMAKE_CURRENT_SOURCE_DIR}/ops --out ${MIXNET_GENERATED_DIR}/ops
  DEPENDS ${MIXNET_OP_YAML} ${MIXNET_CODEGEN_SOURCES}
  WORKING_DIRECTORY ${MIXNET_REPO_ROOT}
  COMMENT "tools/codegen: engine/ops/*.yaml -> C++ op tables"
  VERBATIM)
add_custom_target(mixnet_codegen DEPENDS ${MIXNET_GENERATED_SOURCES} ${MIXNET_GENERATED_HEADERS})
