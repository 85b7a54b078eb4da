/* A host in C (include/lamina.h): it chooses threads, the target CPU and the kernel cache,
 * warms a lambda up so the first call pays no compile, runs it on its own buffer, runs a
 * model config, and reads a mistake's diagnostic as fields. */
#include <lamina.h>

#include <stdio.h>

static int fail(lamina_error *error) {
  fprintf(stderr, "%s\n", lamina_error_text(error));
  lamina_error_destroy(error);
  return 1;
}

int main(int argc, char **argv) {
  lamina_options *options = lamina_options_create();
  lamina_options_set_threads(options, 2);
  lamina_options_set_cpu(options, "generic");  /* portable x86-64 kernels */
  lamina_options_set_cache_dir(options, NULL); /* no disk cache */
  lamina_set_blas_threads(1);

  /* A lambda, compiled up front for f32[B, 4]: B is any batch size. */
  lamina_error *error = NULL;
  lamina_function *f =
      lamina_function_create("lambda x: maximum(x, 0.0) * 2.0 + 1.0", options, &error);
  if (!f)
    return fail(error);
  int64_t signature[2] = {-1, 4};
  lamina_buffer type = {LAMINA_F32, 2, signature, NULL};
  if (lamina_function_warm_up(f, 1, &type, &error))
    return fail(error);

  float x[8] = {-2, -1, 0, 1, 2, 3, 4, 5};
  int64_t shape[2] = {2, 4};
  lamina_buffer input = {LAMINA_F32, 2, shape, x};
  lamina_outputs *outputs = NULL;
  if (lamina_function_run(f, 1, &input, &outputs, &error))
    return fail(error);
  lamina_buffer y = lamina_outputs_get(outputs, 0);
  printf("lamina %s: f32[%lld, %lld]:", lamina_version(), (long long)y.shape[0],
         (long long)y.shape[1]);
  for (int k = 0; k < 8; ++k)
    printf(" %g", (double)((const float *)y.data)[k]);
  printf("\n");
  lamina_outputs_destroy(outputs);
  lamina_function_destroy(f);

  /* A model config (argv[1]) on the same buffer. */
  if (argc > 1) {
    lamina_model *model = lamina_model_load(argv[1], options, &error);
    if (!model)
      return fail(error);
    if (lamina_model_run(model, 1, &input, &outputs, &error))
      return fail(error);
    lamina_buffer out = lamina_outputs_get(outputs, 0);
    printf("model: %zu input(s), output rank %zu, first %g\n", lamina_model_input_count(model),
           out.rank, (double)((const float *)out.data)[0]);
    lamina_outputs_destroy(outputs);
    lamina_model_destroy(model);
  }

  /* A mistake, found when the function is checked for its inputs: the report as fields, as
   * an editor would underline it. */
  lamina_function *bad =
      lamina_function_create("def f(x):\n    return x + undefined_name\n", options, &error);
  if (!bad)
    return fail(error);
  if (!lamina_function_warm_up(bad, 1, &type, &error)) {
    fprintf(stderr, "a broken function was accepted\n");
    return 1;
  }
  lamina_function_destroy(bad);
  for (size_t k = 0; k < lamina_error_diagnostic_count(error); ++k) {
    lamina_diagnostic d = lamina_error_diagnostic(error, k);
    printf("diagnostic %s %s at %u:%u (%u bytes): %s\n", d.code, d.severity, d.line, d.column,
           d.length, d.message);
  }
  lamina_error_destroy(error);
  lamina_options_destroy(options);
  return 0;
}
