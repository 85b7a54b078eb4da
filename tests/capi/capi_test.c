/* The C ABI (include/lamina.h) from C: every failure is a status and a lamina_error, never a
 * crash or an exception; results agree between the engines. Each check prints what failed. */
#include <lamina.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond)                                                                                \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);                     \
      ++failures;                                                                                  \
    }                                                                                              \
  } while (0)

static void expectError(lamina_error *error, const char *code) {
  CHECK(error != NULL);
  if (!error)
    return;
  CHECK(strlen(lamina_error_text(error)) > 0);
  CHECK(strcmp(lamina_error_code(error), code) == 0);
  if (strcmp(lamina_error_code(error), code) != 0)
    fprintf(stderr, "  got code '%s': %s\n", lamina_error_code(error), lamina_error_text(error));
  lamina_error_destroy(error);
}

int main(void) {
  lamina_error *error = NULL;
  lamina_outputs *outputs = NULL;
  float x[6] = {-1.5f, 0.0f, 2.0f, 3.25f, -4.0f, 8.0f};
  int64_t shape[2] = {2, 3};
  lamina_buffer input = {LAMINA_F32, 2, shape, x};

  /* Misuse: NULL handles and arguments, an unknown dtype. */
  CHECK(lamina_function_run(NULL, 1, &input, &outputs, &error) != 0);
  expectError(error, "");
  CHECK(lamina_function_create(NULL, NULL, &error) == NULL);
  expectError(error, "");
  lamina_function *f = lamina_function_create("lambda x: sqrt(abs(x)) - x", NULL, &error);
  CHECK(f != NULL && error == NULL);
  lamina_buffer wrong = input;
  wrong.dtype = 42;
  CHECK(lamina_function_run(f, 1, &wrong, &outputs, &error) != 0);
  expectError(error, "");
  wrong.dtype = -1;
  CHECK(lamina_function_warm_up(f, 1, &wrong, &error) != 0);
  expectError(error, "");
  CHECK(lamina_function_run(f, 1, &input, NULL, &error) != 0);
  expectError(error, "");
  CHECK(lamina_options_set_threads(NULL, 1) != 0);
  lamina_error_destroy(NULL);
  lamina_outputs_destroy(NULL);

  /* The compiled and the interpreted function agree. */
  CHECK(lamina_function_run(f, 1, &input, &outputs, &error) == 0);
  lamina_options *interp = lamina_options_create();
  lamina_options_set_interpreter(interp, 1);
  lamina_function *g = lamina_function_create("lambda x: sqrt(abs(x)) - x", interp, &error);
  lamina_outputs *reference = NULL;
  CHECK(lamina_function_run(g, 1, &input, &reference, &error) == 0);
  CHECK(lamina_outputs_count(outputs) == 1 && lamina_outputs_count(reference) == 1);
  lamina_buffer a = lamina_outputs_get(outputs, 0), b = lamina_outputs_get(reference, 0);
  CHECK(a.dtype == LAMINA_F32 && a.rank == 2 && a.shape[0] == 2 && a.shape[1] == 3);
  for (int k = 0; k < 6; ++k) {
    float expected = sqrtf(fabsf(x[k])) - x[k];
    CHECK(fabsf(((float *)a.data)[k] - expected) <= 1e-6f * (1.0f + fabsf(expected)));
    CHECK(fabsf(((float *)a.data)[k] - ((float *)b.data)[k]) <= 1e-6f * (1.0f + fabsf(expected)));
  }
  lamina_buffer past = lamina_outputs_get(outputs, 1);
  CHECK(past.data == NULL && past.rank == 0);
  lamina_outputs_destroy(outputs);
  lamina_outputs_destroy(reference);

  /* A syntax error is found at creation, at its line and column. */
  CHECK(lamina_function_create("lambda x: (x +", NULL, &error) == NULL);
  CHECK(lamina_error_diagnostic_count(error) >= 1);
  lamina_diagnostic d = lamina_error_diagnostic(error, 0);
  CHECK(d.line == 1 && d.column > 0 && strcmp(d.severity, "error") == 0);
  CHECK(strcmp(d.code, lamina_error_code(error)) == 0);
  lamina_diagnostic none = lamina_error_diagnostic(error, 99);
  CHECK(none.line == 0 && strcmp(none.code, "") == 0);
  lamina_error_destroy(error);

  /* The byte budget refuses before running (E0703), an input that does not fit is E0702. */
  lamina_options *small = lamina_options_create();
  lamina_options_set_byte_budget(small, 8);
  lamina_function *tight = lamina_function_create("lambda x: x * 2.0", small, &error);
  CHECK(lamina_function_run(tight, 1, &input, &outputs, &error) != 0);
  expectError(error, "E0703");
  lamina_function *pair = lamina_function_create("lambda a, b: a + b", NULL, &error);
  int64_t other[2] = {2, 4};
  float y[8] = {0};
  lamina_buffer two[2] = {input, {LAMINA_F32, 2, other, y}};
  CHECK(lamina_function_run(pair, 2, two, &outputs, &error) != 0);
  CHECK(error != NULL);
  lamina_error_destroy(error);

  /* The dtypes of version 2, numbered after the first nine: a u16 and a u64 input. */
  CHECK(LAMINA_C_API_VERSION >= 2 && LAMINA_I16 == 9 && LAMINA_U64 == 12 && LAMINA_F64 == 8);
  error = NULL;
  lamina_function *u =
      lamina_function_create("lambda t: (t[0] >> 1, t[1] // 3, np.sum(t[0]))", NULL, &error);
  CHECK(u != NULL && error == NULL);
  uint16_t h[3] = {65535, 2, 7};
  uint64_t w[3] = {18446744073709551615ull, 9223372036854775808ull, 5};
  int64_t three[1] = {3};
  lamina_buffer unsignedInputs[2] = {{LAMINA_U16, 1, three, h}, {LAMINA_U64, 1, three, w}};
  lamina_outputs *unsignedOutputs = NULL;
  CHECK(lamina_function_run(u, 2, unsignedInputs, &unsignedOutputs, &error) == 0);
  if (error)
    fprintf(stderr, "%s\n", lamina_error_text(error));
  if (unsignedOutputs) {
    lamina_buffer shifted = lamina_outputs_get(unsignedOutputs, 0);
    lamina_buffer quotient = lamina_outputs_get(unsignedOutputs, 1);
    lamina_buffer total = lamina_outputs_get(unsignedOutputs, 2);
    CHECK(shifted.dtype == LAMINA_U16 && ((uint16_t *)shifted.data)[0] == 32767);
    CHECK(quotient.dtype == LAMINA_U64 &&
          ((uint64_t *)quotient.data)[0] == 6148914691236517205ull &&
          ((uint64_t *)quotient.data)[1] == 3074457345618258602ull);
    CHECK(total.dtype == LAMINA_U64 && total.rank == 0 && ((uint64_t *)total.data)[0] == 65544);
    lamina_outputs_destroy(unsignedOutputs);
  }
  lamina_error_destroy(error);
  error = NULL;
  lamina_function_destroy(u);

  /* A model that does not exist. */
  CHECK(lamina_model_load("/nonexistent/model.json", NULL, &error) == NULL);
  CHECK(error != NULL);
  lamina_error_destroy(error);

  lamina_function_destroy(f);
  lamina_function_destroy(g);
  lamina_function_destroy(tight);
  lamina_function_destroy(pair);
  lamina_options_destroy(interp);
  lamina_options_destroy(small);
  if (failures)
    fprintf(stderr, "%d check(s) failed\n", failures);
  else
    printf("capi: every check passed\n");
  return failures ? 1 : 0;
}
