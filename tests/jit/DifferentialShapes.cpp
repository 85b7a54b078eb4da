// The differential tables of shape operations (exact): slices, transposes, reshapes,
// concatenation, padding, gathers, on fixed, symbolic and empty shapes.

#include "DifferentialDriver.h"

#include <doctest/doctest.h>

#include <fmt/format.h>

using namespace lamina;
using namespace lamina::jitdiff;

TEST_CASE("shape operations: slices with negative steps, transpose, reshape, concat, pad, "
          "gather, tile, repeat, split") {
  // In x: [6, 7], z: [3, 4, 5], r: [7], c: [6, 1], i: i32[2, 3].
  const char *exprs[] = {
      "x[::-1]",
      "x[1:7:2]",
      "x[::-3]",
      "x[-2::-1]",
      "x[5:1:-2]",
      "x[:, ::-2]",
      "x[::-1, 1:]",
      "x[..., ::-1]",
      "x[2]",
      "x[:, -1]",
      "x[None, :, 1]",
      "x[4:100, -100:3]",
      "transpose(x)",
      "x.T",
      "transpose(z, (1, 2, 0))",
      "transpose(z, (2, 0, 1))",
      "transpose(z[:, ::-1], (2, 1, 0))[1:]",
      "reshape(x, (7, 6))",
      "reshape(x, (-1,))",
      "flatten(z)",
      "reshape(z, (4, -1))",
      "reshape(transpose(z, (0, 2, 1)), (3, 20))",
      "broadcast_to(r, (6, 7))",
      "broadcast_to(c, (6, 7))",
      "concat([x, x[::-1]], axis=0)",
      "concat([x, c], axis=1)",
      "concat([x[:, :3], x[:, 3:], x], axis=1)",
      "concat([c, x, c[::-1]], axis=1)",
      "stack([x, x], axis=1)",
      "stack([r, r, r], axis=0)",
      "pad(x, ((1, 2), (3, 0)))",
      "pad(x, ((1, 2), (3, 0)), constant_values=7)",
      "pad(x, ((2, 3), (5, 6)), mode='reflect')",
      "pad(x, ((2, 6), (7, 1)), mode='symmetric')",
      "pad(z, ((0, 1), (3, 3), (4, 0)), mode='REFLECT')",
      "gather(x, [0, 5, -1, 9, -10], axis=0)",
      "x[:, [6, 0, 0, -1, 100]]",
      "take(x, [3, 100, -100])",
      "gather(x, i, axis=1)",
      "gather(z, i, axis=2)",
      "expand_dims(x, 0)",
      "expand_dims(x, -1)",
      "squeeze(expand_dims(x, 1), 1)",
      "x[:, None, :]",
      "squeeze(c)",
      "tile(x, (2, 3))",
      "tile(r, 3)",
      "repeat(x, 2, axis=1)",
      "repeat(x, 3)",
      "split(x, [2, 5], axis=1)",
      "split(z, 3, axis=0)",
      "flip(x, axis=0)",
      "reverse(z)",
      "one_hot(i, 4)",
      "where(c > r, x, x[::-1])",
  };
  // Data movement depends on the element size (and, for the 16-bit floats, on the storage
  // conversions): one dtype of each size, both 16-bit formats, and bool.
  std::vector<KernelCase> cases;
  for (DType t : {DType::F32, DType::F16, DType::BF16, DType::I8, DType::Bool, DType::I64}) {
    Inputs inputs = {{"x", typeSpec(t, "6, 7")},
                     {"z", typeSpec(t, "3, 4, 5")},
                     {"r", typeSpec(t, "7")},
                     {"c", typeSpec(t, "6, 1")},
                     {"i", "i32[2, 3]"}};
    for (const char *expr : exprs)
      cases.push_back(
          {fmt::format("shape `{}` {}", expr, shortName(t)), expr, inputs,
           [t](std::mt19937_64 &rng) {
             Array idx = jittest::intArrayOf(DType::I32, {2, 3}, {0, -1, 9, -9, 3, 2});
             return std::vector<Call>{
                 {"",
                  {jittest::randomArray(t, {6, 7}, rng), jittest::randomArray(t, {3, 4, 5}, rng),
                   jittest::randomArray(t, {7}, rng), jittest::randomArray(t, {6, 1}, rng), idx}}};
           }});
  }
  runCases(cases);
}

TEST_CASE("gather and one_hot with run-time indices of every integer dtype, out of range too") {
  const char *exprs[] = {"gather(x, i, axis=0)",
                         "gather(x, i, axis=1)",
                         "take(x, i)",
                         "x[i]",
                         "x[:, i]",
                         "one_hot(i, 5)",
                         "gather(x[::-1], i, axis=1) * 2.0"};
  std::vector<KernelCase> cases;
  for (DType it : {DType::I8, DType::U8, DType::I32, DType::I64})
    for (const char *expr : exprs)
      cases.push_back({fmt::format("gather `{}` {} indices", expr, shortName(it)),
                       expr,
                       {{"x", "f32[5, 7]"}, {"i", typeSpec(it, "P, Q")}},
                       [it](std::mt19937_64 &rng) {
                         std::vector<Call> calls;
                         for (const Dims &shape : {Dims{3, 4}, {1, 17}, {0, 3}, {6, 0}}) {
                           // Special integers (the limits, -1, 0, ...) and any bits.
                           Array idx = jittest::randomArray(it, shape, rng, 8, 0.5);
                           calls.push_back({fmt::format("[{}]", fmt::join(shape, ",")),
                                            {jittest::randomArray(DType::F32, {5, 7}, rng), idx}});
                         }
                         return calls;
                       }});
  runCases(cases);
}

TEST_CASE("shape operations on symbolic and empty shapes") {
  const char *exprs[] = {"x[::-1]",
                         "x[:, ::-1]",
                         "transpose(x)",
                         "concat([x, x], axis=0)",
                         "concat([x, x[::-1]], axis=1)",
                         "pad(x, ((1, 2), (0, 1)))",
                         "reshape(x, (-1,))",
                         "expand_dims(x, 1)",
                         "x[:, 1:]",
                         "x[-2:]",
                         "tile(x, (2, 1))",
                         "stack([x, x], axis=2)"};
  const char *emptyExprs[] = {"x[::-1]",           "transpose(x)", "concat([x, x], axis=1)",
                              "reshape(x, (-1,))", "x[:, ::-1]",   "pad(x, ((1, 0), (2, 1)))"};
  std::vector<KernelCase> cases;
  for (DType t : {DType::F32, DType::I8, DType::F16}) {
    // One kernel for every B.
    for (const char *expr : exprs)
      cases.push_back(
          {fmt::format("symbolic shape `{}` {}", expr, shortName(t)),
           expr,
           {{"x", typeSpec(t, "B, 4")}},
           [t](std::mt19937_64 &rng) {
             std::vector<Call> calls;
             for (int64_t b : {0, 1, 2, 3, 9})
               calls.push_back({fmt::format("B={}", b), {jittest::randomArray(t, {b, 4}, rng)}});
             return calls;
           }});
    // Empty shapes known when compiling.
    for (const Dims &shape : {Dims{0, 5}, {3, 0}})
      for (const char *expr : emptyExprs)
        cases.push_back(
            {fmt::format("empty shape `{}` {} [{}]", expr, shortName(t), fmt::join(shape, ",")),
             expr,
             {{"x", typeSpec(t, fmt::format("{}", fmt::join(shape, ", ")))}},
             [t, shape](std::mt19937_64 &rng) {
               return std::vector<Call>{{"", {jittest::randomArray(t, shape, rng)}}};
             }});
  }
  runCases(cases);
}

TEST_CASE("image resizes: every method, antialiased or not, up, down, to one pixel") {
  // In x: [B, 13, 9, 3] (a symbolic batch), u: u8[2, 7, 5, 2]. A resize is gathers at constant
  // indices times constant weights summed tap by tap (the JIT rounds as the interpreter), or
  // for large kernels products with a constant weight matrix.
  std::vector<std::string> exprs;
  for (const char *method : {"bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5",
                             "gaussian", "mitchellcubic"})
    for (const char *antialias : {"False", "True"}) {
      exprs.push_back(fmt::format("resize(x, [5, 20], '{}', antialias={})", method, antialias));
      exprs.push_back(fmt::format("resize(x, [26, 4], '{}', antialias={})", method, antialias));
      exprs.push_back(fmt::format("resize(u, [1, 9], '{}', antialias={})", method, antialias));
    }
  exprs.push_back("resize(x, [10, 10], 'lanczos3', preserve_aspect_ratio=True) * 2.0 + 1.0");
  exprs.push_back("resize_with_pad(x, 8, 8, 'bicubic')");
  exprs.push_back("resize_with_crop_or_pad(u, 9, 3)");
  exprs.push_back("keras.ops.image.resize(u, [4, 4], 'area', crop_to_aspect_ratio=True)");
  // Large kernels run as products, whose sums the JIT blocks and orders differently: within
  // the float32 bound of a sum of n terms, n * 2^-24 * sum |w x| <= 13 * 6e-8 * 1.5 * max |x|
  // (at most 13 terms, the largest input axis; weights of magnitudes summing to 1.5 at most),
  // with max |x| 4 for x and 255 for u.
  auto bound = [](const std::string &expr) {
    return Rule::close(0, 13 * 0x1p-24 * 1.5 * (expr.find("(u") != std::string::npos ? 255 : 4));
  };
  std::vector<KernelCase> cases;
  for (const std::string &expr : exprs)
    cases.push_back({fmt::format("image `{}`", expr),
                     expr,
                     Inputs{{"x", "f32[B, 13, 9, 3]"}, {"u", "u8[2, 7, 5, 2]"}},
                     [](std::mt19937_64 &rng) {
                       std::vector<Call> calls;
                       for (int64_t b : {2, 1})
                         calls.push_back({fmt::format("batch {}", b),
                                          {jittest::moderateArray(DType::F32, {b, 13, 9, 3}, rng),
                                           jittest::randomArray(DType::U8, {2, 7, 5, 2}, rng)}});
                       return calls;
                     },
                     {bound(expr)}});
  runCases(cases);
}
