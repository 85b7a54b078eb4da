// Symbolic shapes become run-time checks: a function checked once for `B` and `N` runs on any
// sizes that fit, and reports a size that does not fit at the operator that needs it.

#include "TestSupport.h"

#include "compiler/interp/Interpreter.h"
#include "compiler/sema/Sema.h"
#include "compiler/types/Elements.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

using namespace lamina;

namespace {

struct Outcome {
  std::vector<Array> outputs;
  std::string first; // "E0701@1:16" for the first diagnostic
};

Array filled(std::vector<int64_t> shape, double value) {
  Array a = makeArray(DType::F32, std::move(shape));
  for (int64_t k = 0; k < a.elementCount(); ++k)
    storeFloat(a, k, value);
  return a;
}

// Checks `source` for symbolic input types, then runs it on `inputs`.
Outcome runSymbolic(const std::string &source, const std::vector<InputBinding> &types,
                    const std::vector<Array> &inputs) {
  test::Parsed p = test::parseText(source);
  REQUIRE(p.module);
  CollectingConsumer consumer;
  DiagnosticEngine diags(consumer);
  SemaRequest request;
  request.inputs = types;
  auto fn = analyze(*p.module, *p.file, request, diags);
  REQUIRE_MESSAGE(fn, source);
  Outcome out;
  if (auto result = interpret(*fn, inputs, {}, *p.file, diags))
    out.outputs = std::move(*result);
  if (!consumer.diagnostics.empty()) {
    const Diagnostic &d = consumer.diagnostics.front();
    LineColumn lc = d.location();
    out.first = fmt::format("{}@{}:{}", d.info().code, lc.line, lc.column);
  }
  return out;
}

TensorType f32(Shape shape) { return {DType::F32, std::move(shape)}; }

} // namespace

TEST_CASE("one symbolic function runs on every batch size") {
  for (int64_t batch : {0, 1, 3, 17}) {
    Outcome o = runSymbolic("lambda x: sum(x * 2, axis=1)", {{"x", f32({Dim::symbol("B"), 4})}},
                            {filled({batch, 4}, 1.5)});
    REQUIRE(o.first.empty());
    REQUIRE(o.outputs.size() == 1);
    CHECK(o.outputs[0].shape == std::vector<int64_t>{batch});
    for (int64_t k = 0; k < batch; ++k)
      CHECK(loadFloat(o.outputs[0], k) == doctest::Approx(12.0).epsilon(1e-12));
  }
}

TEST_CASE("a symbol against a size broadcasts when it is 1 or equal, and fails otherwise") {
  std::vector<InputBinding> types{{"x", f32({Dim::symbol("N")})}, {"y", f32({5})}};
  CHECK(runSymbolic("lambda x, y: x + y", types, {filled({5}, 1), filled({5}, 2)}).first == "");
  CHECK(runSymbolic("lambda x, y: x + y", types, {filled({1}, 1), filled({5}, 2)}).first == "");
  // The failure names the `+`, like the compile-time error would.
  CHECK(runSymbolic("lambda x, y: x + y", types, {filled({4}, 1), filled({5}, 2)}).first ==
        "E0701@1:16");
}

TEST_CASE("two symbols must agree at run time") {
  std::vector<InputBinding> types{{"x", f32({Dim::symbol("B"), 3})},
                                  {"y", f32({Dim::symbol("C"), 3})}};
  CHECK(runSymbolic("lambda x, y: x * y", types, {filled({2, 3}, 1), filled({2, 3}, 1)}).first ==
        "");
  CHECK(runSymbolic("lambda x, y: x * y", types, {filled({2, 3}, 1), filled({7, 3}, 1)}).first ==
        "E0701@1:16");
}

TEST_CASE("inputs must match the checked types and agree on shared symbols") {
  std::vector<InputBinding> types{{"x", f32({Dim::symbol("B"), 3})},
                                  {"y", f32({Dim::symbol("B"), 3})}};
  // B is 2 in x but 4 in y.
  CHECK(runSymbolic("lambda x, y: x - y", types, {filled({2, 3}, 1), filled({4, 3}, 1)})
            .first.starts_with("E0704"));
  // A known size that differs, and a wrong rank.
  CHECK(runSymbolic("lambda x, y: x - y", types, {filled({2, 4}, 1), filled({2, 3}, 1)})
            .first.starts_with("E0702"));
  CHECK(runSymbolic("lambda x, y: x - y", types, {filled({2}, 1), filled({2, 3}, 1)})
            .first.starts_with("E0702"));
}

TEST_CASE("a symbolic concat and matmul are checked at run time") {
  std::vector<InputBinding> types{{"a", f32({Dim::symbol("B"), Dim::symbol("K")})},
                                  {"b", f32({Dim::symbol("M"), 2})}};
  Outcome ok = runSymbolic("lambda a, b: a @ b", types, {filled({3, 4}, 1), filled({4, 2}, 1)});
  REQUIRE(ok.first.empty());
  CHECK(loadFloat(ok.outputs[0], 0) == 4.0);
  CHECK(runSymbolic("lambda a, b: a @ b", types, {filled({3, 4}, 1), filled({5, 2}, 1)}).first ==
        "E0701@1:16");
  // Batch dimensions of a matrix product are checked like an elementwise broadcast.
  std::vector<InputBinding> batched{{"a", f32({Dim::symbol("B"), 2, 3})}, {"b", f32({4, 3, 5})}};
  CHECK(runSymbolic("lambda a, b: a @ b", batched, {filled({4, 2, 3}, 1), filled({4, 3, 5}, 1)})
            .first.empty());
  CHECK(runSymbolic("lambda a, b: a @ b", batched, {filled({1, 2, 3}, 1), filled({4, 3, 5}, 1)})
            .first.empty());
  CHECK(runSymbolic("lambda a, b: a @ b", batched, {filled({2, 2, 3}, 1), filled({4, 3, 5}, 1)})
            .first == "E0701@1:16");
  std::vector<InputBinding> cat{{"a", f32({Dim::symbol("B"), 2})},
                                {"b", f32({Dim::symbol("C"), 2})}};
  Outcome joined = runSymbolic("lambda a, b: concat([a, b], axis=0)", cat,
                               {filled({1, 2}, 1), filled({3, 2}, 2)});
  REQUIRE(joined.first.empty());
  CHECK(joined.outputs[0].shape == std::vector<int64_t>{4, 2});
}

TEST_CASE("a symbolic slice that the actual size cannot hold is an error, not a read") {
  std::vector<InputBinding> types{{"x", f32({Dim::symbol("N")})}};
  Outcome ok = runSymbolic("lambda x: x[2:]", types, {filled({5}, 1)});
  REQUIRE(ok.first.empty());
  CHECK(ok.outputs[0].shape == std::vector<int64_t>{3});
  CHECK(runSymbolic("lambda x: x[2:]", types, {filled({1}, 1)}).first.starts_with("E0508"));
  CHECK(runSymbolic("lambda x: x[-1]", types, {filled({0}, 1)}).first.starts_with("E0508"));
}

TEST_CASE("variables take their sizes from the bound symbols, within the byte budget") {
  test::Parsed p = test::parseText(
      "def f(x):\n    w = variable(ones([x.shape[-1]]), name='w')\n    return x * w");
  REQUIRE(p.module);
  CollectingConsumer consumer;
  DiagnosticEngine diags(consumer);
  SemaRequest request;
  request.inputs = {{"x", f32({Dim::symbol("B"), Dim::symbol("N")})}};
  auto fn = analyze(*p.module, *p.file, request, diags);
  REQUIRE(fn);
  std::vector<Array> inputs{filled({2, 5}, 3)};
  auto symbols = bindSymbols(*fn, inputs, *p.file, diags);
  REQUIRE(symbols);
  auto variables = initialValues(*fn, *symbols, *p.file, diags);
  REQUIRE(variables);
  REQUIRE(variables->size() == 1);
  CHECK((*variables)[0].shape == std::vector<int64_t>{5});
  auto outputs = interpret(*fn, inputs, *variables, *p.file, diags);
  REQUIRE(outputs);
  CHECK(loadFloat((*outputs)[0], 9) == 3.0);
  // A budget smaller than the variable refuses it before allocating, at the variable.
  CHECK_FALSE(initialValues(*fn, *symbols, *p.file, diags, InterpOptions{16}));
  REQUIRE(!consumer.diagnostics.empty());
  CHECK(consumer.diagnostics.back().info().code == "E0703");
  CHECK(consumer.diagnostics.back().location().line == 2);
}
