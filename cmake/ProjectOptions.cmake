# Build options shared by every lamina target, as interface libraries rather than
# directory-wide flags, so generated and third-party code is never held to our warnings.

add_library(lamina_sanitizers INTERFACE)
if(LAMINA_TSAN)
  set(_lamina_tsan -fsanitize=thread -fno-omit-frame-pointer)
  target_compile_options(lamina_sanitizers INTERFACE ${_lamina_tsan})
  target_link_options(lamina_sanitizers INTERFACE ${_lamina_tsan})
endif()
if(LAMINA_SANITIZE)
  set(_lamina_san -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_compile_options(lamina_sanitizers INTERFACE ${_lamina_san})
  target_link_options(lamina_sanitizers INTERFACE ${_lamina_san})
endif()

if(LAMINA_FUZZ)
  # Coverage for libFuzzer in all of lamina's code; the harnesses add -fsanitize=fuzzer.
  set(_lamina_fuzz -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
                   -fno-omit-frame-pointer)
  target_compile_options(lamina_sanitizers INTERFACE ${_lamina_fuzz})
  target_link_options(lamina_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

add_library(lamina_project_options INTERFACE)
target_compile_features(lamina_project_options INTERFACE cxx_std_20)
target_compile_options(lamina_project_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wimplicit-fallthrough -Werror
  # GCC 12 reports std::string concatenation as overlapping memcpy (GCC bug 105329).
  $<$<CXX_COMPILER_ID:GNU>:-Wno-restrict>
  # GCC 12 at -O3 reports null dereferences inside std::vector::insert; Clang's analysis of
  # the same warning has no such false positives, so it stays on there.
  $<$<CXX_COMPILER_ID:Clang>:-Wnull-dereference>
  # Clang in C++20 flags libstdc++ 12's own std::stable_sort, which calls the deprecated
  # std::get_temporary_buffer inside the system header.
  $<$<CXX_COMPILER_ID:Clang>:-Wno-deprecated-declarations>)
target_include_directories(lamina_project_options INTERFACE ${PROJECT_SOURCE_DIR}
                                                    ${PROJECT_SOURCE_DIR}/include
                                                    ${LAMINA_GENERATED_INCLUDE})
target_link_libraries(lamina_project_options INTERFACE lamina_sanitizers)
