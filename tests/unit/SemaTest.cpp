// Sema: entry points, parameters, scoping, shapes as values, variables, annotations and the
// checks docs/language.md promises. Each case analyzes a source for some inputs and arguments
// and compares the output types (or the first diagnostic) with what Keras/NumPy would do.

#include "SemaSupport.h"

#include "compiler/sema/Builtins.h"
#include "compiler/sema/KnownApis.h"

#include "compiler/sema/Sema.h"
#include "compiler/types/TypeSpec.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <memory>

using namespace lamina;
using namespace lamina::test;

namespace {

std::string irOf(const std::string &source, const Inputs &inputs, const Args &args = {}) {
  Analyzed a = analyzeText(source, inputs, args);
  REQUIRE_MESSAGE(a.fn, source << ": " << a.first() << " " << a.firstMessage());
  return ir::print(*a.fn);
}

std::vector<std::string> inputNames(const ir::Function &fn) {
  std::vector<std::string> out;
  for (const ir::InputDecl &in : fn.inputs)
    out.push_back(in.name);
  std::sort(out.begin(), out.end());
  return out;
}

bool contains(const std::string &haystack, const std::string &needle) {
  return haystack.find(needle) != std::string::npos;
}

const Inputs kX = {{"x", "f32[B,4]"}};

} // namespace

// ---------------------------------------------------------------- sources and entry points

TEST_CASE("the last def is the entry point and earlier defs are inlined helpers") {
  Analyzed a = analyzeText("def g(x): return x * 2\ndef f(x): return g(x) + 1", kX);
  REQUIRE(a.fn);
  CHECK(a.fn->name == "f");
  CHECK(a.types() == "f32[B, 4]");
  // The helper leaves no trace but its operations.
  std::string ir = ir::print(*a.fn);
  CHECK(contains(ir, "mul"));
  CHECK(contains(ir, "add"));
  CHECK_FALSE(contains(ir, "g("));

  // Of two defs the last one wins, whatever the first one does.
  Analyzed last = analyzeText("def f(x): return mean(x, axis=-1)\ndef h(x): return x * 3", kX);
  REQUIRE(last.fn);
  CHECK(last.fn->name == "h");
  CHECK(last.types() == "f32[B, 4]");
  // A helper may call an earlier helper, and one defined after it.
  CHECK(check("def a(x): return b(x) + 1\ndef b(x): return x * 2\ndef f(x): return a(x)", kX) ==
        "f32[B, 4]");
  // Helpers take keyword arguments and defaults like Python functions.
  CHECK(check("def g(x, k=1): return x[:, :k]\ndef f(x): return g(x), g(x, k=3), g(k=2, x=x)",
              kX) == "f32[B, 1]; f32[B, 3]; f32[B, 2]");
  CHECK(check("def g(x): return x\ndef f(x): return g(x, 1)", kX) == "E0315@2:18");
  CHECK(check("def g(x): return x\ndef f(x): return g(y=x)", kX) == "E0316@2:20");
  CHECK(check("def g(x, y): return x\ndef f(x): return g(x)", kX) == "E0317@2:18");
}

TEST_CASE("a trailing lambda after helper defs is the entry point") {
  Analyzed a = analyzeText("def g(x): return x * 2\nlambda y: g(y)", {{"y", "f32[3]"}});
  REQUIRE(a.fn);
  CHECK(a.fn->name == "lambda");
  CHECK(a.types() == "f32[3]");
  CHECK(check("lambda x: x ** 2", kX) == "f32[B, 4]");
  CHECK(check("lambda: zeros([2, 3])", {}) == "f32[2, 3]");
}

TEST_CASE("a bare expression binds its free names to the inputs") {
  Analyzed a = analyzeText("x * 2 + y", {{"x", "f32[B,4]"}, {"y", "f32[4]"}});
  REQUIRE(a.fn);
  CHECK(a.fn->name == "expr");
  CHECK(a.types() == "f32[B, 4]");
  CHECK(inputNames(*a.fn) == std::vector<std::string>{"x", "y"});
  // A statement list: its last expression is the result.
  CHECK(check("c = x - 1; c * c", kX) == "f32[B, 4]");
  CHECK(check("c = x - 1\nd = mean(c, axis=-1)\nd", kX) == "f32[B]");
  CHECK(check("c = x - 1", kX) == "E0319@1:1");
  // A free name with no input is unknown; arguments are visible by name.
  CHECK(check("x * z", kX) == "E0301@1:5");
  CHECK(check("x[:, :k]", kX, {{"k", "3"}}) == "f32[B, 3]");
  // A repeated input name is a list.
  CHECK(check("t[0] * t[1]", {{"t", "f32[B,4]"}, {"t", "f32[4]"}}) == "f32[B, 4]");
}

TEST_CASE("recursion is rejected, direct or mutual") {
  CHECK(check("def f(x): return f(x)", kX) == "E0303@1:18");
  Analyzed mutual =
      analyzeText("def g(x): return h(x)\ndef h(x): return g(x)\ndef f(x): return g(x)", kX);
  CHECK(mutual.first() == "E0303@2:18");
  CHECK(contains(mutual.firstMessage(), "`g`"));
  // Recursion through the entry point from a helper: reported where the cycle closes.
  CHECK(check("def g(x): return f(x)\ndef f(x): return g(x) + 1", kX) == "E0303@2:18");
}

TEST_CASE("statements cannot be mixed with defs, and an empty source has no entry point") {
  CHECK(check("y = 1\ndef f(x): return x", kX) == "E0305@1:1");
  CHECK(check("def f(x): return x\nx * 2", kX) == "E0305@2:1");
  CHECK(check("", kX) == "E0304@1:1");
  CHECK(check("# only a comment\n", kX) == "E0304@1:1");
  CHECK(check("\n\n  \n", kX) == "E0304@1:1");
}

// ---------------------------------------------------------------- SSA and scope

TEST_CASE("reassignment rebinds and augmented assignment computes a new value") {
  CHECK(check("def f(x):\n y = x\n y = mean(y, axis=-1)\n y += 1\n return y", kX) == "f32[B]");
  CHECK(check("def f(x):\n x = x[:, :2]\n x *= 2\n return x", kX) == "f32[B, 2]");
  // An earlier binding keeps its value after the name is rebound.
  CHECK(check("def f(x):\n a = x\n x = mean(x)\n return a, x", kX) == "f32[B, 4]; f32[]");
  // The antirectifier of docs/language.md, "Sources and entry points".
  CHECK(check("def antirectifier(x):\n"
              "    x -= mean(x, axis=1, keepdims=True)\n"
              "    x = l2_normalize(x, axis=1)\n"
              "    return concat([relu(x), relu(-x)], axis=1)",
              {{"x", "f32[B,256]"}}) == "f32[B, 512]");
  CHECK(check("def f(x): c = x - mean(x, axis=-1, keepdims=True); "
              "return c / std(x, axis=-1, keepdims=True)",
              kX) == "f32[B, 4]");
  // Augmented assignment follows the operator's dtype rules.
  CHECK(check("def f(x):\n x //= 2\n return x", {{"x", "i32[3]"}}) == "i32[3]");
  CHECK(check("def f(x):\n x /= 2\n return x", {{"x", "i32[3]"}}) == "f32[3]");
  CHECK(check("def f(x):\n x @= x\n return x", {{"x", "f32[3,3]"}}) == "f32[3, 3]");
  CHECK(check("def f(x):\n y += 1\n return y", kX) == "E0301@2:2");
  // Compile-time values rebind too.
  CHECK(check("def f(x):\n k = 1\n k += 2\n return x[:, :k]", kX) == "f32[B, 3]");
  // Tuple unpacking.
  CHECK(check("def f(x):\n a, b = x, mean(x)\n return b", kX) == "f32[]");
  CHECK(check("def f(x):\n a, b, c = x, x\n return a", kX) == "E0312@2:2");
  CHECK(check("def f(x):\n a, b = x\n return a", kX) == "E0513@2:9");
  CHECK(check("def f(x):\n a, b = x\n return a", {{"x", "f32[2,5]"}}) == "f32[5]");
}

TEST_CASE("names are lexically scoped: a helper cannot see its caller's locals") {
  Analyzed a = analyzeText("def helper(z): return z + y\n"
                           "def f(x):\n"
                           "    y = x * 2\n"
                           "    return helper(x)",
                           kX);
  CHECK(a.first() == "E0301@1:27");
  CHECK(contains(a.firstMessage(), "`y`"));
  CHECK(a.firstLabel() == "did you mean `z`?");
  // Nor the caller the helper's.
  CHECK(check("def g(x):\n t = x * 2\n return t\ndef f(x):\n u = g(x)\n return t", kX) ==
        "E0301@6:9");
  // A typo gets a hint from the names in scope.
  Analyzed typo = analyzeText("def f(x):\n    scaled = x * 2\n    return scaledd", kX);
  CHECK(typo.first() == "E0301@3:12");
  CHECK(typo.firstLabel() == "did you mean `scaled`?");
}

// ---------------------------------------------------------------- parameters

TEST_CASE("parameters named in arguments or with defaults are arguments, the rest inputs") {
  // Keras: Lambda(lambda x, scale: x * scale, arguments={"scale": 0.17}).
  Analyzed scaled = analyzeText("lambda x, scale: x * scale", kX, {{"scale", "0.17"}});
  REQUIRE(scaled.fn);
  CHECK(scaled.types() == "f32[B, 4]");
  CHECK(inputNames(*scaled.fn) == std::vector<std::string>{"x"});
  CHECK(contains(ir::print(*scaled.fn), "constant 0.17"));
  // Without the argument, `scale` is an input and needs a tensor.
  CHECK(check("lambda x, scale: x * scale", kX) == "E0306@1:11");
  // By position (Keras's function(inputs, **arguments)), `scale` is a missing argument.
  CHECK(check("lambda x, scale: x * scale", {{"", "f32[B,4]"}}) == "E0317@1:11");

  Analyzed leaky = analyzeText("lambda x, alpha=0.2: where(x > 0, x, alpha * x)", kX);
  REQUIRE(leaky.fn);
  CHECK(leaky.types() == "f32[B, 4]");
  CHECK(inputNames(*leaky.fn) == std::vector<std::string>{"x"});
  // The arguments override defaults.
  CHECK(check("lambda x, k=2: x[:, :k]", kX) == "f32[B, 2]");
  CHECK(check("lambda x, k=2: x[:, :k]", kX, {{"k", "1"}}) == "f32[B, 1]");
  CHECK(check("def f(x, k=2): return x[:, :k]", kX, {{"k", "3"}}) == "f32[B, 3]");
  // An argument that matches no parameter is an error at the entry point's name.
  CHECK(check("lambda x, k=2: x[:, :k]", kX, {{"j", "1"}}) == "E0313@1:1");
  CHECK(check("def f(x): return x", kX, {{"j", "1"}}) == "E0313@1:5");
  // Argument kinds: bool, string option, list, tuple, None.
  CHECK(check("lambda x, flip: x[:, ::-1] if flip else mean(x)", kX, {{"flip", "True"}}) ==
        "f32[B, 4]");
  CHECK(check("lambda x, flip: x[:, ::-1] if flip else mean(x)", kX, {{"flip", "false"}}) ==
        "f32[]");
  CHECK(check("lambda x, mode: pad(x, [[0, 0], [1, 1]], mode=mode)", kX,
              {{"mode", "\"reflect\""}}) == "f32[B, 6]");
  CHECK(check("lambda x, sizes: x[:, sizes[0]:sizes[0] + sizes[1]]", kX, {{"sizes", "[1, 2]"}}) ==
        "f32[B, 2]");
  CHECK(check("lambda x, reps: tile(x, reps)", kX, {{"reps", "(1, 3)"}}) == "f32[B, 12]");
  CHECK(check("lambda x, axis: sum(x, axis=axis)", kX, {{"axis", "None"}}) == "f32[]");
  CHECK(check("lambda x, axis: sum(x, axis=axis)", kX, {{"axis", "[0, 1]"}}) == "f32[]");
  CHECK(check("lambda x, axis: sum(x, axis=axis)", kX, {{"axis", "-1"}}) == "f32[B]");
  // A default must be a compile-time value.
  CHECK(check("def g(x, y=x): return y\ndef f(x): return g(x)", kX) == "E0301@1:12");
}

TEST_CASE("mask is None unless an input named mask is given") {
  // `x if mask else ...` on None picks the else branch at compile time.
  Analyzed none = analyzeText("def f(x, mask=None): return x if mask else mean(x, axis=-1)", kX);
  REQUIRE(none.fn);
  CHECK(none.types() == "f32[B]");
  CHECK(inputNames(*none.fn) == std::vector<std::string>{"x"});
  // A tensor mask: the same expression is elementwise.
  Analyzed masked = analyzeText("def f(x, mask=None): return x if mask else 2 * x",
                                {{"x", "f32[B,4]"}, {"mask", "bool[B,4]"}});
  REQUIRE(masked.fn);
  CHECK(masked.types() == "f32[B, 4]");
  CHECK(inputNames(*masked.fn) == std::vector<std::string>{"mask", "x"});
  CHECK(contains(ir::print(*masked.fn), "select"));
  CHECK(check("lambda x, mask: x * cast(mask, x.dtype)",
              {{"x", "f32[B,4]"}, {"mask", "bool[B,4]"}}) == "f32[B, 4]");
  // The mask rides along with positional inputs too.
  CHECK(check("lambda x, mask: x * cast(mask, x.dtype)",
              {{"", "f32[B,4]"}, {"mask", "bool[B,4]"}}) == "f32[B, 4]");
  // Without one, it is None, which is not a tensor.
  CHECK(check("lambda x, mask: x * cast(mask, x.dtype)", kX) == "E0402@1:26");
}

TEST_CASE("training is a compile-time bool that picks a branch") {
  const std::string source = "lambda x, training: x if training else mean(x, axis=-1)";
  CHECK(check(source, kX) == "f32[B]");
  CHECK(check(source, kX, {{"training", "True"}}) == "f32[B, 4]");
  CHECK(check("def f(x, training=True): return x if training else mean(x, axis=-1)", kX) ==
        "f32[B, 4]");
  CHECK(check("def f(x, training=None): return x if training else mean(x, axis=-1)", kX) ==
        "f32[B]");
  // Only the chosen branch is in the program: no select, no run-time condition.
  std::string train = irOf("lambda x, training: x if training else 0 * x", kX, {{"training", "1"}});
  CHECK_FALSE(contains(train, "select"));
  CHECK_FALSE(contains(train, "mul"));
  std::string infer = irOf("lambda x, training: x if training else 0 * x", kX);
  CHECK_FALSE(contains(infer, "select"));
  CHECK(contains(infer, "mul"));
  // training is not an input.
  Analyzed a = analyzeText("def f(x, training=False): return x", kX);
  REQUIRE(a.fn);
  CHECK(a.fn->inputs.size() == 1);
}

TEST_CASE("a list parameter: indexing, unpacking, passing whole, mixed dtypes and ranks") {
  const Inputs two = {{"t", "f32[B,3]"}, {"t", "f32[B,5]"}};
  CHECK(check("lambda t: t[0] * 2", two) == "f32[B, 3]");
  CHECK(check("lambda t: t[-1]", two) == "f32[B, 5]");
  CHECK(check("lambda t: t[2]", two) == "E0508@1:13");
  CHECK(check("def f(t):\n a, b = t\n return b - mean(a, axis=-1, keepdims=True)", two) ==
        "f32[B, 5]");
  CHECK(check("def f(t):\n a, b, c = t\n return a", two) == "E0312@2:2");
  CHECK(check("lambda t: concat(t, axis=-1)", two) == "f32[B, 8]");
  CHECK(check("lambda t: K.concatenate(t)", two) == "f32[B, 8]");
  CHECK(check("lambda t: stack(t)", {{"t", "f32[B,3]"}, {"t", "f32[B,3]"}}) == "f32[2, B, 3]");
  CHECK(check("lambda t: stack(t, axis=1)", {{"t", "f32[B,3]"}, {"t", "f32[B,3]"}}) ==
        "f32[B, 2, 3]");
  CHECK(check("lambda t: stack(t, axis=-1)", {{"t", "f32[B,3]"}, {"t", "f32[B,3]"}}) ==
        "f32[B, 3, 2]");
  // Rebinding the list parameter.
  CHECK(check("def f(t):\n t = t[1:]\n return t[0]",
              {{"t", "f32[B,3]"}, {"t", "i64[B]"}, {"t", "f32[2]"}}) == "i64[B]");
  // Mixed dtypes and ranks: each element keeps its own type.
  Analyzed mixed = analyzeText("lambda t: t[0] * cast(t[1], 'float32')[:, :, None]",
                               {{"t", "f32[B,3,4]"}, {"t", "i32[B,3]"}});
  REQUIRE(mixed.fn);
  CHECK(mixed.types() == "f32[B, 3, 4]");
  REQUIRE(mixed.fn->inputs.size() == 2);
  CHECK(mixed.fn->inputs[0].name == "t[0]");
  CHECK(mixed.fn->inputs[0].type.str() == "f32[B, 3, 4]");
  CHECK(mixed.fn->inputs[1].name == "t[1]");
  CHECK(mixed.fn->inputs[1].type.str() == "i32[B, 3]");
  CHECK(mixed.fn->inputs[1].binding == 1);
  // Concatenating mixed dtypes promotes (NumPy: f32 with i32 is f64).
  CHECK(check("lambda t: concat(t, axis=-1)", {{"t", "f32[B,4]"}, {"t", "i32[B,2]"}}) ==
        "f64[B, 6]");
  CHECK(check("lambda t: concat(t, axis=-1)", {{"t", "f32[B,4]"}, {"t", "f16[B,2]"}}) ==
        "f32[B, 6]");
}

TEST_CASE("positional inputs: one parameter takes the list, several spread in order") {
  // Keras calls a Lambda on a list: one input parameter receives the whole list.
  Analyzed list = analyzeText("lambda t: t[0] + t[1]", {{"", "f32[B,3]"}, {"", "f32[B,3]"}});
  REQUIRE(list.fn);
  CHECK(list.types() == "f32[B, 3]");
  REQUIRE(list.fn->inputs.size() == 2);
  CHECK(list.fn->inputs[0].name == "t[0]");
  CHECK(list.fn->inputs[1].name == "t[1]");
  // One positional input to one parameter is the tensor itself.
  CHECK(check("lambda x: x[0]", {{"", "f32[B,3]"}}) == "f32[3]");
  // Several parameters never receive the list spread in order: Keras passes every input to
  // the first one, and a second parameter without a value is a missing argument (E0317).
  Analyzed spread =
      analyzeText("lambda t, alpha: t[0] + alpha * t[1]", {{"", "f32[B,3]"}, {"", "f32[B,3]"}});
  CHECK(!spread.fn);
  CHECK(spread.first() == "E0317@1:11");
  CHECK(contains(spread.firstMessage(), "`lambda` is missing its argument `alpha`"));
  // Arguments do not count as input parameters.
  CHECK(check("lambda t, alpha=0.5: t[0] * alpha + t[1]", {{"", "f32[3]"}, {"", "f32[3]"}}) ==
        "f32[3]");
  CHECK(check("lambda a, b: a * b", {{"", "f32[B,3]"}}) == "E0317@1:11");
  CHECK(check("def f(a, b): return a * b", {{"", "f32[3]"}, {"", "f32[3]"}, {"", "f32[3]"}}) ==
        "E0317@1:10");
  // A function without input parameters takes no inputs.
  CHECK(check("lambda: 1.0", {{"", "f32[3]"}}) == "E0308@1:1");
  // Named inputs must match parameters.
  CHECK(check("lambda x: x", {{"y", "f32[3]"}}) == "E0306@1:8");
  CHECK(check("lambda x: x", {{"x", "f32[3]"}, {"y", "f32[3]"}}) == "E0307@1:1");
}

TEST_CASE("several outputs") {
  CHECK(check("def f(x): return x, 2 * x", kX) == "f32[B, 4]; f32[B, 4]");
  CHECK(check("def f(x): return [x, mean(x)]", kX) == "f32[B, 4]; f32[]");
  CHECK(check("def f(x): return (x, sum(x, axis=0))", kX) == "f32[B, 4]; f32[4]");
  CHECK(check("lambda x: (x, cast(x, 'int32'))", kX) == "f32[B, 4]; i32[B, 4]");
  CHECK(check("lambda x: [x]", kX) == "f32[B, 4]");
  // A list of numbers is one tensor, not several outputs.
  CHECK(check("lambda x: [1.0, 2.0]", kX) == "f32[2]");
  Analyzed a = analyzeText("def f(x):\n a, b = x, relu(x)\n return a, b", kX);
  REQUIRE(a.fn);
  CHECK(a.fn->outputs.size() == 2);
  // A tuple result: split's pieces are the outputs.
  CHECK(check("lambda x: split(x, 2, axis=-1)", kX) == "f32[B, 2]; f32[B, 2]");
  CHECK(check("lambda x: tf.split(x, [1, -1], axis=1)", kX) == "f32[B, 1]; f32[B, 3]");
  CHECK(check("def f(x):\n a, b = split(x, 2, axis=-1)\n return b, a", kX) ==
        "f32[B, 2]; f32[B, 2]");
  CHECK(check("def f(x):\n p = split(x, 4, axis=1)\n return p[0], p[3]", kX) ==
        "f32[B, 1]; f32[B, 1]");
  // A non-tensor output is an error.
  CHECK(check("def f(x): return x, 'name'", kX) == "E0402@1:21");
  CHECK(check("def f(x): return x, None", kX) == "E0402@1:21");
}

TEST_CASE("global reductions give 0-d results") {
  CHECK(check("lambda x: sum(x)", kX) == "f32[]");
  CHECK(check("lambda x: mean(x)", kX) == "f32[]");
  CHECK(check("lambda x: K.mean(x)", kX) == "f32[]");
  CHECK(check("lambda x: tf.reduce_sum(x)", kX) == "f32[]");
  CHECK(check("lambda x: np.max(x)", kX) == "f32[]");
  CHECK(check("lambda x: max(x, axis=(0, 1))", kX) == "f32[]");
  CHECK(check("lambda x: any(x > 0)", kX) == "bool[]");
  CHECK(check("lambda x: x.sum()", kX) == "f32[]");
  CHECK(check("lambda x: mean(x)", {{"x", "i32[B,4]"}}) == "f32[]");
  CHECK(check("lambda x: sum(x, keepdims=True)", kX) == "f32[1, 1]");
}

TEST_CASE("python scalars and lists of numbers are weak") {
  CHECK(check("lambda x: x * 2", {{"x", "i8[B,3]"}}) == "i8[B, 3]");
  CHECK(check("lambda x: 2 * x", {{"x", "u8[B,3]"}}) == "u8[B, 3]");
  CHECK(check("lambda x: x * 0.5", {{"x", "f16[B,3]"}}) == "f16[B, 3]");
  CHECK(check("lambda x: x * 0.5", {{"x", "bf16[B,3]"}}) == "bf16[B, 3]");
  CHECK(check("lambda x: x + 1", {{"x", "f64[B,3]"}}) == "f64[B, 3]");
  // A float scalar with an integer tensor gives the default float.
  CHECK(check("lambda x: x * 2.5", {{"x", "i8[B,3]"}}) == "f32[B, 3]");
  CHECK(check("lambda x: x / 2", {{"x", "i32[B,3]"}}) == "f32[B, 3]");
  CHECK(check("lambda x: x // 2", {{"x", "i32[B,3]"}}) == "i32[B, 3]");
  // Lists of numbers (a VGG mean) are weak like scalars...
  CHECK(check("lambda x: x - [103.9, 116.8, 123.7]", {{"x", "f16[B,3]"}}) == "f16[B, 3]");
  CHECK(check("lambda x: [103.9, 116.8, 123.7] - x", {{"x", "f16[B,3]"}}) == "f16[B, 3]");
  CHECK(check("lambda x: x - [[1, 2, 3]]", {{"x", "i32[B,3]"}}) == "i32[B, 3]");
  CHECK(check("lambda x: x - [1, 2]", {{"x", "f32[B,3]"}}) == "E0501@1:13");
  // ...and so are tensors computed at compile time (np.array, K.constant, np.arange / 4):
  // they take the input's dtype when their kind is no higher, as TensorFlow converts a
  // constant; inside NumPy's functions NumPy's promotion holds.
  CHECK(check("lambda x: x + np.array([1.0, 2.0, 3.0])", {{"x", "f16[B,3]"}}) == "f16[B, 3]");
  CHECK(check("lambda x: x + K.constant([1, 2, 3])", {{"x", "f16[B,3]"}}) == "f16[B, 3]");
  CHECK(check("lambda x: x * (np.arange(3) / 4)", {{"x", "f32[B,3]"}}) == "f32[B, 3]");
  CHECK(check("lambda x: x + np.ones(3, dtype='float64')", {{"x", "f32[B,3]"}}) == "f32[B, 3]");
  CHECK(check("lambda x: np.add(x, np.ones(3, dtype='float64'))", {{"x", "f32[B,3]"}}) ==
        "f64[B, 3]");
  CHECK(check("lambda x: x * np.arange(3)", {{"x", "i8[B,3]"}}) == "i8[B, 3]");
  CHECK(check("lambda x: x * np.arange(3.0)", {{"x", "i8[B,3]"}}) == "f32[B, 3]");
  // Two tensors follow NumPy's table.
  CHECK(check("lambda a, b: a + b", {{"a", "i8[3]"}, {"b", "u8[3]"}}) == "i16[3]");
  CHECK(check("lambda a, b: a + b", {{"a", "i64[3]"}, {"b", "u64[3]"}}) == "f64[3]");
  CHECK(check("lambda a, b: a + b", {{"a", "f16[3]"}, {"b", "i32[3]"}}) == "f64[3]");
  // Bools in arithmetic as NumPy: a bool meeting a number takes its type, `+` and `*` of two
  // bools are or and and, `-` of two bools is refused, `//` gives int8.
  CHECK(check("lambda x: (x > 0) + 1", kX) == "i64[B, 4]");
  CHECK(check("lambda x: (x > 0) * x", kX) == "f32[B, 4]");
  CHECK(check("lambda x: 0.25 * (x < 5)", kX) == "f32[B, 4]");
  CHECK(check("lambda x: (x > 0) + (x < 5)", kX) == "bool[B, 4]");
  CHECK(check("lambda x: (x > 0) - (x < 5)", kX) == "E0401@1:19");
  CHECK(check("lambda x: (x > 0) // (x < 5)", kX) == "i8[B, 4]");
  CHECK(check("lambda x: (x > 0) / (x < 5)", kX) == "f32[B, 4]");
  CHECK(check("lambda x: -(x > 0)", kX) == "E0401@1:11");
  CHECK(check("lambda x: x * (True + 1)", kX) == "f32[B, 4]"); // Python: True + 1 == 2
}

// ---------------------------------------------------------------- shapes as values

TEST_CASE("shapes are values: indexed, sliced, used in arithmetic and as shape arguments") {
  const Inputs x = {{"x", "f32[B,6]"}};
  CHECK(check("lambda x: x * tf.shape(x)[1]", x) == "f32[B, 6]");
  CHECK(check("lambda x: reshape(x, (tf.shape(x)[0], 2, x.shape[-1] // 2))", x) == "f32[B, 2, 3]");
  CHECK(check("lambda x: reshape(x, [-1, K.int_shape(x)[1] // 2, 2])", x) == "f32[B, 3, 2]");
  CHECK(check("lambda x: reshape(x, [-1] + x.shape.as_list()[1:])", x) == "f32[B, 6]");
  CHECK(check("lambda x: reshape(x, (-1,) + x.shape[1:])", x) == "f32[B, 6]");
  CHECK(check("lambda x: reshape(x, x.get_shape().as_list()[:1] + [2, 3])", x) == "f32[B, 2, 3]");
  CHECK(check("lambda x: reshape(x, [-1, x.shape[-1] * 2])", {{"x", "f32[B,4,6]"}}) ==
        "f32[2*B, 12]");
  CHECK(check("lambda x: ones([x.shape[0], x.shape[-1] * 2])", x) == "f32[B, 12]");
  CHECK(check("lambda x: zeros(tf.shape(x))", x) == "f32[B, 6]");
  CHECK(check("lambda x: zeros(x.shape[1:])", x) == "f32[6]");
  CHECK(check("lambda x: x[:, :x.shape[1] // 2]", x) == "f32[B, 3]");
  CHECK(check("lambda x: x.ndim + x", x) == "f32[B, 6]");
  CHECK(check("def f(x):\n b, n = K.int_shape(x)\n return reshape(x, [b, n // 2, 2]) * n", x) ==
        "f32[B, 3, 2]");
  // Returned as a tensor, a shape is i32 (TensorFlow's dtype), symbols and all.
  CHECK(check("lambda x: tf.shape(x)", x) == "i32[2]");
  CHECK(check("lambda x: K.shape(x)", x) == "i32[2]");
  CHECK(check("lambda x: K.int_shape(x)", x) == "i32[2]");
  CHECK(check("lambda x: x.shape", x) == "i32[2]");
  CHECK(check("lambda x: shape(x)", x) == "i32[2]");
  CHECK(check("lambda x: x.shape[1:]", x) == "i32[1]");
  // So is a size taken from a shape (tf.shape(x)[1] is an int32 scalar in TensorFlow).
  CHECK(check("lambda x: tf.shape(x)[1]", x) == "i32[]");
  CHECK(check("lambda x: x.shape[0]", x) == "i32[]");
  CHECK(check("lambda x: K.int_shape(x)[-1]", x) == "i32[]");
  CHECK(check("lambda x: x.shape.as_list()", x) == "i32[2]");
  CHECK(check("lambda x: x.get_shape().as_list()", x) == "i32[2]");
  // A shape has no `rank` attribute or unknown methods.
  CHECK(check("lambda x: x.shape.rank", x) == "E0310@1:19");
  CHECK(check("lambda x: x.shape[2]", x) == "E0508@1:19");
}

TEST_CASE("arguments work in slice bounds") {
  const Inputs x = {{"x", "f32[B,12]"}};
  CHECK(check("lambda x, c, g: x[:, c*g:(c+1)*g]", x, {{"c", "1"}, {"g", "4"}}) == "f32[B, 4]");
  CHECK(check("lambda x, c=0, g=4: x[:, c*g:(c+1)*g]", x, {{"c", "2"}}) == "f32[B, 4]");
  CHECK(check("lambda x, c=0, g=4: x[:, c*g:(c+1)*g]", x, {{"c", "3"}}) == "f32[B, 0]");
  CHECK(check("lambda x, s: x[:, ::s]", x, {{"s", "-5"}}) == "f32[B, 3]");
  CHECK(check("lambda x, s: x[:, ::s]", x, {{"s", "0"}}) == "E0404@1:21");
  CHECK(check("lambda x, s: x[:, :s]", x, {{"s", "1.5"}}) == "E0404@1:20");
  // Slices follow Python's clamping.
  CHECK(check("lambda x: x[:, -100:100]", x) == "f32[B, 12]");
  CHECK(check("lambda x: x[:, 10:2]", x) == "f32[B, 0]");
  CHECK(check("lambda x: x[:, ::300]", x) == "f32[B, 1]");
  CHECK(check("lambda x: x[:, ::-300]", x) == "f32[B, 1]");
  CHECK(check("lambda x: x[:, None, ..., 1:3]", x) == "f32[B, 1, 2]");
  CHECK(check("lambda x: x[:, 11::9223372036854775807]", x) == "f32[B, 1]");
  // Steps near 2**63 do not overflow the count (Python/NumPy give 1 element each).
  CHECK(check("lambda x: x[:, ::9223372036854775807]", x) == "f32[B, 1]");
  CHECK(check("lambda x: x[:, ::-9223372036854775807]", x) == "f32[B, 1]");
  CHECK(check("lambda x: x[:, ::-9223372036854775807 - 1]", x) == "f32[B, 1]");
  CHECK(check("lambda x: x[:, 1::9223372036854775806]", x) == "f32[B, 1]");
}

// ---------------------------------------------------------------- variables and initialisers

TEST_CASE("variables are declared once with a name, type and initialiser") {
  Analyzed scalar = analyzeText("def f(x):\n m = variable(1.0, name=\"m\")\n return x * m", kX);
  REQUIRE(scalar.fn);
  CHECK(scalar.types() == "f32[B, 4]");
  REQUIRE(scalar.fn->variables.size() == 1);
  CHECK(scalar.fn->variables[0].name == "m");
  CHECK(scalar.fn->variables[0].type.str() == "f32[]");
  CHECK(scalar.fn->variables[0].trainable);
  CHECK(scalar.fn->variables[0].init.kind == ir::Initializer::Constant);
  CHECK(contains(ir::print(*scalar.fn), "variable \"m\""));

  // The shape comes from the input, symbolically: x.shape[-1] is N.
  Analyzed w = analyzeText("def f(x):\n"
                           " w = variable(zeros([x.shape[-1]]), name=\"w\", trainable=True)\n"
                           " return x * w",
                           {{"x", "f32[B,N]"}});
  REQUIRE(w.fn);
  CHECK(w.types() == "f32[B, N]");
  REQUIRE(w.fn->variables.size() == 1);
  CHECK(w.fn->variables[0].name == "w");
  CHECK(w.fn->variables[0].type.str() == "f32[N]");
  CHECK(w.fn->variables[0].trainable);
  REQUIRE(w.fn->variables[0].init.value);
  CHECK(w.fn->variables[0].init.value->elementCount() == 1);

  Analyzed frozen = analyzeText("def f(x):\n"
                                " k = variable(random_normal([x.shape[-1], 3], stddev=0.1, "
                                "seed=7), name=\"k\", trainable=False)\n"
                                " b = variable(ones([3], dtype='float64'), name=\"b\")\n"
                                " return x @ k + b",
                                kX);
  REQUIRE(frozen.fn);
  CHECK(frozen.types() == "f64[B, 3]");
  REQUIRE(frozen.fn->variables.size() == 2);
  const ir::VariableDecl &k = frozen.fn->variables[0];
  CHECK(k.name == "k");
  CHECK(k.type.str() == "f32[4, 3]");
  CHECK_FALSE(k.trainable);
  CHECK(k.init.kind == ir::Initializer::RandomNormal);
  CHECK(k.init.a == 0.0);
  CHECK(k.init.b == 0.1);
  CHECK(k.init.seed == std::optional<int64_t>(7));
  CHECK(frozen.fn->variables[1].name == "b");
  CHECK(frozen.fn->variables[1].type.str() == "f64[3]");

  Analyzed other =
      analyzeText("def f(x):\n"
                  " u = variable(random_uniform([4], minval=-1.0, maxval=1.0), name=\"u\")\n"
                  " g = variable(glorot_uniform([4, 2], seed=3), name=\"g\")\n"
                  " c = variable([1.0, 2.0, 3.0, 4.0], name=\"c\")\n"
                  " h = K.variable(0.5, name=\"h\")\n"
                  " return (x * u * c * h) @ g",
                  kX);
  REQUIRE(other.fn);
  REQUIRE(other.fn->variables.size() == 4);
  CHECK(other.fn->variables[0].init.kind == ir::Initializer::RandomUniform);
  CHECK(other.fn->variables[0].init.a == -1.0);
  CHECK(other.fn->variables[0].init.b == 1.0);
  CHECK(other.fn->variables[1].init.kind == ir::Initializer::GlorotUniform);
  CHECK(other.fn->variables[1].init.seed == std::optional<int64_t>(3));
  CHECK(other.fn->variables[2].type.str() == "f32[4]");
  CHECK(other.fn->variables[2].init.value->elementCount() == 4);
  CHECK(other.fn->variables[3].name == "h");
  CHECK(other.types() == "f32[B, 2]");

  // Unnamed variables get unique names.
  Analyzed unnamed = analyzeText("lambda x: x * variable(0.5) + variable(1.0)", kX);
  REQUIRE(unnamed.fn);
  REQUIRE(unnamed.fn->variables.size() == 2);
  CHECK(unnamed.fn->variables[0].name != unnamed.fn->variables[1].name);
}

TEST_CASE("variable errors: duplicate names, non-constant initial values, stray initialisers") {
  CHECK(check("def f(x):\n a = variable(1.0, name=\"v\")\n b = variable(2.0, name=\"v\")\n"
              " return x * a * b",
              kX) == "E0311@3:20");
  // A helper called twice creates its variable twice: the same name twice.
  CHECK(check("def g(x): return x * variable(1.0, name=\"s\")\ndef f(x): return g(g(x))", kX) ==
        "E0311@1:36");
  // The initial value must be known at build time.
  CHECK(check("lambda x: x * variable(x, name=\"v\")", kX) == "E0403@1:24");
  CHECK(check("lambda x: x * variable(1.0, name=3)", kX) == "E0404@1:29");
  // random_normal and random_uniform outside variable(...) draw samples (Random.cpp);
  // glorot_uniform only makes initial values, and is rejected there, named.
  CHECK(check("lambda x: x + random_normal([4])", kX) == "f32[B, 4]");
  CHECK(check("lambda x: x * random_uniform([4], seed=1)", kX) == "f32[B, 4]");
  Analyzed stray = analyzeText("lambda x: x + glorot_uniform([4])", kX);
  CHECK(stray.first() == "E0414@1:15");
  CHECK(contains(stray.firstMessage(), "`glorot_uniform`"));
  CHECK(check("lambda x: relu(glorot_uniform([4]))", kX) == "E0414@1:16");
  CHECK(check("lambda x: concat([x, glorot_uniform([1, 4])], axis=0)", kX) == "E0414@1:22");
  CHECK_FALSE(analyzeText("lambda x: glorot_uniform([4, 4])", kX).fn);
  CHECK(check("lambda x: variable(random_normal([2], dtype='int32'))", kX) == "E0404@1:20");
}

// ---------------------------------------------------------------- annotations, output_shape

TEST_CASE("annotations are checked, never trusted") {
  const Inputs x = {{"x", "f32[B,256]"}};
  const std::string concat = "return concat([x, x], axis=-1)";
  CHECK(check("def f(x: f32[B, 256]) -> f32[B, 512]: " + concat, x) == "f32[B, 512]");
  CHECK(check("def f(x: float32[None, 256]) -> float32[None, 512]: " + concat, x) == "f32[B, 512]");
  // A declared symbol matches any size.
  CHECK(check("def f(x: f32[N, M]) -> f32[N, K]: " + concat, x) == "f32[B, 512]");
  // Mismatches: the parameter's at its annotation, the result's at the `->` annotation.
  CHECK(check("def f(x: f32[B, 128]) -> f32[B, 512]: " + concat, x) == "E0407@1:10");
  CHECK(check("def f(x: i32[B, 256]): " + concat, x) == "E0407@1:10");
  CHECK(check("def f(x: f32[B, 256, 1]): " + concat, x) == "E0407@1:10");
  CHECK(check("def f(x: f32[B, 256]) -> f32[B, 256]: " + concat, x) == "E0510@1:26");
  CHECK(check("def f(x) -> f64[B, 512]: " + concat, x) == "E0510@1:13");
  CHECK(check("def f(x) -> (f32[B, 256], f32[B]): return x, sum(x, axis=1)", x) ==
        "f32[B, 256]; f32[B]");
  CHECK(check("def f(x) -> (f32[B, 256], f32[B]): return x", x) == "E0510@1:13");
  CHECK(check("def f(x: banana[B, 256]): return x", x) == "E0412@1:10");
  CHECK(check("def f(x: f32[B, 2.5]): return x", x) == "E0412@1:17");
}

TEST_CASE("an annotation supplies the input type when no input is given") {
  Analyzed a = analyzeText("def f(x: f32[B, 256]) -> f32[B, 512]:\n"
                           "    return concat([x, x], axis=-1)",
                           {});
  REQUIRE(a.fn);
  CHECK(a.types() == "f32[B, 512]");
  REQUIRE(a.fn->inputs.size() == 1);
  CHECK(a.fn->inputs[0].name == "x");
  CHECK(a.fn->inputs[0].type.str() == "f32[B, 256]");
  CHECK(check("def f(x: f32[B, 256], y: i32[3]): return x[:, :3] * cast(y, 'float32')", {}) ==
        "f32[B, 3]");
  CHECK(check("def f(x: i64): return x + 1", {}) == "i64[]");
  // Without an annotation or an input, the parameter has no type.
  CHECK(check("def f(x): return x", {}) == "E0306@1:7");
  CHECK(check("def f(x: f32[B, 256], y): return x", {}) == "E0306@1:23");
}

TEST_CASE("output_shape is Keras's tuple without the batch dimension") {
  const Inputs x = {{"x", "f32[B,256]"}};
  const std::string source = "lambda x: concat([x, x], axis=-1)";
  CHECK(analyzeText(source, x, {}, "(512,)").first() == "");
  CHECK(analyzeText(source, x, {}, "[512]").first() == "");
  CHECK(analyzeText(source, x, {}, "(None,)").first() == "");
  CHECK(analyzeText(source, x, {}, "(256,)").first() == "E0510@1:1");
  CHECK(analyzeText(source, x, {}, "(2, 256)").first() == "E0510@1:1");
  CHECK(analyzeText(source, x, {}, "(512, 1)").first() == "E0510@1:1");
  Analyzed wrong = analyzeText(source, x, {}, "(256,)");
  CHECK(contains(wrong.firstMessage(), "(256,)"));
  // A symbolic size is not a certain mismatch.
  CHECK(analyzeText(source, {{"x", "f32[B,N]"}}, {}, "(512,)").first() == "");
  // A shape lambda receives the input shape, batch first, and returns the full shape.
  CHECK(analyzeText(source, x, {}, "lambda s: (s[0], 2 * s[1])").first() == "");
  CHECK(analyzeText(source, x, {}, "lambda s: (None, 512)").first() == "");
  CHECK(analyzeText(source, x, {}, "lambda s: (s[0], s[1])").first() == "E0510@1:1");
  CHECK(analyzeText(source, x, {}, "lambda s: (s[0], 512, 1)").first() == "E0510@1:1");
  // Several outputs: the first one is checked.
  CHECK(analyzeText("lambda x: (sum(x, axis=-1), x)", x, {}, "()").first() == "");
}

// ---------------------------------------------------------------- checked arithmetic

TEST_CASE("shape and constant arithmetic is checked, never wraps") {
  CHECK(check("zeros([2**40, 2**40])", {}) == "E0504@1:1");
  CHECK(check("lambda x: x + zeros([2**40, 2**40])", kX) == "E0504@1:15");
  CHECK(check("lambda x: x + zeros([2**62, 4])", kX) == "E0504@1:15");
  CHECK(check("lambda x: tile(x, [2**62, 4])", kX) == "E0504@1:11");
  CHECK(check("lambda x: 2**63", kX) == "E0411@1:12");
  CHECK(check("lambda x: x * (2**62 * 2)", kX) == "E0411@1:22");
  CHECK(check("lambda x: x * (-9223372036854775807 - 2)", kX) == "E0411@1:37");
  CHECK(check("lambda x: x * (7 // 0)", kX) == "E0410@1:18");
  CHECK(check("lambda x: zeros([3, -1])", kX) == "E0512@1:11");
  CHECK(check("lambda x: reshape(x, [2**62, 4, -1])", kX) == "E0506@1:11");
  // -9223372036854775808 is INT64_MIN, as in Python; the digits alone do not fit.
  CHECK(check("lambda x: mean(x, axis=-9223372036854775808)", kX) == "E0502@1:19");
  CHECK(check("lambda x: mean(x, axis=9223372036854775808)", kX) == "E0104@1:24");
  CHECK(check("lambda x: mean(x, axis=-9223372036854775808 ** 1)", kX) == "E0104@1:25");
  // INT64_MIN computed: an axis out of range, not an overflow in normalising it.
  CHECK(check("lambda x: mean(x, axis=-9223372036854775807 - 1)", kX) == "E0502@1:19");
  CHECK(check("lambda x: mean(x, axis=9223372036854775807)", kX) == "E0502@1:19");
  CHECK(check("lambda x: mean(x, axis=(-9223372036854775807 - 1, 0))", kX) == "E0502@1:19");
  CHECK(check("lambda x: softmax(x, axis=-9223372036854775807 - 1)", kX) == "E0502@1:22");
  CHECK(check("lambda x: expand_dims(x, -9223372036854775807 - 1)", kX) == "E0502@1:26");
  CHECK(check("lambda x: concat([x, x], -9223372036854775807 - 1)", kX) == "E0502@1:26");
  CHECK(check("lambda x: transpose(x, [0, -9223372036854775807 - 1])", kX) == "E0502@1:24");
  CHECK(check("lambda x: x[:, -9223372036854775807 - 1]", kX) == "E0508@1:16");
  CHECK(check("lambda x: x[:, -9223372036854775807 - 1:]", kX) == "f32[B, 4]");
  CHECK(check("lambda x: mean(x, axis=2)", kX) == "E0502@1:19");
  CHECK(check("lambda x: mean(x, axis=(1, -1))", kX) == "E0503@1:19");
}

TEST_CASE("symbolic broadcasting: certain mismatches fail at the operator") {
  CHECK(check("lambda a, b: a + b", {{"a", "f32[B,256]"}, {"b", "f32[256,B]"}}) == "f32[256, 256]");
  CHECK(check("lambda a, b: a + b", {{"a", "f32[B]"}, {"b", "f32[B]"}}) == "f32[B]");
  CHECK(check("lambda a, b: a + b", {{"a", "f32[B,1]"}, {"b", "f32[7]"}}) == "f32[B, 7]");
  CHECK(check("lambda a, b: a + b", {{"a", "f32[B,256]"}, {"b", "f32[B,255]"}}) == "E0501@1:16");
  Analyzed nested =
      analyzeText("lambda a, b: a * (a +\n b)", {{"a", "f32[B,256]"}, {"b", "f32[255]"}});
  CHECK(nested.first() == "E0501@1:21");
  CHECK(nested.firstLabel() == "dimension -1 is 256 on the left and 255 on the right");
  CHECK(check("def f(a, b):\n c = a # a comment with + in it\n return c - b",
              {{"a", "f32[3]"}, {"b", "f32[4]"}}) == "E0501@3:11");
  CHECK(check("lambda a, b: a < b", {{"a", "f32[3]"}, {"b", "f32[4]"}}) == "E0501@1:16");
  CHECK(check("lambda a, b: where(a > 0, a, b)", {{"a", "f32[3,256]"}, {"b", "f32[4,256]"}}) ==
        "E0501@1:14");
  CHECK(check("lambda a, b: a @ b", {{"a", "f32[B,3]"}, {"b", "f32[4,5]"}}) == "E0509@1:16");
}

// ---------------------------------------------------------------- what lamina can never do

TEST_CASE("host access is impossible: probes are unknown names, never anything else") {
  struct Probe {
    std::string source, code, name;
  };
  for (const Probe &p : {Probe{"system(x)", "E0301", "system"},
                         Probe{"lambda x: __import__('os')", "E0301", "__import__"},
                         Probe{"lambda x: x.__class__", "E0310", "__class__"},
                         Probe{"lambda x: x.__class__.__bases__", "E0310", "__class__"},
                         Probe{"lambda x: eval('x')", "E0301", "eval"},
                         Probe{"lambda x: exec('1')", "E0301", "exec"},
                         Probe{"lambda x: open('/etc/passwd')", "E0301", "open"},
                         Probe{"lambda x: getattr(x, 'shape')", "E0301", "getattr"},
                         Probe{"lambda x: globals()", "E0301", "globals"},
                         Probe{"lambda x: __builtins__", "E0301", "__builtins__"},
                         Probe{"lambda x: os.system('ls')", "E0301", "os"},
                         Probe{"lambda x: np.load('a.npy')", "E0302", "np.load"},
                         Probe{"lambda x: tf.io.read_file('a')", "E0302", "tf.io"},
                         Probe{"lambda x: tf.py_function(x)", "E0302", "tf.py_function"},
                         Probe{"lambda x: x.shape.__len__()", "E0310", "__len__"}}) {
    CAPTURE(p.source);
    Analyzed a = analyzeText(p.source, kX);
    CHECK_FALSE(a.fn);
    REQUIRE_FALSE(a.diagnostics.empty());
    CHECK(std::string(a.diagnostics[0].info().code) == p.code);
    CHECK(contains(a.firstMessage(), "`" + p.name + "`"));
  }
}

TEST_CASE("unknown alias names are E0302 with a suggestion") {
  struct Typo {
    std::string call, name, hint;
  };
  for (const Typo &t :
       {Typo{"K.meen(x)", "K.meen", "K.mean"},
        Typo{"tf.reduce_summ(x)", "tf.reduce_summ", "tf.reduce_sum"},
        Typo{"tf.math.reduce_su(x)", "tf.math.reduce_su", "tf.math.reduce_sum"},
        Typo{"tf.nn.rellu(x)", "tf.nn.rellu", "tf.nn.relu"},
        Typo{"np.meen(x)", "np.meen", "np.mean"}, Typo{"jnp.meen(x)", "jnp.meen", "jnp.mean"},
        Typo{"keras.backend.meen(x)", "keras.backend.meen", "keras.backend.mean"},
        Typo{"tf.keras.backend.meen(x)", "tf.keras.backend.meen", "tf.keras.backend.mean"}}) {
    CAPTURE(t.call);
    Analyzed a = analyzeText("lambda x: " + t.call, kX);
    CHECK(a.first() == "E0302@1:11");
    CHECK(contains(a.firstMessage(), "`" + t.name + "`"));
    CHECK(a.firstLabel() == "did you mean `" + t.hint + "`?");
  }
  // No near name: no hint, but still the name.
  Analyzed far = analyzeText("lambda x: K.placeholder(x)", kX);
  CHECK(far.first() == "E0302@1:11");
  CHECK(contains(far.firstMessage(), "`K.placeholder`"));
  // A plain name is E0301 with a hint.
  Analyzed plain = analyzeText("lambda x: meen(x)", kX);
  CHECK(plain.first() == "E0301@1:11");
  CHECK(plain.firstLabel() == "did you mean `mean`?");
}

TEST_CASE("a real library function lamina lacks is named so, never mistaken for a near name") {
  // tf.math.bessel_i0 is TensorFlow's (KnownApis.inc, read from the real library): no
  // did-you-mean by letters; keras.backend's synonym prefix finds Keras 2's backend.
  for (auto [call, library] :
       {std::pair{"tf.math.bessel_i0(x)", "TensorFlow"}, std::pair{"np.unwrap(x)", "NumPy"},
        std::pair{"keras.backend.ctc_batch_cost(x)", "Keras 2's backend"},
        std::pair{"jnp.gradient(x)", "NumPy"},
        std::pair{"tf.compat.v1.math.lgamma(x)", "TensorFlow"}}) {
    CAPTURE(call);
    Analyzed a = analyzeText(std::string("lambda x: ") + call, kX);
    CHECK(a.first() == "E0302@1:11");
    CHECK(a.firstLabel().starts_with(std::string(library) + " has it, lamina does not"));
  }
  // Where lamina can compute it, the label says how.
  Analyzed z = analyzeText("lambda x: tf.math.zero_fraction(x)", kX);
  CHECK(z.first() == "E0302@1:11");
  CHECK(z.firstLabel() == "lamina computes it as `mean(cast(x == 0, 'float32'))`");
  for (const char *path : {"tf.math.zero_fraction", "np.angle", "tf.math.bincount"}) {
    CAPTURE(path);
    auto api = sema::knownApi(path);
    REQUIRE(api);
    CHECK_FALSE(api->instead.empty());
    CHECK(sema::findBuiltin(path) == nullptr); // a hint for a name lamina has would be stale
  }
  CHECK_FALSE(sema::knownApi("tf.sqrtt"));
  CHECK_FALSE(sema::knownApi("sqrt"));
}

// ---------------------------------------------------------------- the IR

TEST_CASE("ir::print shows the instructions of a small program") {
  std::string ir = irOf("def f(x, alpha=0.5):\n"
                        "    y = x * alpha\n"
                        "    return relu(y), mean(y, axis=-1, keepdims=True)",
                        kX);
  CHECK(contains(ir, "func f(x: f32[B, 4])"));
  CHECK(contains(ir, "%0 = input x : f32[B, 4]"));
  CHECK(contains(ir, "constant 0.5 : f32[]"));
  CHECK(contains(ir, "= mul %0, %1 : f32[B, 4]"));
  CHECK(contains(ir, "= reduce_sum %2 axes=[1] keepdims : f32[B, 1]"));
  CHECK(contains(ir, "= div "));
  CHECK(contains(ir, "return %4, %7"));
  // Variables appear in the signature.
  std::string vars = irOf("def f(x):\n k = variable(zeros([4, 2]), name=\"k\", trainable=False)\n"
                          " return x @ k",
                          kX);
  CHECK(contains(vars, "vars(\"k\": f32[4, 2] frozen)"));
  CHECK(contains(vars, "variable \"k\" : f32[4, 2]"));
  CHECK(contains(vars, "matmul"));
  // Dead code is dropped: only what the output needs remains (inputs stay).
  std::string dead = irOf("def f(x):\n unused = exp(x)\n return x", kX);
  CHECK_FALSE(contains(dead, "exp"));
  CHECK(contains(dead, "return %0"));
}

// Issue 13, item 8: every failure has a diagnostic. `()` used to fail silently.
TEST_CASE("an empty result is reported, not a silent failure") {
  CHECK(check("()", {}) == "E0402@1:1");
  CHECK(check("lambda x: ()", {{"x", "f32[3]"}}) == "E0402@1:11");
  Analyzed empty = analyzeText("def f(x):\n    return ()", {{"x", "f32[3]"}});
  CHECK(!empty.fn);
  CHECK(empty.first() == "E0402@2:12");
}

TEST_CASE("a branch skipped on literals and arguments alone is type-checked: W0001, a warning") {
  // With training=True the branch would see these very inputs: its error is worth a warning,
  // but the program stays valid (a config may choose its arguments so that it never runs).
  Analyzed a = analyzeText("lambda x, training: x + ones([3]) if training else x", kX,
                           {{"training", "False"}});
  REQUIRE(a.fn);
  CHECK(a.first() == "W0001@1:23");
  CHECK(contains(a.firstMessage(), "cannot be broadcast"));
  REQUIRE(a.diagnostics[0].notes.size() == 1);
  CHECK(a.diagnostics[0].notes[0].message.find("skipped") != std::string::npos);
  CHECK(analyzeText("lambda x: x if True else x @ ones([3, 3])", kX).first().starts_with("W0001"));
  CHECK(analyzeText("lambda x, training: (training and x + ones([3])) or x", kX,
                    {{"training", "False"}})
            .first()
            .starts_with("W0001"));
  // A condition on the inputs decides for them, and a branch that reads the condition's names
  // depends on it: no warning.
  CHECK(analyzeText("lambda x: x if ndim(x) == 2 else x[:, :, 0]", kX).diagnostics.empty());
  CHECK(analyzeText("lambda x, k: x if k is None else x[k, k, k]", kX, {{"k", "None"}})
            .diagnostics.empty());
  CHECK(
      analyzeText("lambda x, mask=None: x if mask is None else x * mask", kX).diagnostics.empty());
  // What the skipped branch would make is dropped: no variable, no operation.
  Analyzed v = analyzeText("lambda x, training: x + variable(zeros([4])) if training else x", kX,
                           {{"training", "False"}});
  REQUIRE(v.fn);
  CHECK(v.diagnostics.empty());
  CHECK(v.fn->variables.empty());
  CHECK(v.fn->instrs.size() == analyzeText("lambda x: x", kX).fn->instrs.size());
}

TEST_CASE("the IR verifier refuses operands outside an operation's Operands column (IrOps.def)") {
  // Built by hand: sema never makes one (`/`, sqrt and exp convert integers first), and no
  // backend has an integer version to fall back on.
  struct Refused {
    ir::Op op;
    DType dtype;
  };
  for (Refused c : {Refused{ir::Op::Div, DType::I32}, Refused{ir::Op::Atan2, DType::I32},
                    Refused{ir::Op::Exp, DType::I32}, Refused{ir::Op::Sqrt, DType::I32},
                    Refused{ir::Op::And, DType::F32}, Refused{ir::Op::Shl, DType::Bool},
                    Refused{ir::Op::Shr, DType::F64}}) {
    ir::Function fn;
    TensorType t{c.dtype, {4}};
    fn.inputs.push_back({"x", t, 0});
    fn.instrs.emplace_back(ir::Op::Input, t, std::vector<ir::ValueId>{}, SourceRange{},
                           ir::IndexAttrs{0});
    bool binary = ir::categoryOf(c.op) == ir::OpCategory::Binary;
    fn.instrs.emplace_back(c.op, t,
                           binary ? std::vector<ir::ValueId>{0, 0} : std::vector<ir::ValueId>{0},
                           SourceRange{});
    fn.outputs.push_back(1);
    CAPTURE(ir::spelling(c.op));
    CHECK(ir::verify(fn).find(fmt::format("{} does not take {} operands", ir::spelling(c.op),
                                          shortName(c.dtype))) != std::string::npos);
  }
  // What sema makes of them on integers: floats (SemaSupport verifies every program it checks).
  for (const char *source :
       {"lambda x: x / 2", "lambda x: sqrt(x) + exp(x)", "lambda x: atan2(x, x)"}) {
    CAPTURE(source);
    Analyzed result = analyzeText(source, {{"x", "i32[4]"}});
    REQUIRE(result.fn);
    CHECK(ir::verify(*result.fn).empty());
  }
}

TEST_CASE("each operation carries the attribute set IrOps.def names, and the verifier checks it") {
  TensorType t{DType::F32, {2, 3}};
  auto withInput = [&](ir::Instr second) {
    ir::Function fn;
    fn.inputs.push_back({"x", t, 0});
    fn.instrs.emplace_back(ir::Op::Input, t, std::vector<ir::ValueId>{}, SourceRange{},
                           ir::IndexAttrs{0});
    fn.instrs.push_back(std::move(second));
    fn.outputs.push_back(1);
    return ir::verify(fn);
  };
  auto transpose = [&](ir::Attributes attributes) {
    return ir::Instr(ir::Op::Transpose, {DType::F32, {3, 2}}, {0}, SourceRange{},
                     std::move(attributes));
  };
  CHECK(withInput(transpose(ir::PermutationAttrs{{1, 0}})).empty());
  CHECK(withInput(transpose(ir::ReduceAttrs{{1, 0}, false}))
            .find("carries the attributes of another kind") != std::string::npos);
  CHECK(withInput(transpose(ir::NoAttrs{})).find("carries the attributes of another kind") !=
        std::string::npos);
  CHECK(withInput(ir::Instr(ir::Op::CumSum, t, {0}, SourceRange{}, ir::AxisAttrs{2}))
            .find("axis out of range") != std::string::npos);
  CHECK(withInput(ir::Instr(ir::Op::CumSum, t, {0}, SourceRange{}, ir::AxisAttrs{1})).empty());

  ir::Instr reduce(ir::Op::ReduceSum, {DType::F32, {2}}, {0}, SourceRange{},
                   ir::ReduceAttrs{{1}, false});
  CHECK(reduce.get<ir::ReduceAttrs>().axes == std::vector<int64_t>{1});
  CHECK(ir::attributesIndex(ir::Op::ReduceSum) == reduce.attributes.index());
  CHECK(ir::attributesIndex(ir::Op::Add) == ir::Attributes(ir::NoAttrs{}).index());
  CHECK(ir::attributesIndex(ir::Op::Pad) == ir::Attributes(ir::PaddingAttrs{}).index());
}

TEST_CASE("IrOps.def's Gradient column: which operations differentiation applies a rule to") {
  for (ir::Op op : {ir::Op::Exp, ir::Op::Mul, ir::Op::Select, ir::Op::ReduceMax, ir::Op::MatMul,
                    ir::Op::Gather, ir::Op::Cast, ir::Op::Pad})
    CHECK_MESSAGE(ir::isDifferentiable(op), ir::spelling(op));
  for (ir::Op op : {ir::Op::Floor, ir::Op::Round, ir::Op::Sign, ir::Op::Lt, ir::Op::ArgMax,
                    ir::Op::And, ir::Op::FloorDiv, ir::Op::Input, ir::Op::Constant, ir::Op::Iota})
    CHECK_MESSAGE(!ir::isDifferentiable(op), ir::spelling(op));
}

TEST_CASE("image resizes: every TensorFlow method, the dtypes they return, what is refused") {
  const Inputs images = {{"x", "f32[B,13,9,3]"}, {"y", "f32[B,N,9,3]"}, {"u", "u8[7,5,2]"}};
  auto types = [&](const std::string &body) { return check("lambda x, y, u: " + body, images); };
  for (const char *method :
       {"bilinear", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic"})
    for (const char *antialias : {"False", "True"})
      CHECK(types(fmt::format("tf.image.resize(u, [5, 6], '{}', antialias={})", method,
                              antialias)) == "f32[5, 6, 2]");
  CHECK(types("tf.image.resize(u, [5, 6], 'nearest')") == "u8[5, 6, 2]");
  // The smaller ratio, 3/13 against 6/9: 13 * 3/13 = 3 and 9 * 3/13 = 2.08, rounded to 2.
  CHECK(types("tf.image.resize(x, [3, 6], 'lanczos5', preserve_aspect_ratio=True)") ==
        "f32[B, 3, 2, 3]");
  CHECK(types("tf.image.resize_with_pad(x, 4, 4)") == "f32[B, 4, 4, 3]");
  CHECK(types("tf.image.resize_with_crop_or_pad(u, 3, 9)") == "u8[3, 9, 2]");
  CHECK(types("keras.ops.image.resize(u, [4, 4], data_format='channels_first')") == "u8[7, 4, 4]");
  CHECK(types("K.resize_images(x, 2, 3, 'channels_last', 'mitchellcubic')") == "f32[B, 26, 27, 3]");
  CHECK(types("tf.image.resize(x, [5, 6], 'cubic')") == "E0408@1:44");
  CHECK(types("tf.image.resize(y, [5, 6])") == "E0513@1:17");
  CHECK(types("tf.image.resize(x, [0, 3])") == "E0404@1:36");
  CHECK(types("tf.image.resize_with_pad(x, 0, 4)") == "E0404@1:45");
  CHECK(types("keras.ops.image.resize(x, [4, 4], 'gaussian')") == "E0408@1:51");
  CHECK(types("keras.ops.image.resize(x, [4, 4], crop_to_aspect_ratio=True, "
              "pad_to_aspect_ratio=True)") == "E0404@1:78");
}
