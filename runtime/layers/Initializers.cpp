#include "runtime/layers/Initializers.h"

#include "compiler/interp/Interpreter.h"
#include "compiler/types/Elements.h"
#include "runtime/support/Report.h"
#include "runtime/tensor/TensorBridge.h"

#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <functional>

namespace lamina {

const std::vector<std::string> &initializerNames() {
  static const std::vector<std::string> names = {
      "zeros",          "ones",           "constant",
      "random_normal",  "random_uniform", "truncated_normal",
      "glorot_uniform", "glorot_normal",  "he_uniform",
      "he_normal",      "lecun_uniform",  "lecun_normal"};
  return names;
}

bool knownInitializer(const std::string &name) {
  for (const std::string &n : initializerNames())
    if (n == name)
      return true;
  return false;
}

Tensor initialize(const Initializer &init, DType dtype, const TensorShape &shape,
                  const std::string &weightName) {
  // Checked before anything is allocated: a config's `units` must not exhaust memory.
  uint64_t count = 1, bytes = 0, budget = InterpOptions{}.byteBudget;
  bool fits = true;
  for (int64_t d : shape)
    fits = fits && d >= 0 && !__builtin_mul_overflow(count, uint64_t(d), &count);
  if (!fits || __builtin_mul_overflow(count, uint64_t(byteSize(dtype)), &bytes) || bytes > budget)
    throw Error("E0703",
                fmt::format("weight `{}` of shape [{}] needs {} bytes, more than the "
                            "budget of {} bytes for one tensor",
                            weightName, fmt::join(shape, ", "),
                            fits ? std::to_string(bytes) : std::string("too many"), budget));
  auto [fanIn, fanOut] = kerasFans(shape);
  ir::VariableDecl decl;
  decl.name = weightName;
  decl.type.dtype = dtype;
  for (int64_t d : shape)
    decl.type.shape.push_back(d);
  decl.init.seed = init.seed;
  // Variance scaling (Keras): a uniform draw in ±sqrt(3·scale/n), or a normal one with
  // standard deviation sqrt(scale/n). lamina's normal draws are not truncated.
  auto scaled = [&](double scale, double n, bool uniform) {
    if (uniform) {
      double limit = std::sqrt(3 * scale / std::max(1.0, n));
      decl.init.kind = ir::Initializer::RandomUniform;
      decl.init.a = -limit;
      decl.init.b = limit;
    } else {
      decl.init.kind = ir::Initializer::RandomNormal;
      decl.init.a = 0;
      decl.init.b = std::sqrt(scale / std::max(1.0, n));
    }
  };
  const std::string &n = init.name;
  if (n == "zeros" || n == "ones" || n == "constant") {
    decl.init.kind = ir::Initializer::Constant;
    Array value = makeArray(dtype, {});
    storeFloat(value, 0, n == "zeros" ? 0 : n == "ones" ? 1 : init.value);
    decl.init.value = std::make_shared<const Array>(std::move(value));
  } else if (n == "random_normal" || n == "truncated_normal") {
    decl.init.kind = ir::Initializer::RandomNormal;
    decl.init.a = init.mean;
    decl.init.b = init.stddev;
  } else if (n == "random_uniform") {
    decl.init.kind = ir::Initializer::RandomUniform;
    decl.init.a = init.minval;
    decl.init.b = init.maxval;
  } else if (n == "glorot_uniform" || n == "glorot_normal") {
    scaled(2, fanIn + fanOut, n == "glorot_uniform");
  } else if (n == "he_uniform" || n == "he_normal") {
    scaled(2, fanIn, n == "he_uniform");
  } else if (n == "lecun_uniform" || n == "lecun_normal") {
    scaled(1, fanIn, n == "lecun_uniform");
  } else {
    raise(fmt::format("unknown initializer `{}`", n));
  }
  return fromArray(initialValue(decl));
}

} // namespace lamina
