# The include layering of docs/architecture.md, checked on every build (and by the layering
# test, which plants a wrong include and expects this to fail):
#
#   cmake -DROOT=<source tree> [-DSTAMP=<file>] -P cmake/Layering.cmake
#
# Each folder lists the project headers its files may include, as path prefixes; its own
# folder is always allowed. Dependencies point down: a folder names only the stages below it.
# Third-party headers are checked by name: LLVM only in codegen and jit, ANTLR only in parse.
# A folder not listed here (tests/, examples/) is not checked.

set(_layers
  "compiler/support|"
  "compiler/diag|compiler/support/"
  # The public lamina/DType.h is generated from compiler/types/DTypes.def; types includes
  # only the export macro of the public headers.
  "compiler/types|compiler/support/ lamina/Export.h"
  "compiler/ast|compiler/support/ compiler/diag"
  "compiler/parse|compiler/support/ compiler/ast compiler/diag LaminaLexer.h LaminaParser.h antlr4-runtime.h"
  "compiler/ir|compiler/support/ compiler/diag compiler/types"
  # Sema never parses: callers hand it parsed sources (compiler/driver/Frontend.h).
  "compiler/sema|compiler/support/ compiler/ast compiler/diag compiler/ir compiler/types"
  "compiler/interp|compiler/support/ compiler/diag compiler/ir compiler/types"
  "compiler/transforms|compiler/support/ compiler/diag compiler/interp compiler/ir compiler/types"
  "compiler/codegen|compiler/support/ compiler/diag compiler/ir compiler/transforms compiler/types"
  "compiler/jit|compiler/support/ compiler/codegen compiler/diag compiler/interp compiler/ir compiler/transforms compiler/types jit/CodegenFingerprint.h lamina/Executor.h lamina/Export.h"
  "compiler/driver|compiler/support/ compiler/ast compiler/diag compiler/interp compiler/ir compiler/jit compiler/parse compiler/sema compiler/types lamina/Executor.h lamina/Export.h"
  "runtime/threads|compiler/support/ lamina/Executor.h lamina/Export.h"
  "runtime/io|compiler/support/ compiler/diag compiler/types lamina/"
  "runtime/support|compiler/support/ compiler/diag lamina/"
  "runtime/tensor|compiler/support/ compiler/diag compiler/types runtime/io runtime/support lamina/"
  "runtime/json|compiler/support/ compiler/diag runtime/io runtime/support lamina/"
  "runtime/layers|compiler/support/ compiler/ast compiler/diag compiler/driver compiler/interp compiler/ir compiler/parse compiler/sema compiler/types runtime/io runtime/support runtime/tensor runtime/threads lamina/"
  "runtime/capi|compiler/support/ lamina/"
  "runtime/model|compiler/support/ compiler/diag runtime/io runtime/json runtime/layers runtime/support runtime/tensor lamina/"
  # The CLI: the public API, the driver, and the bridge between the public Tensor and the
  # driver's Array; the REPL's files only from `lamina repl`.
  "tools/lamina|compiler/support/ compiler/ast compiler/diag compiler/driver compiler/interp compiler/ir compiler/parse compiler/sema compiler/types runtime/tensor/TensorBridge.h lamina/"
  "tools/lamina/repl|compiler/support/ compiler/ast compiler/diag compiler/driver compiler/interp compiler/ir compiler/parse compiler/sema compiler/types tools/lamina/ lamina/"
  "bench|compiler/diag compiler/driver compiler/ir compiler/parse compiler/sema compiler/types runtime/threads lamina/")

# Files allowed more than their folder: path|prefixes.
set(_exceptions
  "tools/lamina/ReplCommand.cpp|tools/lamina/repl/")

# Third-party headers with one owner: pattern|folders that may include them.
set(_owned
  "llvm/|compiler/codegen compiler/jit"
  "antlr4|compiler/parse")

if(NOT ROOT)
  message(FATAL_ERROR "Layering.cmake: pass -DROOT=<source tree>")
endif()

set(_problems "")
foreach(_layer IN LISTS _layers)
  string(REPLACE "|" ";" _parts "${_layer}")
  list(GET _parts 0 _folder)
  list(LENGTH _parts _n)
  set(_allowed "")
  if(_n GREATER 1)
    list(GET _parts 1 _allowed)
    separate_arguments(_allowed UNIX_COMMAND "${_allowed}")
  endif()
  file(GLOB _files "${ROOT}/${_folder}/*.h" "${ROOT}/${_folder}/*.cpp" "${ROOT}/${_folder}/*.def"
       "${ROOT}/${_folder}/*.inc")
  foreach(_file IN LISTS _files)
    file(RELATIVE_PATH _rel "${ROOT}" "${_file}")
    set(_mine ${_allowed})
    foreach(_exception IN LISTS _exceptions)
      string(REPLACE "|" ";" _e "${_exception}")
      list(GET _e 0 _path)
      if(_path STREQUAL _rel)
        list(GET _e 1 _more)
        separate_arguments(_more UNIX_COMMAND "${_more}")
        list(APPEND _mine ${_more})
      endif()
    endforeach()
    file(STRINGS "${_file}" _includes REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<]")
    foreach(_line IN LISTS _includes)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[\"<]([^\">]*)[\">].*" "\\1" _header "${_line}")
      string(REGEX MATCH "^[ \t]*#[ \t]*include[ \t]*\"" _quoted "${_line}")
      # Third-party headers with an owner, quoted or not.
      foreach(_own IN LISTS _owned)
        string(REPLACE "|" ";" _o "${_own}")
        list(GET _o 0 _pattern)
        list(GET _o 1 _owners)
        separate_arguments(_owners UNIX_COMMAND "${_owners}")
        string(FIND "${_header}" "${_pattern}" _at)
        if(_at EQUAL 0 AND NOT _folder IN_LIST _owners)
          list(JOIN _owners " and " _who)
          list(APPEND _problems "${_rel}: includes <${_header}>, which only ${_who} may")
        endif()
      endforeach()
      if(NOT _quoted)
        continue() # system and third-party headers: linked libraries decide
      endif()
      set(_ok FALSE)
      foreach(_prefix IN LISTS _mine)
        string(FIND "${_header}" "${_prefix}" _at)
        if(_at EQUAL 0)
          set(_ok TRUE)
          break()
        endif()
      endforeach()
      # The folder's own headers (not a subfolder's), and headers beside the file (generated
      # ones, the .def tables).
      string(FIND "${_header}" "${_folder}/" _at)
      string(REGEX REPLACE "^.*/" "" _leaf "${_header}")
      if(NOT _ok AND ((_at EQUAL 0 AND _header STREQUAL "${_folder}/${_leaf}") OR
                      NOT _header MATCHES "/"))
        set(_ok TRUE)
      endif()
      if(NOT _ok)
        list(APPEND _problems "${_rel}: includes \"${_header}\", which ${_folder} may not (cmake/Layering.cmake)")
      endif()
    endforeach()
  endforeach()
endforeach()

if(_problems)
  list(JOIN _problems "\n  " _text)
  message(FATAL_ERROR "include layering violated:\n  ${_text}")
endif()
if(STAMP)
  file(TOUCH "${STAMP}")
endif()
