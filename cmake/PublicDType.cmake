# The public lamina/DType.h, generated at configure time from compiler/types/DTypes.def, the
# one list of element types: the enum hosts see is the compiler's by construction, and the
# compiler never includes a public header to get it. Both spell the enum under one guard
# (LAMINA_DTYPE_ENUM_DEFINED), so a file that sees both headers sees one definition.

set(_def ${PROJECT_SOURCE_DIR}/compiler/types/DTypes.def)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_def})
file(STRINGS ${_def} _rows REGEX "^LAMINA_DTYPE\\(")
set(_names "")
foreach(_row IN LISTS _rows)
  string(REGEX REPLACE "^LAMINA_DTYPE\\(([A-Za-z0-9_]+),.*" "\\1" _name "${_row}")
  list(APPEND _names ${_name})
endforeach()
list(JOIN _names ", " _enumerators)

set(LAMINA_GENERATED_INCLUDE ${PROJECT_BINARY_DIR}/generated/include)
file(CONFIGURE OUTPUT ${LAMINA_GENERATED_INCLUDE}/lamina/DType.h CONTENT [=[
#pragma once

// Element types of lamina tensors. Generated from compiler/types/DTypes.def by
// cmake/PublicDType.cmake: do not edit.

#include <cstdint>

#ifndef LAMINA_DTYPE_ENUM_DEFINED
#define LAMINA_DTYPE_ENUM_DEFINED
namespace lamina {
enum class DType : uint8_t { @_enumerators@, };
} // namespace lamina
#endif
]=] @ONLY)
