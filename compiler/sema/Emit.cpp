// IR emission with the shape and dtype rules of each operation (see Context.h).

#include "compiler/sema/Context.h"
#include "compiler/types/Elements.h"

#include <fmt/format.h>

#include <algorithm>

namespace lamina::sema {

DType Context::floatFor(DType t) const {
  if (isFloat(t) || library == Library::Lamina)
    return isFloat(t) ? t : kDefaultFloat;
  unsigned bytes = byteSize(t); // NumPy: the first float loop the integer casts to safely
  return bytes == 1 ? DType::F16 : bytes == 2 ? DType::F32 : DType::F64;
}

bool Context::isCompileTime(ValueId v) {
  for (size_t k = compileTime.size(); k <= size_t(v) && k < fn.instrs.size(); ++k) {
    const ir::Instr &in = fn.instrs[k];
    bool known = in.op != ir::Op::Input && in.op != ir::Op::Variable;
    for (ValueId operand : in.operands)
      known = known && compileTime[size_t(operand)];
    compileTime.push_back(known);
  }
  return size_t(v) < compileTime.size() && compileTime[size_t(v)];
}

ValueId Context::append(ir::Instr instr) {
  if (callSite)
    instr.range = *callSite;
  if (fn.instrs.size() >= limits.maxOperations && !tooLarge) {
    tooLarge = true;
    fail(DiagKind::TooManyOperations, instr.range, limits.maxOperations);
  }
  fn.instrs.push_back(std::move(instr));
  return ValueId(fn.instrs.size() - 1);
}

ValueId Context::op(ir::Op op, std::vector<ValueId> operands, TensorType type, SourceRange r) {
  ir::Instr in{op, std::move(type), std::move(operands), r};
  return append(std::move(in));
}

ValueId Context::constant(Array value, SourceRange r) {
  TensorType type{value.dtype, {}};
  for (int64_t d : value.shape)
    type.shape.push_back(d);
  ir::Instr in{ir::Op::Constant,
               std::move(type),
               {},
               r,
               ir::ValueAttrs{std::make_shared<const Array>(std::move(value))}};
  return append(std::move(in));
}

ValueId Context::scalar(DType type, double value, SourceRange r) {
  Array a = makeArray(type, {});
  storeFloat(a, 0, value);
  return constant(std::move(a), r);
}

ValueId Context::scalarInt(DType type, int64_t value, SourceRange r) {
  Array a = makeArray(type, {});
  storeInt(a, 0, value);
  return constant(std::move(a), r);
}

ValueId Context::cast(ValueId v, DType to, SourceRange r) {
  const TensorType &t = typeOf(v);
  if (t.dtype == to)
    return v;
  const ir::Instr &in = fn.instrs[v];
  // A cast of a scalar constant is folded, so `x * 2` prints as one constant of x's type.
  if (in.op == ir::Op::Constant && t.rank() == 0) {
    const Array &c = *in.get<ir::ValueAttrs>().value;
    // As the cast computes it: an integer goes to f32 in one rounding, and a u64 at or above
    // 2^63 is read unsigned (loadFloat, intToFloat).
    if (!isFloat(c.dtype) && to == DType::F32)
      return scalar(to, double(intToFloat(c.dtype, loadInt(c, 0))), r);
    return isFloat(c.dtype) || isFloat(to) ? scalar(to, loadFloat(c, 0), r)
                                           : scalarInt(to, loadInt(c, 0), r);
  }
  return op(ir::Op::Cast, {v}, {to, t.shape}, r);
}

ValueId Context::dimValue(const Dim &d, DType type, SourceRange r) {
  if (auto c = d.asConstant())
    return scalarInt(type, *c, r);
  ir::Instr in{ir::Op::DimValue, {type, {}}, {}, r, ir::SizeAttrs{d}};
  return append(std::move(in));
}

bool Context::checkShape(const Shape &shape, SourceRange r) {
  if (shape.size() > limits.maxRank + rankAllowance) {
    fail(DiagKind::RankTooLarge, r, shape.size(), limits.maxRank);
    return false;
  }
  for (const Dim &d : shape)
    if (d.isConstant() && d.constant() < 0) {
      fail(DiagKind::NegativeDim, r, d.constant());
      return false;
    }
  if (!elementCount(shape) ||
      (std::all_of(shape.begin(), shape.end(), [](const Dim &d) { return d.isConstant(); }) &&
       !knownElementCount(shape))) {
    fail(DiagKind::ShapeOverflow, r, shapeString(shape));
    return false;
  }
  return true;
}

std::optional<Shape> Context::broadcastShapes(const Shape &a, const Shape &b, SourceRange r) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const Dim *da = i < rank - a.size() ? nullptr : &a[i - (rank - a.size())];
    const Dim *db = i < rank - b.size() ? nullptr : &b[i - (rank - b.size())];
    if (!da || *da == Dim(1)) {
      out[i] = db ? *db : *da;
    } else if (!db || *db == Dim(1) || *da == *db) {
      out[i] = *da;
    } else if (da->isConstant() && db->isConstant()) {
      std::string label = fmt::format("dimension {} is {} on the left and {} on the right",
                                      int64_t(i) - int64_t(rank), da->str(), db->str());
      failWithLabel(label, DiagKind::BroadcastMismatch, r, shapeString(a), shapeString(b));
      return std::nullopt;
    } else {
      // A symbol against a number or another symbol: the known one (or the left symbol)
      // wins and the other is checked at run time to equal it or be 1.
      out[i] = da->isConstant() ? *da : db->isConstant() ? *db : *da;
    }
  }
  if (!checkShape(out, r))
    return std::nullopt;
  return out;
}

std::optional<int64_t> Context::normalizeAxis(int64_t axis, size_t rank, SourceRange r) {
  int64_t n = int64_t(rank);
  if (axis < -n || axis >= n || (n == 0 && axis == 0)) {
    std::string valid =
        n == 0 ? "a 0-d tensor has no axes" : fmt::format("valid axes are {}..{}", -n, n - 1);
    failWithLabel(valid, DiagKind::AxisOutOfRange, r, axis, rank);
    return std::nullopt;
  }
  return axis < 0 ? axis + n : axis;
}

MaybeId Context::elementwise(ir::Op o, std::vector<ValueId> operands, SourceRange r) {
  Shape shape = typeOf(operands[0]).shape;
  for (size_t i = 1; i < operands.size(); ++i) {
    auto s = broadcastShapes(shape, typeOf(operands[i]).shape, r);
    if (!s)
      return std::nullopt;
    shape = std::move(*s);
  }
  bool select = o == ir::Op::Select;
  DType dtype = ir::categoryOf(o) == ir::OpCategory::Compare
                    ? DType::Bool
                    : typeOf(operands[select ? 1 : 0]).dtype;
  return op(o, std::move(operands), {dtype, std::move(shape)}, r);
}

MaybeId Context::unary(ir::Op o, ValueId v, SourceRange r) {
  bool predicate = o == ir::Op::IsNan || o == ir::Op::IsInf || o == ir::Op::IsFinite;
  TensorType t = typeOf(v);
  if (predicate)
    t.dtype = DType::Bool;
  return op(o, {v}, std::move(t), r);
}

ValueId Context::reduce(ir::Op o, ValueId v, std::vector<int64_t> axes, bool keepdims,
                        SourceRange r) {
  const TensorType &in = typeOf(v);
  TensorType out{in.dtype, {}};
  if (o == ir::Op::ArgMax || o == ir::Op::ArgMin)
    out.dtype = DType::I64;
  if (o == ir::Op::ReduceAny || o == ir::Op::ReduceAll)
    out.dtype = DType::Bool;
  for (size_t i = 0; i < in.rank(); ++i) {
    bool reduced = std::find(axes.begin(), axes.end(), int64_t(i)) != axes.end();
    if (!reduced)
      out.shape.push_back(in.shape[i]);
    else if (keepdims)
      out.shape.push_back(1);
  }
  ir::Instr instr{o, std::move(out), {v}, r, ir::ReduceAttrs{std::move(axes), keepdims}};
  return append(std::move(instr));
}

MaybeId Context::reshape(ValueId v, Shape shape, SourceRange r) {
  TensorType in = typeOf(v);
  if (!checkShape(shape, r))
    return std::nullopt;
  if (elementCount(in.shape) != elementCount(shape)) {
    fail(DiagKind::ReshapeMismatch, r, in.str(), shapeString(shape));
    return std::nullopt;
  }
  if (in.shape == shape)
    return v;
  return op(ir::Op::Reshape, {v}, {in.dtype, std::move(shape)}, r);
}

ValueId Context::transpose(ValueId v, std::vector<int64_t> perm, SourceRange r) {
  TensorType in = typeOf(v);
  bool identity = true;
  TensorType out{in.dtype, {}};
  for (size_t i = 0; i < perm.size(); ++i) {
    out.shape.push_back(in.shape[size_t(perm[i])]);
    identity = identity && perm[i] == int64_t(i);
  }
  if (identity)
    return v;
  ir::Instr instr{ir::Op::Transpose, std::move(out), {v}, r, ir::PermutationAttrs{std::move(perm)}};
  return append(std::move(instr));
}

MaybeId Context::broadcastTo(ValueId v, const Shape &shape, SourceRange r) {
  TensorType in = typeOf(v);
  auto joined = broadcastShapes(in.shape, shape, r);
  if (!joined)
    return std::nullopt;
  if (*joined != shape) {
    fail(DiagKind::BroadcastMismatch, r, shapeString(in.shape), shapeString(shape));
    return std::nullopt;
  }
  if (in.shape == shape)
    return v;
  return op(ir::Op::Broadcast, {v}, {in.dtype, shape}, r);
}

ValueId Context::slice(ValueId v, std::vector<Dim> begins, std::vector<int64_t> steps, Shape shape,
                       SourceRange r) {
  TensorType in = typeOf(v);
  bool identity = in.shape == shape;
  for (size_t i = 0; i < begins.size(); ++i)
    identity = identity && begins[i] == Dim(0) && steps[i] == 1;
  if (identity)
    return v;
  ir::Instr instr{ir::Op::Slice,
                  {in.dtype, std::move(shape)},
                  {v},
                  r,
                  ir::WindowAttrs{std::move(begins), std::move(steps)}};
  return append(std::move(instr));
}

MaybeId Context::concat(const std::vector<ValueId> &values, int64_t axis, SourceRange r,
                        std::string_view verb) {
  TensorType first = typeOf(values[0]);
  Dim total = 0;
  for (ValueId v : values) {
    const TensorType &t = typeOf(v);
    bool same = t.rank() == first.rank();
    for (size_t i = 0; same && i < t.rank(); ++i)
      if (int64_t(i) != axis && !(t.shape[i] == first.shape[i]) && t.shape[i].isConstant() &&
          first.shape[i].isConstant())
        same = false;
    if (!same) {
      fail(DiagKind::ConcatMismatch, r, verb, first.str(), t.str(),
           fmt::format(" along axis {}", axis));
      return std::nullopt;
    }
    auto sum = Dim::add(total, t.shape[size_t(axis)]);
    if (!sum) {
      fail(DiagKind::ShapeOverflow, r, "concatenated size");
      return std::nullopt;
    }
    total = *sum;
  }
  if (values.size() == 1)
    return values[0];
  first.shape[size_t(axis)] = total;
  if (!checkShape(first.shape, r))
    return std::nullopt;
  ir::Instr instr{ir::Op::Concat, std::move(first), values, r, ir::AxisAttrs{axis}};
  return append(std::move(instr));
}

ValueId Context::iota(Shape shape, int64_t axis, DType type, SourceRange r) {
  ir::Instr instr{ir::Op::Iota, {type, std::move(shape)}, {}, r, ir::AxisAttrs{axis}};
  return append(std::move(instr));
}

MaybeId Context::matmul(ValueId a, ValueId b, SourceRange r) {
  const TensorType ta = typeOf(a), tb = typeOf(b);
  const Dim &k1 = ta.shape[ta.rank() - 1], &k2 = tb.shape[tb.rank() - 2];
  if (!(k1 == k2) && k1.isConstant() && k2.isConstant()) {
    failWithLabel(fmt::format("{} columns against {} rows", k1.str(), k2.str()),
                  DiagKind::MatMulMismatch, r, ta.str(), tb.str());
    return std::nullopt;
  }
  Shape batchA(ta.shape.begin(), ta.shape.end() - 2), batchB(tb.shape.begin(), tb.shape.end() - 2);
  auto batch = broadcastShapes(batchA, batchB, r);
  if (!batch)
    return std::nullopt;
  batch->push_back(ta.shape[ta.rank() - 2]);
  batch->push_back(tb.shape[tb.rank() - 1]);
  if (!checkShape(*batch, r))
    return std::nullopt;
  return op(ir::Op::MatMul, {a, b}, {ta.dtype, std::move(*batch)}, r);
}

} // namespace lamina::sema
