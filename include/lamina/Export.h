#pragma once

// What liblamina.so exports. Everything lamina builds is compiled with -fvisibility=hidden
// (cmake/ProjectOptions.cmake), so the library's dynamic symbol table holds the public API
// only - no compiler internals, no LLVM, ANTLR or fmt - and a host's own symbols never
// collide with them. Every class and function a host may name carries LAMINA_API. Plain C as
// well as C++: the C ABI (lamina.h) uses it too.

#if defined(__GNUC__) || defined(__clang__)
#define LAMINA_API __attribute__((visibility("default")))
#else
#define LAMINA_API
#endif
