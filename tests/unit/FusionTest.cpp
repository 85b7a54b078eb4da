// The IR passes and the fusion plan: each pass's rewrite, and the loop structure every case of
// the benchmark suite gets (one fused kernel each, rows computed once per row:
// docs/performance.md, "What makes a kernel").

#include "SemaSupport.h"

#include "compiler/transforms/Passes.h"
#include "compiler/transforms/Pipeline.h"

#include <doctest/doctest.h>

#include <sstream>

using namespace lamina;
using namespace lamina::test;

namespace {

transforms::KernelPlan planOf(const std::string &source, const Inputs &inputs) {
  Analyzed a = analyzeText(source, inputs);
  REQUIRE_MESSAGE(a.fn, a.first());
  transforms::PipelineOptions options;
  options.verifyAfterEach = true;
  return transforms::optimize(*a.fn, options);
}

size_t countOps(const ir::Function &fn, ir::Op op) {
  size_t n = 0;
  for (const ir::Instr &in : fn.instrs)
    n += in.op == op;
  return n;
}

} // namespace

TEST_CASE("Transforms: constants fold, x ** 2 is a product, CSE merges, dead code goes") {
  auto plan =
      planOf("lambda x: x * (2 + 3) + sin(x) ** 2 + sin(x) ** 2 + x / 4", {{"x", "f32[N]"}});
  const ir::Function &fn = plan.fn;
  CHECK(countOps(fn, ir::Op::Sin) == 1); // CSE
  CHECK(countOps(fn, ir::Op::Pow) == 0); // simplify
  CHECK(countOps(fn, ir::Op::Div) == 0); // x / 4 is x * 0.25, exactly
  CHECK(ir::verify(fn).empty());
  CHECK(ir::print(fn).find("constant 5 ") != std::string::npos); // 2 + 3, folded
  // Division by a number that is not a power of two stays a division (a product would round
  // differently).
  auto third = planOf("lambda x: x / 3", {{"x", "f32[N]"}});
  CHECK(countOps(third.fn, ir::Op::Div) == 1);
}

TEST_CASE("Transforms: CSE keeps apart what differs only in an attribute or a constant's bytes") {
  // ir::keyOf is CSE's equality: every attribute the printer shows, and a constant's bytes
  // (the printer shows only "<4 elements>" for both matrices below).
  struct Case {
    const char *source, *type;
    ir::Op op;
    size_t kept;
  };
  const Case cases[] = {
      {"lambda x: pad(x, ((1, 1),), constant_values=1.0) + pad(x, ((1, 1),), "
       "constant_values=2.0)",
       "f32[8]", ir::Op::Pad, 2},
      {"lambda x: pad(x, ((1, 1),)) + pad(x, ((1, 1),), mode='reflect')", "f32[8]", ir::Op::Pad, 2},
      {"lambda x: x[0:8:2] + x[1:8:2]", "f32[8]", ir::Op::Slice, 2},
      {"lambda x: sum(x, axis=0) + sum(x, axis=1)", "f32[4, 4]", ir::Op::ReduceSum, 2},
      {"lambda x: transpose(x, (1, 0, 2)) + transpose(x, (2, 1, 0))", "f32[3, 3, 3]",
       ir::Op::Transpose, 2},
      {"lambda x: x @ array([[1.0, 2.0], [3.0, 4.0]]) + x @ array([[1.0, 2.0], [3.0, 5.0]])",
       "f32[2, 2]", ir::Op::MatMul, 2},
      {"lambda x: cumsum(x, axis=0) + cumsum(x, axis=1)", "f32[3, 3]", ir::Op::CumSum, 2},
      // and what is the same is merged
      {"lambda x: pad(x, ((1, 1),), constant_values=2.0) * pad(x, ((1, 1),), constant_values=2.0)",
       "f32[8]", ir::Op::Pad, 1},
      {"lambda x: x[1:8:2] - x[1:8:2] * 2.0", "f32[8]", ir::Op::Slice, 1},
  };
  for (const Case &c : cases) {
    CAPTURE(c.source);
    auto plan = planOf(c.source, {{"x", c.type}});
    CHECK(countOps(plan.fn, c.op) == c.kept);
  }
}

TEST_CASE("Transforms: --print-after-all and --time-passes name every pass") {
  Analyzed a = analyzeText("lambda x: relu(x) * 2", {{"x", "f32[N]"}});
  REQUIRE(a.fn);
  std::ostringstream log;
  transforms::PipelineOptions options{true, true, &log};
  transforms::optimize(*a.fn, options);
  for (const std::string &pass : transforms::passNames()) {
    CHECK(log.str().find("IR after " + pass) != std::string::npos);
    CHECK(log.str().find("; time " + pass) != std::string::npos);
  }
}

TEST_CASE("Fusion: every suite case is one loop nest") {
  struct Case {
    const char *source;
    Inputs inputs;
  };
  const Case cases[] = {
      {"lambda x: x ** 2", {{"x", "f32[N]"}}},
      {"lambda a, b, c: a * b + c", {{"a", "f32[N]"}, {"b", "f32[N]"}, {"c", "f32[N]"}}},
      {"lambda a, b, c: 2*a + 3*b - 0.5*c*c", {{"a", "f32[N]"}, {"b", "f32[N]"}, {"c", "f32[N]"}}},
      {"lambda x: sin(x)**2 + cos(x)**2", {{"x", "f32[N]"}}},
      {"lambda x: 0.5*x*(1 + tanh(0.7978845608*(x + 0.044715*x**3)))", {{"x", "f32[N]"}}},
      {"lambda x: where(x > 0, x, 0.01*x)", {{"x", "f32[N]"}}},
      {"def softmax(x): e = exp(x - max(x, axis=1, keepdims=True)); "
       "return e / sum(e, axis=1, keepdims=True)",
       {{"x", "f32[B, 256]"}}},
      {"def antirectifier(x): x -= mean(x, axis=1, keepdims=True); "
       "x = l2_normalize(x, axis=1); return concat([relu(x), relu(-x)], axis=1)",
       {{"x", "f32[B, 256]"}}},
      {"lambda x: l2_normalize(x, axis=1)", {{"x", "f32[B, 256]"}}},
      {"lambda x, y: sum(x * y)", {{"x", "f32[N]"}, {"y", "f32[N]"}}},
  };
  for (const Case &c : cases) {
    auto plan = planOf(c.source, c.inputs);
    INFO(transforms::print(plan));
    CHECK(plan.stages.size() == 1);
    CHECK(plan.temps.empty());
  }
}

TEST_CASE("Fusion: row programs compute each reduction once per row") {
  auto softmax = planOf("def softmax(x): e = exp(x - max(x, axis=1, keepdims=True)); "
                        "return e / sum(e, axis=1, keepdims=True)",
                        {{"x", "f32[B, 256]"}});
  REQUIRE(softmax.stages.size() == 1);
  const transforms::Stage &s = softmax.stages[0];
  CHECK(s.rowDepth == 1);
  CHECK(s.rowReductions.size() == 2);
  REQUIRE(s.rowBuffered.size() == 1); // exp(x - max): computed in the sum's pass, read after
  CHECK(softmax.fn.instrs[s.rowBuffered[0]].op == ir::Op::Exp);

  auto anti = planOf("def antirectifier(x): x -= mean(x, axis=1, keepdims=True); "
                     "x = l2_normalize(x, axis=1); return concat([relu(x), relu(-x)], axis=1)",
                     {{"x", "f32[B, 256]"}});
  REQUIRE(anti.stages.size() == 1);
  CHECK(anti.stages[0].splitConcat);
  CHECK(anti.stages[0].rowReductions.size() == 2);
  // Rows of unknown length are not buffered (the buffer lives on the stack).
  auto symbolic = planOf("def softmax(x): e = exp(x - max(x, axis=1, keepdims=True)); "
                         "return e / sum(e, axis=1, keepdims=True)",
                         {{"x", "f32[B, N]"}});
  CHECK(symbolic.stages[0].rowBuffered.empty());
}

TEST_CASE("Fusion: a reduction that is not a row reduction is stored, and says why") {
  auto plan = planOf("lambda x: x - sum(x, axis=0, keepdims=True)", {{"x", "f32[B, 8]"}});
  REQUIRE(plan.stages.size() == 2);
  REQUIRE(plan.temps.size() == 1);
  CHECK(plan.stages[0].kind == transforms::StageKind::Reduce);
  CHECK(plan.reasons[plan.temps[0]].find("trailing axes") != std::string::npos);
  CHECK(transforms::print(plan).find("2 loop nests") != std::string::npos);
}

TEST_CASE("Fusion: outputs that are inputs or repeated are copied") {
  auto plan = planOf("lambda x: (x, x * 2, x * 2)", {{"x", "f32[N]"}});
  CHECK(plan.stages.size() == 3);
  size_t copies = 0;
  for (const transforms::Stage &s : plan.stages)
    copies += s.copyOnly;
  CHECK(copies == 2);
}

TEST_CASE("Fusion: stages that read each other's rows run a block of axis 0 at a time") {
  const Inputs x3 = {{"x", "f32[B, 16, 128]"}};
  auto chained = [](const transforms::KernelPlan &plan) {
    std::string flags;
    for (const transforms::Stage &s : plan.stages)
      flags += s.withPrevious ? '+' : '.';
    return flags;
  };
  // std over the middle axis: the mean, the squared deviations, the square root.
  CHECK(chained(planOf("lambda x: std(x, axis=1)", x3)) == ".++");
  // Mean and max pooling, side by side.
  CHECK(chained(planOf("lambda x: concat([mean(x, axis=1), max(x, axis=1)], axis=1)", x3)) ==
        ".++");
  // Reversed along axis 0, the last loop needs rows another block writes.
  CHECK(chained(planOf("lambda x: std(x, axis=1)[::-1] + 1", x3)) == ".+.");
  // A reduction over axis 0 makes one row every block needs.
  CHECK(chained(planOf("lambda x: x - mean(x, axis=0, keepdims=True)", {{"x", "f32[B, 256]"}}))
            .find('+') == std::string::npos);
  // An OpenBLAS product's epilogue runs on its block of rows; a product of that needs every
  // row of it.
  const Inputs dense = {{"x", "f32[B, 256]"}, {"w", "f32[256, 256]"}};
  CHECK(chained(planOf("lambda x, w: relu(x @ w) @ w", dense)) == ".+.");
  CHECK(transforms::print(planOf("lambda x: std(x, axis=1)", x3))
            .find("with the stage before, a block of rows at a time") != std::string::npos);
}

TEST_CASE("Fusion: a temporary read only at its own elements by an output's stage lives there") {
  const Inputs dense = {{"x", "f32[B, 256]"}, {"w", "f32[256, 256]"}, {"b", "f32[256]"}};
  auto inOutput = [](const transforms::KernelPlan &plan) {
    return plan.inOutput.size() == 1 && plan.temps.empty();
  };
  // Dense(activation='relu') through OpenBLAS: the product is written into the output, then
  // biased and clamped in place.
  auto relu = planOf("lambda x, w, b: relu(x @ w + b)", dense);
  CHECK(inOutput(relu));
  CHECK(transforms::print(relu).find("is stored in output 0, whose stage reads it in place") !=
        std::string::npos);
  // Read at other elements (transposed, reversed, broadcast along a row, or by a row
  // reduction), or cast to another dtype, or read by two stages: a temporary of its own.
  for (const char *source :
       {"lambda x, w, b: transpose(x @ w) + b", "lambda x, w, b: (x @ w)[::-1] + b",
        "lambda x, w, b: (x @ w)[:, :1] + b", "lambda x, w, b: softmax(x @ w + b, axis=1)",
        "lambda x, w, b: cast(x @ w, 'float16')",
        "lambda x, w, b: (relu(x @ w), sigmoid(x @ w))"}) {
    CAPTURE(source);
    auto plan = planOf(source, dense);
    CHECK(plan.inOutput.empty());
  }
}

TEST_CASE("Fusion: a product lamina computes takes its elementwise reader as its epilogue") {
  const Inputs dense = {{"x", "f32[B, 64]"}, {"w", "f32[64, 48]"}, {"b", "f32[48]"}};
  auto epilogue = [](const transforms::KernelPlan &plan) {
    return plan.stages.size() == 1 && plan.stages[0].epilogue && plan.inOutput.empty() &&
           plan.temps.empty();
  };
  for (const char *source : {"lambda x, w, b: relu(x @ w + b)", "lambda x, w, b: x @ w / 8.0",
                             "lambda x, w, b: gelu(x @ w) * b"}) {
    CAPTURE(source);
    auto plan = planOf(source, dense);
    CHECK(epilogue(plan));
    CHECK(transforms::print(plan).find("computed from the sums in registers") != std::string::npos);
  }
  // Attention's scaled scores: a batch of products, scaled in registers.
  CHECK(epilogue(planOf("lambda q, k: matmul(q, transpose(k, (0, 2, 1))) / 8.0",
                        {{"q", "f32[B, 16, 64]"}, {"k", "f32[B, 16, 64]"}})));
  // Read elsewhere than at its own elements, or by two stages: stored, no epilogue.
  for (const char *source :
       {"lambda x, w, b: transpose(x @ w) + 1.0", "lambda x, w, b: (x @ w)[::-1] + b",
        "lambda x, w, b: softmax(x @ w + b, axis=1)",
        "lambda x, w, b: (relu(x @ w), sigmoid(x @ w))"}) {
    CAPTURE(source);
    auto plan = planOf(source, dense);
    for (const transforms::Stage &s : plan.stages)
      CHECK(!s.epilogue);
  }
}

TEST_CASE("Fusion: a deep expression that reuses its values is planned in linear time") {
  // Each line reads y twice: 60 levels are 2^60 paths through the expression, and a walk of
  // paths (instead of values) would not finish.
  std::string source = "def f(x, w):\n    y = x @ w\n";
  for (int level = 0; level < 60; ++level)
    source += "    y = y * 0.5 + y\n";
  source += "    return y\n";
  auto plan = planOf(source, {{"x", "f32[B, 128]"}, {"w", "f32[128, 128]"}});
  REQUIRE(plan.stages.size() == 1);
  CHECK(plan.stages[0].epilogue);
}
