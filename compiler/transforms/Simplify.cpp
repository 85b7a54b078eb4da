#include "compiler/transforms/Passes.h"

#include "compiler/types/Elements.h"

#include <cmath>
#include <numeric>
#include <optional>

namespace lamina::transforms {
namespace {

using ir::Op;

// The value of a one-element constant, as a double.
std::optional<double> scalarConstant(const ir::Function &fn, ir::ValueId v) {
  const ir::Instr &in = fn.instrs[v];
  if (in.op != Op::Constant || in.get<ir::ValueAttrs>().value->elementCount() != 1)
    return std::nullopt;
  return loadFloat(*in.get<ir::ValueAttrs>().value, 0);
}

bool sameShape(const ir::Function &fn, ir::ValueId a, const ir::Instr &in) {
  return fn.typeOf(a) == in.type;
}

bool isIdentityPermutation(const std::vector<int64_t> &perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != int64_t(i))
      return false;
  return true;
}

class Simplifier {
public:
  explicit Simplifier(ir::Function &fn) : fn_(fn) {}

  void run() {
    std::vector<ir::Instr> old = std::move(fn_.instrs);
    fn_.instrs.clear();
    map_.assign(old.size(), 0);
    for (size_t v = 0; v < old.size(); ++v) {
      ir::Instr in = std::move(old[v]);
      for (ir::ValueId &o : in.operands)
        o = map_[o];
      map_[v] = rewrite(std::move(in));
    }
    for (ir::ValueId &o : fn_.outputs)
      o = map_[o];
    eliminateDeadCode(fn_);
  }

private:
  ir::ValueId add(ir::Instr in) {
    fn_.instrs.push_back(std::move(in));
    return ir::ValueId(fn_.instrs.size() - 1);
  }

  ir::ValueId binary(Op op, ir::ValueId a, ir::ValueId b, const ir::Instr &like) {
    return add(ir::Instr(op, like.type, {a, b}, like.range));
  }

  // Rewrites are opt-in, one operation at a time: an operation not named here (a new one
  // among them) is kept as it is, which is always correct.
  ir::ValueId rewrite(ir::Instr in) {
    if (in.op == Op::Pow) {
      if (auto e = scalarConstant(fn_, in.operands[1]); e && sameShape(fn_, in.operands[0], in)) {
        ir::ValueId x = in.operands[0];
        // x ** 1 and x ** 2 are exact as products (the double product of two floats is
        // exact, so one rounding gives what pow rounds to); x ** 3 as two products stays
        // within pow's ULP bound for floats and is exact for wrapping integers.
        if (*e == 1)
          return x;
        if (*e == 2)
          return binary(Op::Mul, x, x, in);
        if (*e == 3)
          return binary(Op::Mul, binary(Op::Mul, x, x, in), x, in);
      }
    } else if (in.op == Op::Div) {
      // Dividing by 2^k and multiplying by 2^-k round the same real number: identical bits.
      if (auto d = scalarConstant(fn_, in.operands[1]); d && isFloat(in.type.dtype) && *d != 0) {
        int exponent = 0;
        double mantissa = std::frexp(*d, &exponent);
        double reciprocal = 1.0 / *d;
        if (std::fabs(mantissa) == 0.5 && std::isfinite(reciprocal) &&
            roundToFloat(in.type.dtype, reciprocal) == reciprocal) {
          const ir::Instr &c = fn_.instrs[in.operands[1]];
          Array value = makeArray(c.type.dtype, c.get<ir::ValueAttrs>().value->shape);
          storeFloat(value, 0, reciprocal);
          ir::Instr k(Op::Constant, c.type, {}, c.range,
                      ir::ValueAttrs{std::make_shared<const Array>(std::move(value))});
          return binary(Op::Mul, in.operands[0], add(std::move(k)), in);
        }
      }
    } else if (in.op == Op::Cast || in.op == Op::Reshape || in.op == Op::Broadcast) {
      if (sameShape(fn_, in.operands[0], in))
        return in.operands[0];
    } else if (in.op == Op::Transpose) {
      if (isIdentityPermutation(in.get<ir::PermutationAttrs>().perm))
        return in.operands[0];
    }
    return add(std::move(in));
  }

  ir::Function &fn_;
  std::vector<ir::ValueId> map_;
};

} // namespace

void simplify(ir::Function &fn) { Simplifier(fn).run(); }

} // namespace lamina::transforms
