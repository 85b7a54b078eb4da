// The differential tables of the array functions and neural-network helpers
// (BuiltinsArrays.cpp, BuiltinsNeuralNet.cpp): data movement (roll, diagonals, stacking,
// take_along_axis, order statistics) exact on every element size; the compositions that sum
// or use transcendental functions within a small relative bound, on fixed and symbolic shapes.

#include "DifferentialDriver.h"

#include <doctest/doctest.h>

#include <fmt/format.h>

using namespace lamina;
using namespace lamina::jitdiff;

TEST_CASE("array functions that move data: roll, diagonals, stacking, take_along_axis, "
          "order statistics") {
  // In x: [6, 7], z: [3, 4, 5], r: [7], i: i32[2, 3].
  const char *exprs[] = {
      "roll(x, 3, axis=1)",
      "np.roll(x, (1, -2), axis=(0, 1))",
      "roll(z, 5)",
      "tf.roll(z, [2, 2], [2, 2])",
      "diagonal(z, 1, 1, 2)",
      "np.diagonal(x, -2)",
      "diag(r, -1)",
      "diag(x, 2)",
      "tf.linalg.diag(x, k=1)",
      "tf.linalg.diag_part(z)",
      "hstack([x, x[:, :2]])",
      "vstack([r, r])",
      "dstack([x, x])",
      "column_stack([r, r])",
      "meshgrid(r, r[:3])[0]",
      "np.meshgrid(r[:2], r, r[:4], indexing='ij')[2]",
      "take_along_axis(x, argsort(x, axis=1), axis=1)",
      "take_along_axis(x[:, :3], i, axis=0)",
      "np.take_along_axis(z[:2], i[:, :, None], axis=1)",
      "tf.slice(z, [1, 0, 2], [2, -1, 2])",
      "median(x, axis=1)",
      "median(z, axis=(0, 2), keepdims=True)",
      "np.quantile(x, [0.0, 0.25, 1.0], axis=0)",
      "ptp(x, axis=0)",
      "tf.nn.crelu(x)",
      "tf.nn.embedding_lookup(x, i)",
      "K.temporal_padding(z, (2, 1))",
      "ops.multi_hot(i, 5)",
  };
  std::vector<KernelCase> cases;
  for (DType t : {DType::F32, DType::F16, DType::I8, DType::U8, DType::I64}) {
    Inputs inputs = {{"x", typeSpec(t, "6, 7")},
                     {"z", typeSpec(t, "3, 4, 5")},
                     {"r", typeSpec(t, "7")},
                     {"i", "i32[2, 3]"}};
    for (const char *expr : exprs) {
      KernelCase k{fmt::format("array `{}` {}", expr, shortName(t)), expr, inputs,
                   [t](std::mt19937_64 &rng) {
                     Array idx = jittest::intArrayOf(DType::I32, {2, 3}, {0, -1, 9, -9, 3, 2});
                     return std::vector<Call>{{"",
                                               {jittest::randomArray(t, {6, 7}, rng),
                                                jittest::randomArray(t, {3, 4, 5}, rng),
                                                jittest::randomArray(t, {7}, rng), idx}}};
                   }};
      // The quantiles interpolate: a product and a sum, rounded as the interpreter does.
      if (std::string_view(expr).find("quantile") != std::string_view::npos)
        k.rules = {Rule::close(1e-6, 0)};
      cases.push_back(std::move(k));
    }
  }
  runCases(cases);
}

TEST_CASE("array and neural-network compositions: products, traces, normalizations, losses") {
  // In x: [6, 7], z: [3, 4, 5], r: [7].
  const char *exprs[] = {
      "trace(x)",
      "np.trace(z, 1, 0, 2)",
      "tensordot(z, z, ((0, 1), (0, 1)))",
      "tf.tensordot(x, x, [[0], [0]])",
      "inner(x, x)",
      "outer(r, r)",
      "average(x, axis=1, weights=x * x + 1)",
      "tf.clip_by_norm(x, 2.0, axes=[1])",
      "percentile(z, 40, axis=(1, 2))",
      "tf.nn.sigmoid_cross_entropy_with_logits(cast(x > 0, x.dtype), x)",
      "tf.nn.softmax_cross_entropy_with_logits(softmax(x), x)",
      "tf.nn.sparse_softmax_cross_entropy_with_logits(argmax(x, axis=1), x)",
      "tf.nn.weighted_cross_entropy_with_logits(cast(x > 0, x.dtype), x, 2.0)",
      "tf.nn.batch_normalization(x, mean(x, axis=0), var(x, axis=0), r, r * r, 1e-3)",
      "K.batch_normalization(z, mean(z, axis=(0, 2)), var(z, axis=(0, 2)), None, None, axis=1)",
      "tf.nn.bias_add(z, r[:5])",
      "ops.layer_normalization(x, r, r)",
      "ops.layer_normalization(z, axis=(1, 2), rms_scaling=True)",
      "ops.rms_normalization(z)",
      "tf.nn.l2_loss(x)",
      "ops.categorical_crossentropy(softmax(x), softmax(x[::-1]))",
  };
  std::vector<KernelCase> cases;
  for (DType t : {DType::F32, DType::F64}) {
    Inputs inputs = {
        {"x", typeSpec(t, "6, 7")}, {"z", typeSpec(t, "3, 4, 5")}, {"r", typeSpec(t, "7")}};
    for (const char *expr : exprs) {
      KernelCase k{fmt::format("composite `{}` {}", expr, shortName(t)), expr, inputs,
                   [t](std::mt19937_64 &rng) {
                     return std::vector<Call>{{"",
                                               {jittest::moderateArray(t, {6, 7}, rng, 4, 0),
                                                jittest::moderateArray(t, {3, 4, 5}, rng, 4, 0),
                                                jittest::moderateArray(t, {7}, rng, 4, 0)}}};
                   }};
      k.rules = {Rule::close(t == DType::F32 ? 2e-5 : 1e-12, t == DType::F32 ? 2e-5 : 1e-12)};
      cases.push_back(std::move(k));
    }
  }
  runCases(cases);
}

TEST_CASE("array functions on a symbolic batch: one kernel for every B") {
  const char *exprs[] = {"roll(x, 3, axis=1)",
                         "take_along_axis(x, argsort(x, axis=1), axis=1)",
                         "median(x, axis=1)",
                         "tf.slice(x, [0, 2], [-1, 3])",
                         "diagonal(x[:, :, None] * x[:, None, :], 0, 1, 2)",
                         "ops.layer_normalization(x)",
                         "tf.nn.sparse_softmax_cross_entropy_with_logits(argmax(x, axis=1), x)",
                         "hstack([x, x])",
                         "K.spatial_2d_padding(x[:, :, None, None] * x[:, None, :, None], "
                         "((1, 0), (0, 2)))"};
  std::vector<KernelCase> cases;
  for (const char *expr : exprs) {
    KernelCase k{
        fmt::format("symbolic `{}`", expr), expr, {{"x", "f32[B, 7]"}}, [](std::mt19937_64 &rng) {
          std::vector<Call> calls;
          for (int64_t b : {0, 1, 3, 9})
            calls.push_back(
                {fmt::format("B={}", b), {jittest::moderateArray(DType::F32, {b, 7}, rng, 4, 0)}});
          return calls;
        }};
    k.rules = {Rule::close(2e-5, 2e-5)};
    cases.push_back(std::move(k));
  }
  runCases(cases);
}
