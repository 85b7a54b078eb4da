#include "compiler/interp/Interpreter.h"

#include "compiler/interp/Specialize.h"
#include "compiler/ir/ScalarOps.h"
#include "compiler/support/Unreachable.h"

#include "compiler/types/Elements.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace lamina {
namespace {

using ir::Op;
using namespace ir::scalar;

// A value during interpretation: floats as doubles (already rounded to the dtype), integers
// and bools as int64 (already wrapped to the width).
struct Val {
  DType dtype;
  std::vector<int64_t> shape;
  std::vector<double> f;
  std::vector<int64_t> i;

  bool isFloatType() const { return isFloat(dtype); }
  int64_t size() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

std::vector<int64_t> concreteShape(const Shape &shape) {
  std::vector<int64_t> out;
  for (const Dim &d : shape)
    out.push_back(d.constant());
  return out;
}

Val makeVal(DType dtype, std::vector<int64_t> shape) {
  Val v{dtype, std::move(shape), {}, {}};
  if (isFloat(dtype))
    v.f.assign(size_t(v.size()), 0.0);
  else
    v.i.assign(size_t(v.size()), 0);
  return v;
}

Val fromArray(const Array &a) {
  Val v = makeVal(a.dtype, a.shape);
  for (int64_t k = 0; k < v.size(); ++k) {
    if (v.isFloatType())
      v.f[size_t(k)] = loadFloat(a, k);
    else
      v.i[size_t(k)] = loadInt(a, k);
  }
  return v;
}

Array toArray(const Val &v) {
  Array a = makeArray(v.dtype, v.shape);
  for (int64_t k = 0; k < v.size(); ++k) {
    if (v.isFloatType())
      storeFloat(a, k, v.f[size_t(k)]);
    else
      storeInt(a, k, v.i[size_t(k)]);
  }
  return a;
}

std::vector<int64_t> stridesOf(const std::vector<int64_t> &shape) {
  std::vector<int64_t> s(shape.size(), 1);
  for (size_t k = shape.size(); k-- > 1;)
    s[k - 1] = s[k] * shape[k];
  return s;
}

// For each element of `out` (C order), the flat index into an operand of shape `in` that
// NumPy broadcasting reads.
std::vector<int64_t> broadcastIndex(const std::vector<int64_t> &in,
                                    const std::vector<int64_t> &out) {
  std::vector<int64_t> inStrides = stridesOf(in), map;
  int64_t n = 1;
  for (int64_t d : out)
    n *= d;
  map.resize(size_t(n));
  std::vector<int64_t> idx(out.size(), 0);
  size_t offset = out.size() - in.size();
  for (int64_t k = 0; k < n; ++k) {
    int64_t src = 0;
    for (size_t a = 0; a < in.size(); ++a)
      src += (in[a] == 1 ? 0 : idx[a + offset]) * inStrides[a];
    map[size_t(k)] = src;
    for (size_t a = out.size(); a-- > 0;) {
      if (++idx[a] < out[a])
        break;
      idx[a] = 0;
    }
  }
  return map;
}

Val unary(const ir::Instr &in, const Val &x) {
  Val out = makeVal(in.type.dtype, x.shape);
  DType t = in.type.dtype;
  for (int64_t k = 0; k < x.size(); ++k) {
    size_t s = size_t(k);
    if (in.op == Op::Cast) {
      if (x.isFloatType() && isFloat(t))
        out.f[s] = roundToFloat(t, x.f[s]);
      else if (x.isFloatType())
        out.i[s] = floatToInt(t, x.f[s]);
      else if (t == DType::F32)
        out.f[s] = double(intToFloat(x.dtype, x.i[s])); // one rounding, from the integer itself
      else if (isFloat(t))
        out.f[s] = roundToFloat(t, intToDouble(x.dtype, x.i[s]));
      else
        out.i[s] = wrapToInt(t, x.i[s]);
    } else if (in.op == Op::IsNan || in.op == Op::IsInf || in.op == Op::IsFinite) {
      double v = x.f[s];
      out.i[s] = in.op == Op::IsNan   ? std::isnan(v)
                 : in.op == Op::IsInf ? std::isinf(v)
                                      : std::isfinite(v);
    } else if (x.isFloatType()) {
      out.f[s] = roundToFloat(t, unaryFloat(in.op, x.f[s]));
    } else {
      out.i[s] = wrapToInt(t, unaryInt(in.op, t, x.i[s]));
    }
  }
  return out;
}

Val elementwise(const ir::Instr &in, const std::vector<const Val *> &args) {
  Val out = makeVal(in.type.dtype, concreteShape(in.type.shape));
  std::vector<std::vector<int64_t>> maps;
  for (const Val *a : args)
    maps.push_back(broadcastIndex(a->shape, out.shape));
  ir::OpCategory cat = ir::categoryOf(in.op);
  for (int64_t k = 0; k < out.size(); ++k) {
    size_t s = size_t(k);
    if (cat == ir::OpCategory::Select) {
      const Val &a = *args[1], &b = *args[2];
      bool c = args[0]->i[size_t(maps[0][s])] != 0;
      const Val &pick = c ? a : b;
      size_t at = size_t(maps[c ? 1 : 2][s]);
      if (out.isFloatType())
        out.f[s] = pick.f[at];
      else
        out.i[s] = pick.i[at];
      continue;
    }
    const Val &a = *args[0], &b = *args[1];
    size_t ia = size_t(maps[0][s]), ib = size_t(maps[1][s]);
    if (cat == ir::OpCategory::Compare)
      out.i[s] = a.isFloatType() ? compare(in.op, a.f[ia], b.f[ib])
                                 : compareInt(in.op, a.dtype, a.i[ia], b.i[ib]);
    else if (out.isFloatType())
      out.f[s] = roundToFloat(out.dtype, binaryFloat(in.op, a.f[ia], b.f[ib]));
    else
      out.i[s] = wrapToInt(out.dtype, binaryInt(in.op, out.dtype, a.i[ia], b.i[ib]));
  }
  return out;
}

// Walks every element of `shape` in C order, calling f(index vector, flat index).
template <class F> void forEachIndex(const std::vector<int64_t> &shape, F f) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  std::vector<int64_t> idx(shape.size(), 0);
  for (int64_t k = 0; k < n; ++k) {
    f(idx, k);
    for (size_t a = shape.size(); a-- > 0;) {
      if (++idx[a] < shape[a])
        break;
      idx[a] = 0;
    }
  }
}

Val reduce(const ir::Instr &in, const Val &x) {
  std::vector<bool> reduced(x.shape.size(), false);
  for (int64_t a : in.get<ir::ReduceAttrs>().axes)
    reduced[size_t(a)] = true;
  // The output without keepdims's 1s, to index accumulators.
  std::vector<int64_t> kept;
  for (size_t a = 0; a < x.shape.size(); ++a)
    if (!reduced[a])
      kept.push_back(x.shape[a]);
  std::vector<int64_t> keptStrides = stridesOf(kept);
  int64_t outCount = 1;
  for (int64_t d : kept)
    outCount *= d;
  bool isArg = in.op == Op::ArgMax || in.op == Op::ArgMin;
  bool fl = x.isFloatType();
  size_t outSize = size_t(outCount);
  std::vector<double> accF(outSize);
  std::vector<int64_t> accI(outSize), count(outSize, 0), argIdx(outSize);
  std::vector<bool> sawNaN(outSize, false);
  for (size_t o = 0; o < size_t(outCount); ++o) {
    switch (in.op) {
    case Op::ReduceProd:
    case Op::ReduceAll:
      accF[o] = 1, accI[o] = 1;
      break;
    case Op::ReduceSum:
    case Op::ReduceMax: // max, min and the args start from their first element
    case Op::ReduceMin:
    case Op::ReduceAny:
    case Op::ArgMax:
    case Op::ArgMin:
      accF[o] = 0, accI[o] = 0;
      break;
#define LAMINA_SKIP_REDUCE
#include "compiler/ir/OpCases.inc"
      LAMINA_UNREACHABLE("not a reduction");
    }
  }
  forEachIndex(x.shape, [&](const std::vector<int64_t> &idx, int64_t k) {
    int64_t o = 0, pos = 0;
    for (size_t a = 0; a < idx.size(); ++a)
      if (!reduced[a])
        o += idx[a] * keptStrides[size_t(pos++)];
    size_t s = size_t(o), e = size_t(k);
    int64_t n = count[s]++;
    switch (in.op) {
    case Op::ReduceSum:
      fl ? void(accF[s] += x.f[e]) : void(accI[s] = wrapAdd(accI[s], x.i[e]));
      break;
    case Op::ReduceProd:
      fl ? void(accF[s] *= x.f[e]) : void(accI[s] = wrapMul(accI[s], x.i[e]));
      break;
    case Op::ReduceMax:
    case Op::ReduceMin: {
      bool isMax = in.op == Op::ReduceMax;
      if (fl)
        accF[s] = n == 0 ? x.f[e] : isMax ? floatMax(accF[s], x.f[e]) : floatMin(accF[s], x.f[e]);
      else
        accI[s] = n == 0 ? x.i[e] : binaryInt(isMax ? Op::Max : Op::Min, x.dtype, accI[s], x.i[e]);
      break;
    }
    case Op::ReduceAny:
      accI[s] = accI[s] || x.i[e];
      break;
    case Op::ReduceAll:
      accI[s] = accI[s] && x.i[e];
      break;
    case Op::ArgMax:
    case Op::ArgMin: {
      // The first extreme wins; a NaN is the extreme (NumPy), and the first NaN sticks.
      bool better;
      if (n == 0) {
        better = true;
      } else if (fl) {
        double v = x.f[e], best = accF[s];
        better = !sawNaN[s] && (std::isnan(v) || (in.op == Op::ArgMax ? v > best : v < best));
      } else {
        better = compareInt(in.op == Op::ArgMax ? Op::Gt : Op::Lt, x.dtype, x.i[e], accI[s]);
      }
      if (better) {
        fl ? void(accF[s] = x.f[e]) : void(accI[s] = x.i[e]);
        argIdx[s] = n;
        if (fl && std::isnan(x.f[e]))
          sawNaN[s] = true;
      }
      break;
    }
#define LAMINA_SKIP_REDUCE
#include "compiler/ir/OpCases.inc"
      LAMINA_UNREACHABLE("not a reduction");
    }
  });
  Val out = makeVal(in.type.dtype, concreteShape(in.type.shape));
  for (size_t o = 0; o < size_t(outCount); ++o) {
    if (isArg)
      out.i[o] = argIdx[o];
    else if (out.isFloatType())
      out.f[o] = count[o] == 0 && (in.op == Op::ReduceMax || in.op == Op::ReduceMin)
                     ? std::numeric_limits<double>::quiet_NaN()
                     : roundToFloat(out.dtype, accF[o]);
    else
      out.i[o] = wrapToInt(out.dtype, accI[o]);
  }
  return out;
}

Val scan(const ir::Instr &in, const Val &x) {
  Val out = makeVal(in.type.dtype, x.shape);
  size_t axis = size_t(in.get<ir::AxisAttrs>().axis);
  std::vector<int64_t> strides = stridesOf(x.shape);
  bool sum = in.op == Op::CumSum;
  forEachIndex(x.shape, [&](const std::vector<int64_t> &idx, int64_t k) {
    size_t s = size_t(k);
    if (idx[axis] == 0) {
      out.isFloatType() ? void(out.f[s] = x.f[s]) : void(out.i[s] = x.i[s]);
      return;
    }
    size_t prev = size_t(k - strides[axis]);
    if (out.isFloatType())
      out.f[s] = roundToFloat(out.dtype, sum ? out.f[prev] + x.f[s] : out.f[prev] * x.f[s]);
    else
      out.i[s] =
          wrapToInt(out.dtype, sum ? wrapAdd(out.i[prev], x.i[s]) : wrapMul(out.i[prev], x.i[s]));
  });
  return out;
}

// Copies element `from` of `x` to element `to` of `out`.
void copyElement(Val &out, int64_t to, const Val &x, int64_t from) {
  if (out.isFloatType())
    out.f[size_t(to)] = x.f[size_t(from)];
  else
    out.i[size_t(to)] = x.i[size_t(from)];
}

Val movement(const ir::Instr &in, const std::vector<const Val *> &args) {
  Val out = makeVal(in.type.dtype, concreteShape(in.type.shape));
  const Val &x = *args[0];
  std::vector<int64_t> xs = stridesOf(x.shape);
  switch (in.op) {
  case Op::Reshape:
    out.f = x.f, out.i = x.i;
    break;
  case Op::Broadcast: {
    std::vector<int64_t> map = broadcastIndex(x.shape, out.shape);
    for (int64_t k = 0; k < out.size(); ++k)
      copyElement(out, k, x, map[size_t(k)]);
    break;
  }
  case Op::Transpose:
    forEachIndex(out.shape, [&](const std::vector<int64_t> &idx, int64_t k) {
      int64_t src = 0;
      for (size_t a = 0; a < idx.size(); ++a)
        src += idx[a] * xs[size_t(in.get<ir::PermutationAttrs>().perm[a])];
      copyElement(out, k, x, src);
    });
    break;
  case Op::Slice:
    forEachIndex(out.shape, [&](const std::vector<int64_t> &idx, int64_t k) {
      int64_t src = 0;
      for (size_t a = 0; a < idx.size(); ++a)
        src += (in.get<ir::WindowAttrs>().begins[a].constant() +
                idx[a] * in.get<ir::WindowAttrs>().steps[a]) *
               xs[a];
      copyElement(out, k, x, src);
    });
    break;
  case Op::Concat: {
    size_t axis = size_t(in.get<ir::AxisAttrs>().axis);
    forEachIndex(out.shape, [&](const std::vector<int64_t> &idx, int64_t k) {
      int64_t pos = idx[axis];
      for (const Val *part : args) {
        if (pos < part->shape[axis]) {
          std::vector<int64_t> ps = stridesOf(part->shape);
          int64_t src = 0;
          for (size_t a = 0; a < idx.size(); ++a)
            src += (a == axis ? pos : idx[a]) * ps[a];
          copyElement(out, k, *part, src);
          return;
        }
        pos -= part->shape[axis];
      }
    });
    break;
  }
  case Op::Pad: {
    const auto &[pads, mode, fill] = in.get<ir::PaddingAttrs>();
    forEachIndex(out.shape, [&](const std::vector<int64_t> &idx, int64_t k) {
      int64_t src = 0;
      for (size_t a = 0; a < idx.size(); ++a) {
        int64_t p = idx[a] - pads[a].first, n = x.shape[a];
        if (p < 0 || p >= n) {
          if (mode == ir::PadMode::Constant) {
            out.isFloatType() ? void(out.f[size_t(k)] = roundToFloat(out.dtype, fill))
                              : void(out.i[size_t(k)] = floatToInt(out.dtype, fill));
            return;
          }
          bool reflect = mode == ir::PadMode::Reflect;
          // Mirror at the edges: reflect skips the edge element, symmetric repeats it.
          if (p < 0)
            p = reflect ? -p : -p - 1;
          else
            p = reflect ? 2 * (n - 1) - p : 2 * n - 1 - p;
        }
        src += p * xs[a];
      }
      copyElement(out, k, x, src);
    });
    break;
  }
  case Op::Gather: {
    const Val &indices = *args[1];
    size_t axis = size_t(in.get<ir::AxisAttrs>().axis), irank = indices.shape.size();
    int64_t n = x.shape[axis];
    forEachIndex(out.shape, [&](const std::vector<int64_t> &idx, int64_t k) {
      // out[pre, i..., post] = x[pre, indices[i...], post]; indices clamped into range.
      int64_t flatIndex = 0;
      std::vector<int64_t> is = stridesOf(indices.shape);
      for (size_t a = 0; a < irank; ++a)
        flatIndex += idx[axis + a] * is[a];
      int64_t j = indices.i[size_t(flatIndex)];
      if (j < 0)
        j += n;
      j = std::clamp<int64_t>(j, 0, n - 1);
      int64_t src = 0;
      for (size_t a = 0; a < x.shape.size(); ++a) {
        int64_t c = a < axis ? idx[a] : a == axis ? j : idx[a + irank - 1];
        src += c * xs[a];
      }
      copyElement(out, k, x, src);
    });
    break;
  }
  case Op::MatMul: {
    const Val &y = *args[1];
    size_t rank = out.shape.size();
    int64_t kdim = x.shape.back();
    std::vector<int64_t> ys = stridesOf(y.shape);
    forEachIndex(out.shape, [&](const std::vector<int64_t> &idx, int64_t k) {
      // Batch indices broadcast right-aligned into each operand.
      auto base = [&](const Val &v, const std::vector<int64_t> &vs) {
        int64_t off = 0;
        size_t vb = v.shape.size() - 2, ob = rank - 2;
        for (size_t a = 0; a < vb; ++a)
          off += (v.shape[a] == 1 ? 0 : idx[a + ob - vb]) * vs[a];
        return off;
      };
      int64_t bx = base(x, xs) + idx[rank - 2] * xs[x.shape.size() - 2];
      int64_t by = base(y, ys) + idx[rank - 1];
      if (out.isFloatType()) {
        double acc = 0;
        for (int64_t t = 0; t < kdim; ++t)
          acc += x.f[size_t(bx + t)] * y.f[size_t(by + t * ys[y.shape.size() - 2])];
        out.f[size_t(k)] = roundToFloat(out.dtype, acc);
      } else {
        int64_t acc = 0;
        for (int64_t t = 0; t < kdim; ++t)
          acc = wrapAdd(acc,
                        wrapMul(x.i[size_t(bx + t)], y.i[size_t(by + t * ys[y.shape.size() - 2])]));
        out.i[size_t(k)] = wrapToInt(out.dtype, acc);
      }
    });
    break;
  }
  case Op::CumSum:
  case Op::CumProd:
    LAMINA_UNREACHABLE("scans are scan()'s");
#define LAMINA_SKIP_OTHER
#include "compiler/ir/OpCases.inc"
    LAMINA_UNREACHABLE("not a movement or product");
  }
  return out;
}

Val leaf(const ir::Instr &in, const std::vector<Array> &inputs,
         const std::vector<Array> &variables) {
  switch (in.op) {
  case Op::Input:
    return fromArray(inputs[size_t(in.get<ir::IndexAttrs>().index)]);
  case Op::Variable:
    return fromArray(variables[size_t(in.get<ir::IndexAttrs>().index)]);
  case Op::Constant:
    return fromArray(*in.get<ir::ValueAttrs>().value);
  case Op::DimValue: {
    Val v = makeVal(in.type.dtype, {});
    if (v.isFloatType())
      v.f[0] = roundToFloat(v.dtype, double(in.get<ir::SizeAttrs>().size.constant()));
    else
      v.i[0] = wrapToInt(v.dtype, in.get<ir::SizeAttrs>().size.constant());
    return v;
  }
  case Op::Iota: {
    Val v = makeVal(in.type.dtype, concreteShape(in.type.shape));
    size_t axis = size_t(in.get<ir::AxisAttrs>().axis);
    forEachIndex(v.shape, [&](const std::vector<int64_t> &idx, int64_t k) {
      if (v.isFloatType())
        v.f[size_t(k)] = roundToFloat(v.dtype, double(idx[axis]));
      else
        v.i[size_t(k)] = wrapToInt(v.dtype, idx[axis]);
    });
    return v;
  }
#define LAMINA_SKIP_LEAF
#include "compiler/ir/OpCases.inc"
    LAMINA_UNREACHABLE("not a leaf");
  }
  LAMINA_UNREACHABLE("not an operation");
}

} // namespace

std::optional<std::vector<Array>> interpret(const ir::Function &fn,
                                            const std::vector<Array> &inputs,
                                            const std::vector<Array> &variables,
                                            const SourceFile &file, DiagnosticEngine &diags,
                                            const InterpOptions &options) {
  auto symbols = interp_detail::bindSymbols(fn, inputs, file, diags);
  if (!symbols)
    return std::nullopt;
  for (size_t k = 0; k < fn.variables.size(); ++k) {
    const ir::VariableDecl &v = fn.variables[k];
    bool ok = k < variables.size() && variables[k].dtype == v.type.dtype &&
              variables[k].shape.size() == v.type.rank();
    for (size_t i = 0; ok && i < v.type.rank(); ++i)
      ok = v.type.shape[i].evaluate(*symbols) == variables[k].shape[i];
    if (!ok) {
      diags.report(DiagKind::InputMismatch, file, v.range, "variable", v.name,
                   k < variables.size() ? "missing or of another type" : "missing", v.type.str());
      return std::nullopt;
    }
  }
  auto instrs = interp_detail::specialize(fn, *symbols, file, diags);
  if (!instrs)
    return std::nullopt;
  // The budget, before anything is allocated (the JIT applies the same rule).
  if (!interp_detail::withinBudget(interp_detail::footprint(*instrs, fn.outputs),
                                   options.byteBudget, file, diags))
    return std::nullopt;
  std::vector<Val> values;
  values.reserve(instrs->size());
  for (const ir::Instr &in : *instrs) {
    if (options.cancel && options.cancel->load(std::memory_order_relaxed)) {
      diags.report(DiagKind::Cancelled, file, in.range);
      return std::nullopt;
    }
    std::vector<const Val *> args;
    for (ir::ValueId o : in.operands)
      args.push_back(&values[o]);
    switch (ir::categoryOf(in.op)) {
    case ir::OpCategory::Leaf:
      values.push_back(leaf(in, inputs, variables));
      break;
    case ir::OpCategory::Unary:
      values.push_back(unary(in, *args[0]));
      break;
    case ir::OpCategory::Binary:
    case ir::OpCategory::Compare:
    case ir::OpCategory::Select:
      values.push_back(elementwise(in, args));
      break;
    case ir::OpCategory::Reduce:
      values.push_back(reduce(in, *args[0]));
      break;
    case ir::OpCategory::Other:
      values.push_back(in.op == Op::CumSum || in.op == Op::CumProd ? scan(in, *args[0])
                                                                   : movement(in, args));
      break;
    }
  }
  std::vector<Array> outputs;
  for (ir::ValueId v : fn.outputs)
    outputs.push_back(toArray(values[v]));
  return outputs;
}

std::optional<std::map<std::string, int64_t>> bindSymbols(const ir::Function &fn,
                                                          const std::vector<Array> &inputs,
                                                          const SourceFile &file,
                                                          DiagnosticEngine &diags) {
  return interp_detail::bindSymbols(fn, inputs, file, diags);
}

std::optional<std::vector<Array>> initialValues(const ir::Function &fn,
                                                const std::map<std::string, int64_t> &symbols,
                                                const SourceFile &file, DiagnosticEngine &diags,
                                                const InterpOptions &options) {
  uint64_t bytes = 0;
  for (const ir::VariableDecl &v : fn.variables) {
    uint64_t count = 1, size = 0;
    bool fits = true;
    for (const Dim &d : v.type.shape) {
      auto n = d.evaluate(symbols);
      fits = fits && n && *n >= 0 && !__builtin_mul_overflow(count, uint64_t(*n), &count);
    }
    if (!fits || __builtin_mul_overflow(count, uint64_t(byteSize(v.type.dtype)), &size) ||
        __builtin_add_overflow(bytes, size, &bytes) || bytes > options.byteBudget) {
      diags.report(DiagKind::BudgetExceeded, file, v.range,
                   fits ? std::to_string(bytes) : std::string("too many"), options.byteBudget);
      return std::nullopt;
    }
  }
  std::vector<Array> out;
  for (const ir::VariableDecl &v : fn.variables)
    out.push_back(initialValue(v, symbols));
  return out;
}

std::pair<double, double> kerasFans(const std::vector<int64_t> &shape) {
  if (shape.empty())
    return {1, 1};
  if (shape.size() == 1)
    return {double(shape[0]), double(shape[0])};
  double receptive = 1;
  for (size_t k = 0; k + 2 < shape.size(); ++k)
    receptive *= double(shape[k]);
  return {double(shape[shape.size() - 2]) * receptive, double(shape.back()) * receptive};
}

Array initialValue(const ir::VariableDecl &var, const std::map<std::string, int64_t> &symbols) {
  std::vector<int64_t> shape;
  for (const Dim &d : var.type.shape)
    shape.push_back(d.evaluate(symbols).value_or(0));
  Array a = makeArray(var.type.dtype, shape);
  int64_t n = a.elementCount();
  const ir::Initializer &init = var.init;
  if (init.kind == ir::Initializer::Computed) {
    // A function of no inputs (sema checked it reads none), run once here.
    SourceFile none("<initial value>", "");
    CollectingConsumer sink;
    DiagnosticEngine diags(sink);
    if (auto result = interpret(*init.program, {}, {}, none, diags))
      return std::move(result->front());
    return a; // only a byte budget could stop it: zeros, as made
  }
  if (init.kind == ir::Initializer::Constant) {
    const Array &c = *init.value;
    for (int64_t k = 0; k < n; ++k) {
      int64_t from = c.elementCount() == 1 ? 0 : k;
      if (isFloat(a.dtype))
        storeFloat(a, k, loadFloat(c, from));
      else
        storeInt(a, k,
                 isFloat(c.dtype) ? floatToInt(a.dtype, loadFloat(c, from)) : loadInt(c, from));
    }
    return a;
  }
  // SplitMix64: tiny, fast, and fully specified, so every run gives the same values.
  // Without a seed, the variable's name seeds it (FNV-1a), so two unseeded variables differ
  // and every run repeats.
  uint64_t nameHash = 0xcbf29ce484222325ull;
  for (char c : var.name)
    nameHash = (nameHash ^ uint8_t(c)) * 0x100000001b3ull;
  uint64_t state = init.seed ? uint64_t(*init.seed) : nameHash;
  auto next = [&state] {
    uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  auto uniform01 = [&] { return double(next() >> 11) * 0x1.0p-53; };
  double lo = init.a, hi = init.b;
  if (init.kind == ir::Initializer::GlorotUniform) {
    auto [fanIn, fanOut] = kerasFans(shape);
    double limit = std::sqrt(6.0 / std::max(1.0, fanIn + fanOut));
    lo = -limit, hi = limit;
  }
  for (int64_t k = 0; k < n; ++k) {
    double v;
    if (init.kind == ir::Initializer::RandomNormal) {
      double u1 = std::max(uniform01(), 0x1.0p-53), u2 = uniform01();
      v = init.a + init.b * std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
    } else {
      v = lo + (hi - lo) * uniform01();
    }
    storeFloat(a, k, v);
  }
  return a;
}

} // namespace lamina
