/* lamina's C ABI: compile a lambda and run it on buffers, load and run a model, read every
 * diagnostic as fields. C99 and any language with a C FFI (Python's ctypes, Rust, Go, Julia)
 * binds to it; the C++ API (<lamina/lamina.h>) is its reference and does the work.
 *
 *   lamina_options *o = lamina_options_create();
 *   lamina_options_set_threads(o, 2);
 *   lamina_error *error = NULL;
 *   lamina_function *f = lamina_function_create("lambda x: relu(x) * 2.0", o, &error);
 *   if (!f) { fprintf(stderr, "%s\n", lamina_error_text(error)); lamina_error_destroy(error); }
 *
 * Conventions: a function that can fail returns NULL or a nonzero status and, when `error` is
 * not NULL, stores a new lamina_error there (the caller destroys it). No C++ exception ever
 * crosses this boundary, std::bad_alloc included. Handles are not thread-safe to destroy while
 * in use; lamina_function_run and lamina_model_run may be called from many threads at once.
 * Strings returned are owned by the object they come from and live as long as it does. */
#ifndef LAMINA_C_H
#define LAMINA_C_H

#include "lamina/Export.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LAMINA_C_API_VERSION 2

/* Element types, numbered as lamina::DType. The numbers never change: dtypes added later are
 * appended (LAMINA_I16 and after came with version 2). */
typedef enum lamina_dtype {
  LAMINA_BOOL = 0,
  LAMINA_I8 = 1,
  LAMINA_U8 = 2,
  LAMINA_I32 = 3,
  LAMINA_I64 = 4,
  LAMINA_F16 = 5,
  LAMINA_BF16 = 6,
  LAMINA_F32 = 7,
  LAMINA_F64 = 8,
  LAMINA_I16 = 9,
  LAMINA_U16 = 10,
  LAMINA_U32 = 11,
  LAMINA_U64 = 12
} lamina_dtype;

/* A C-contiguous array the caller owns (inputs), or lamina owns (outputs). The dtype is a
 * lamina_dtype held in a fixed-size integer: a C enum's size is the compiler's choice, and
 * lamina checks the value (an unknown one is an error, not undefined behaviour). */
typedef struct lamina_buffer {
  int32_t dtype;
  size_t rank;
  const int64_t *shape;
  void *data;
} lamina_buffer;

typedef struct lamina_error lamina_error;
typedef struct lamina_options lamina_options;
typedef struct lamina_function lamina_function;
typedef struct lamina_model lamina_model;
typedef struct lamina_outputs lamina_outputs;

/* The library's version ("0.1.0"). */
LAMINA_API const char *lamina_version(void);
/* OpenBLAS's own thread count, process-wide; lamina never changes it unasked. */
LAMINA_API void lamina_set_blas_threads(int threads);

/* ---- errors: the rendered report, and each diagnostic as fields ---- */
LAMINA_API const char *lamina_error_text(const lamina_error *error);
/* The first error's stable code ("E0301"), or "" when there is none. */
LAMINA_API const char *lamina_error_code(const lamina_error *error);
LAMINA_API size_t lamina_error_diagnostic_count(const lamina_error *error);
typedef struct lamina_diagnostic {
  const char *code;     /* "E0301" */
  const char *severity; /* "error", "warning" or "note" */
  const char *message;
  const char *file;      /* "" when the diagnostic is about a call, not a place */
  uint32_t line, column; /* 1-based (the column in code points); 0 without a place */
  uint32_t length;       /* bytes underlined */
} lamina_diagnostic;
/* Diagnostic `index` (< lamina_error_diagnostic_count); all fields zero/"" past the end. */
LAMINA_API lamina_diagnostic lamina_error_diagnostic(const lamina_error *error, size_t index);
LAMINA_API void lamina_error_destroy(lamina_error *error);

/* ---- options: what every call through a function or model computes with ---- */
LAMINA_API lamina_options *lamina_options_create(void);
LAMINA_API void lamina_options_destroy(lamina_options *options);
/* 0: one per core (the default); at most 256. Nonzero return: refused. */
LAMINA_API int lamina_options_set_threads(lamina_options *options, unsigned threads);
/* "host" (the default), "generic" (portable x86-64) or an LLVM CPU name ("haswell"). */
LAMINA_API void lamina_options_set_cpu(lamina_options *options, const char *cpu);
/* The on-disk kernel cache folder; NULL turns the disk cache off, "" is the user's cache. */
LAMINA_API void lamina_options_set_cache_dir(lamina_options *options, const char *dir);
/* Nonzero: the reference interpreter instead of compiled kernels. */
LAMINA_API void lamina_options_set_interpreter(lamina_options *options, int on);
/* The most bytes one call may define (E0703 beyond); default 4 GiB. */
LAMINA_API void lamina_options_set_byte_budget(lamina_options *options, uint64_t bytes);

/* ---- functions: lambda source text, compiled per input signature ---- */
/* Parses `source` (a lambda or defs; docs/language.md). `options` is copied; NULL: defaults. */
LAMINA_API lamina_function *
lamina_function_create(const char *source, const lamina_options *options, lamina_error **error);
LAMINA_API void lamina_function_destroy(lamina_function *function);
/* Compiles now for inputs of these dtypes and shapes (-1: any size), so the first run pays
 * no compile. `inputs[k].data` is not read and may be NULL. */
LAMINA_API int lamina_function_warm_up(lamina_function *function, size_t count,
                                       const lamina_buffer *inputs, lamina_error **error);
/* Runs on `count` inputs; *outputs receives the results (destroy with
 * lamina_outputs_destroy). */
LAMINA_API int lamina_function_run(lamina_function *function, size_t count,
                                   const lamina_buffer *inputs, lamina_outputs **outputs,
                                   lamina_error **error);

/* ---- models: a Keras config (a folder with config.json, or a .json file) ---- */
LAMINA_API lamina_model *lamina_model_load(const char *path, const lamina_options *options,
                                           lamina_error **error);
LAMINA_API void lamina_model_destroy(lamina_model *model);
LAMINA_API size_t lamina_model_input_count(const lamina_model *model);
LAMINA_API int lamina_model_warm_up(lamina_model *model, size_t count, const lamina_buffer *inputs,
                                    lamina_error **error);
LAMINA_API int lamina_model_run(lamina_model *model, size_t count, const lamina_buffer *inputs,
                                lamina_outputs **outputs, lamina_error **error);

/* ---- outputs of a run ---- */
LAMINA_API size_t lamina_outputs_count(const lamina_outputs *outputs);
/* Output `index`, owned by `outputs` (C-contiguous). */
LAMINA_API lamina_buffer lamina_outputs_get(const lamina_outputs *outputs, size_t index);
LAMINA_API void lamina_outputs_destroy(lamina_outputs *outputs);

#ifdef __cplusplus
}
#endif

#endif /* LAMINA_C_H */
