#include "compiler/sema/Operators.h"

#include "compiler/ir/ScalarOps.h"
#include "compiler/sema/Random.h"
#include "compiler/types/Elements.h"

#include <cmath>
#include <fmt/format.h>
#include <functional>

namespace lamina::sema {
namespace {

using ast::BinaryOp;
using K = Value::Kind;

ir::Op irOp(BinaryOp op) {
  switch (op) {
  case BinaryOp::Add:
    return ir::Op::Add;
  case BinaryOp::Sub:
    return ir::Op::Sub;
  case BinaryOp::Mul:
    return ir::Op::Mul;
  case BinaryOp::Div:
    return ir::Op::Div;
  case BinaryOp::FloorDiv:
    return ir::Op::FloorDiv;
  case BinaryOp::Mod:
    return ir::Op::Mod;
  case BinaryOp::Pow:
    return ir::Op::Pow;
  case BinaryOp::And:
  case BinaryOp::BitAnd:
    return ir::Op::And;
  case BinaryOp::Or:
  case BinaryOp::BitOr:
    return ir::Op::Or;
  case BinaryOp::BitXor:
    return ir::Op::Xor;
  case BinaryOp::LShift:
    return ir::Op::Shl;
  case BinaryOp::RShift:
    return ir::Op::Shr;
  case BinaryOp::MatMul:
    break;
  }
  return ir::Op::MatMul;
}

ir::Op irOp(ast::CompareOp op) {
  switch (op) {
  case ast::CompareOp::Lt:
    return ir::Op::Lt;
  case ast::CompareOp::Gt:
    return ir::Op::Gt;
  case ast::CompareOp::Eq:
    return ir::Op::Eq;
  case ast::CompareOp::Ne:
    return ir::Op::Ne;
  case ast::CompareOp::Le:
    return ir::Op::Le;
  case ast::CompareOp::Ge:
  case ast::CompareOp::Is: // decided at compile time (compareOp); never reaches the IR
  case ast::CompareOp::IsNot:
    break;
  }
  return ir::Op::Ge;
}

double asDouble(const Value &v) { return v.kind == K::Float ? v.f : double(v.i.constant()); }

double floorMod(double a, double b) {
  double m = std::fmod(a, b);
  if (m != 0 && ((m < 0) != (b < 0)))
    m += b;
  return m;
}

// Python's int operators on compile-time values; symbolic sizes allow + - * and exact //.
Value intArithmetic(Context &ctx, BinaryOp op, const Value &a, const Value &b, SourceRange r) {
  std::optional<Dim> out;
  auto ca = a.i.asConstant(), cb = b.i.asConstant();
  switch (op) {
  case BinaryOp::Add:
    out = Dim::add(a.i, b.i);
    break;
  case BinaryOp::Sub:
    out = Dim::sub(a.i, b.i);
    break;
  case BinaryOp::Mul:
    out = Dim::mul(a.i, b.i);
    break;
  case BinaryOp::FloorDiv:
  case BinaryOp::Mod: {
    if (cb && *cb == 0)
      return ctx.fail(DiagKind::ConstantDivByZero, r);
    if (!ca || !cb) {
      if (op == BinaryOp::FloorDiv)
        if (auto exact = Dim::divExact(a.i, b.i))
          return Value::integer(*exact, r);
      return ctx.fail(DiagKind::NeedsKnownDim, r, fmt::format("`{}`", spelling(op)),
                      (ca ? b : a).i.str());
    }
    if (*ca == INT64_MIN && *cb == -1)
      return ctx.fail(DiagKind::ConstantOverflow, r);
    int64_t q = *ca / *cb, m = *ca % *cb;
    if (m != 0 && ((m < 0) != (*cb < 0)))
      --q, m += *cb;
    return Value::integer(op == BinaryOp::FloorDiv ? q : m, r);
  }
  case BinaryOp::Pow: {
    if (!ca || !cb)
      return ctx.fail(DiagKind::NeedsKnownDim, r, "`**`", (ca ? b : a).i.str());
    if (*cb < 0 && *ca == 0)
      return ctx.fail(DiagKind::ConstantDivByZero, r);
    if (*cb < 0)
      return Value::real(std::pow(double(*ca), double(*cb)), r);
    // Square-and-multiply: at most 64 steps however large the exponent (`1 ** 10**18`).
    int64_t result = 1, base = *ca;
    for (int64_t e = *cb; e > 0; e >>= 1) {
      if ((e & 1) && __builtin_mul_overflow(result, base, &result))
        return ctx.fail(DiagKind::ConstantOverflow, r);
      if (e > 1 && __builtin_mul_overflow(base, base, &base))
        return ctx.fail(DiagKind::ConstantOverflow, r);
    }
    return Value::integer(result, r);
  }
  case BinaryOp::BitAnd:
  case BinaryOp::BitOr:
  case BinaryOp::BitXor:
  case BinaryOp::LShift:
  case BinaryOp::RShift: {
    if (!ca || !cb)
      return ctx.fail(DiagKind::NeedsKnownDim, r, fmt::format("`{}`", spelling(op)),
                      (ca ? b : a).i.str());
    if (op == BinaryOp::BitAnd || op == BinaryOp::BitOr || op == BinaryOp::BitXor)
      return Value::integer(op == BinaryOp::BitAnd  ? *ca & *cb
                            : op == BinaryOp::BitOr ? *ca | *cb
                                                    : *ca ^ *cb,
                            r);
    if (*cb < 0)
      return ctx.fail(DiagKind::Unsupported, r, "a negative shift count",
                      "Python raises ValueError for it");
    if (op == BinaryOp::RShift) // Python's ints are unbounded: shifting far out leaves the sign
      return Value::integer(*ca >> std::min<int64_t>(*cb, 63), r);
    if (*ca != 0 && (*cb >= 63 || (*ca << *cb) >> *cb != *ca))
      return ctx.fail(DiagKind::ConstantOverflow, r);
    return Value::integer(*ca << *cb, r);
  }
  default:
    break;
  }
  if (!out)
    return ctx.fail(DiagKind::ConstantOverflow, r);
  return Value::integer(*out, r);
}

Value floatArithmetic(Context &ctx, BinaryOp op, double a, double b, SourceRange r) {
  switch (op) {
  case BinaryOp::Add:
    return Value::real(a + b, r);
  case BinaryOp::Sub:
    return Value::real(a - b, r);
  case BinaryOp::Mul:
    return Value::real(a * b, r);
  case BinaryOp::Div:
    if (b == 0)
      return ctx.fail(DiagKind::ConstantDivByZero, r);
    return Value::real(a / b, r);
  case BinaryOp::FloorDiv: {
    if (b == 0)
      return ctx.fail(DiagKind::ConstantDivByZero, r);
    // Python's divmod, as the IR's `//`: 1.0 // 0.1 is 9.0, not floor(1.0 / 0.1) = 10.
    double mod = std::fmod(a, b), div = (a - mod) / b;
    if (mod != 0 && ((b < 0) != (mod < 0)))
      div -= 1.0;
    if (div == 0)
      return Value::real(std::copysign(0.0, a / b), r);
    double floorDiv = std::floor(div);
    return Value::real(div - floorDiv > 0.5 ? floorDiv + 1.0 : floorDiv, r);
  }
  case BinaryOp::Mod:
    if (b == 0)
      return ctx.fail(DiagKind::ConstantDivByZero, r);
    return Value::real(floorMod(a, b), r);
  case BinaryOp::Pow:
    return Value::real(std::pow(a, b), r);
  default:
    return ctx.fail(DiagKind::WrongKind, r, fmt::format("`{}` operands", spelling(op)), "tensors",
                    "numbers");
  }
}

// `a + b` on lists and tuples concatenates; `s * 2` repeats (Python's meaning, used to build
// shapes: `s[:-1] + [2]`).
// Returns nothing when the operands are not a list operation (then they are tensors).
std::optional<Value> seqArithmetic(Context &ctx, BinaryOp op, const Value &a, const Value &b,
                                   SourceRange r) {
  if (op == BinaryOp::Add && a.isSeq() && b.isSeq()) {
    Value out = Value::seq(a.elements, a.isTuple, r);
    out.elements.insert(out.elements.end(), b.elements.begin(), b.elements.end());
    out.isShape = a.isShape && b.isShape;
    return out;
  }
  const Value &seq = a.isSeq() ? a : b, &count = a.isSeq() ? b : a;
  if (op == BinaryOp::Mul && count.kind == K::Int && count.i.isConstant()) {
    Value out = Value::seq({}, seq.isTuple, r);
    int64_t n = seq.elements.empty() ? 0 : count.i.constant(); // [] * n is [] at once
    int64_t total = 0;
    if (n > 0 && (__builtin_mul_overflow(int64_t(seq.elements.size()), n, &total) ||
                  total > ctx.limits.maxConstantElements))
      return ctx.fail(DiagKind::TooManyElements, r, "the list",
                      total > 0 ? std::to_string(total) : std::string("too many"),
                      ctx.limits.maxConstantElements);
    for (int64_t k = 0; k < n; ++k)
      out.elements.insert(out.elements.end(), seq.elements.begin(), seq.elements.end());
    return out;
  }
  return std::nullopt;
}

bool containsTensor(const Value &v) {
  if (v.kind == K::Tensor || v.kind == K::Init) // random samples are drawn as tensors
    return true;
  if (v.isSeq())
    for (const Value &e : v.elements)
      if (containsTensor(e))
        return true;
  return false;
}

// The weak kind of a number or a list of numbers; nothing for anything strong.
std::optional<WeakKind> weakKind(const Value &v) {
  switch (v.kind) {
  case K::Bool:
    return WeakKind::Bool;
  case K::Int:
    return WeakKind::Int;
  case K::Float:
    return WeakKind::Float;
  case K::Seq: {
    if (v.isShape)
      return WeakKind::Int;
    std::optional<WeakKind> out;
    for (const Value &e : v.elements) {
      auto k = weakKind(e);
      if (!k)
        return std::nullopt;
      out = out ? std::max(*out, *k) : *k;
    }
    return out ? out : WeakKind::Float;
  }
  default:
    return std::nullopt;
  }
}

bool isBitwise(BinaryOp op) {
  return op == BinaryOp::BitAnd || op == BinaryOp::BitOr || op == BinaryOp::BitXor ||
         op == BinaryOp::LShift || op == BinaryOp::RShift;
}

// NumPy's arithmetic on two bool tensors: `+` is or, `*` is and, `-` is refused, and `//`,
// `%`, `**` give int8; the rest keep bool or, like `/`, convert as for integers.
std::optional<std::pair<ir::Op, DType>> boolArithmetic(Context &ctx, ir::Op op,
                                                       std::string_view opName, SourceRange r) {
  switch (op) {
  case ir::Op::Add:
    return std::pair{ir::Op::Or, DType::Bool};
  case ir::Op::Mul:
    return std::pair{ir::Op::And, DType::Bool};
  case ir::Op::Sub:
    ctx.fail(DiagKind::BoolArithmetic, r, opName,
             "values (NumPy refuses it too; for xor write `^`)");
    return std::nullopt;
  case ir::Op::FloorDiv:
  case ir::Op::Mod:
  case ir::Op::Pow:
    return std::pair{op, DType::I8};
  default:
    return std::pair{op, DType::Bool};
  }
}

} // namespace

bool isTensorLike(const Value &v) {
  if (v.kind == K::Tensor || v.isNumber() || v.kind == K::Init)
    return true;
  if (!v.isSeq())
    return false;
  for (const Value &e : v.elements)
    if (!isTensorLike(e))
      return false;
  return true;
}

std::optional<DType> promoteValues(Context &ctx, const std::vector<Value> &values,
                                   std::string_view opName, bool arithmetic, SourceRange r) {
  std::optional<DType> strong, fromConstants; // tensors from the inputs; compile-time ones
  std::optional<WeakKind> weak;
  bool sawBool = false, sawNumber = false;
  for (const Value &v : values) {
    if (v.isError())
      return std::nullopt;
    if (v.kind == K::Init) { // random samples: a tensor of the initialiser's type
      strong = strong ? promote(*strong, v.initType.dtype) : v.initType.dtype;
      sawNumber = true;
      continue;
    }
    if (!isTensorLike(v)) {
      ctx.fail(DiagKind::ExpectedTensor, v.range, ctx.describe(v));
      return std::nullopt;
    }
    if (containsTensor(v)) {
      // A list holding tensors is stacked: its type is that of its elements.
      std::vector<Value> parts = v.isSeq() ? v.elements : std::vector<Value>{v};
      auto t = v.kind == K::Tensor ? std::optional<DType>(ctx.typeOf(v.tensor).dtype)
                                   : promoteValues(ctx, parts, opName, false, r);
      if (!t)
        return std::nullopt;
      std::optional<DType> &into =
          v.kind == K::Tensor && ctx.isCompileTime(v.tensor) ? fromConstants : strong;
      into = into ? promote(*into, *t) : *t;
      (*t == DType::Bool ? sawBool : sawNumber) = true;
    } else {
      WeakKind k = *weakKind(v);
      weak = weak ? std::max(*weak, k) : k;
      (k == WeakKind::Bool ? sawBool : sawNumber) = true;
    }
  }
  // A tensor computed at compile time (`np.arange(4) / 4`, `np.ones(3, 'float64')`) meeting
  // one from the inputs takes its dtype when its kind is no higher, as TensorFlow converts a
  // NumPy constant to the tensor's dtype; NumPy's own functions keep NumPy's promotion.
  if (fromConstants) {
    auto rank = [](DType t) { return t == DType::Bool ? 0 : isFloat(t) ? 2 : 1; };
    if (!strong)
      strong = fromConstants;
    else if (ctx.library == Library::NumPy || rank(*fromConstants) > rank(*strong))
      strong = promote(*strong, *fromConstants);
  }
  if (arithmetic && sawBool && !sawNumber) {
    ctx.fail(DiagKind::BoolArithmetic, r, opName, "values");
    return std::nullopt;
  }
  if (!strong) {
    if (!weak || *weak == WeakKind::Float)
      return kDefaultFloat;
    return *weak == WeakKind::Int ? DType::I64 : DType::Bool;
  }
  // NumPy 2 (NEP 50): an integer or bool array meeting a Python float is float64.
  if (weak == WeakKind::Float && !isFloat(*strong) && ctx.library == Library::NumPy)
    return DType::F64;
  return weak ? promoteWeak(*strong, *weak) : *strong;
}

MaybeId toTensor(Context &ctx, const Value &v, std::optional<DType> dtype) {
  switch (v.kind) {
  case K::Tensor:
    return dtype ? ctx.cast(v.tensor, *dtype, v.range) : v.tensor;
  case K::Bool:
    return ctx.scalarInt(dtype.value_or(DType::Bool), v.b, v.range);
  case K::Int: {
    // A size taken from a shape (`tf.shape(x)[1]`) is i32 as in TensorFlow.
    DType t = dtype.value_or(v.isShape ? DType::I32 : DType::I64);
    if (!v.i.isConstant())
      return ctx.dimValue(v.i, t, v.range);
    // A weak int takes the tensor's type, but never by wrapping (`u8 + 300`), as NumPy 2.
    if (!isFloat(t) && t != DType::Bool && !fitsIn(t, v.i.constant())) {
      ctx.fail(DiagKind::IntDoesNotFit, v.range, v.i.constant(), shortName(t));
      return std::nullopt;
    }
    return ctx.scalarInt(t, v.i.constant(), v.range);
  }
  case K::Float:
    return ctx.scalar(dtype.value_or(kDefaultFloat), v.f, v.range);
  case K::Seq:
    break;
  case K::Error:
    return std::nullopt;
  case K::Init: {
    MaybeId samples = drawSamples(ctx, v);
    return samples && dtype ? std::optional(ctx.cast(*samples, *dtype, v.range)) : samples;
  }
  default:
    ctx.fail(DiagKind::ExpectedTensor, v.range, ctx.describe(v));
    return std::nullopt;
  }
  if (!dtype) {
    dtype = v.isShape ? DType::I32 : promoteValues(ctx, {v}, "list", false, v.range);
    if (!dtype)
      return std::nullopt;
  }
  // A list of plain numbers becomes one constant; anything else is stacked element by
  // element (a shape with symbols, a list of tensors).
  std::vector<int64_t> shape;
  std::vector<const Value *> leaves;
  bool constantOnly = true;
  std::function<bool(const Value &, size_t)> walk = [&](const Value &e, size_t depth) {
    if (e.isSeq()) {
      if (depth == shape.size())
        shape.push_back(int64_t(e.elements.size()));
      else if (shape[depth] != int64_t(e.elements.size()))
        return false;
      for (const Value &x : e.elements)
        if (!walk(x, depth + 1))
          return false;
      return true;
    }
    if (depth != shape.size())
      return false;
    constantOnly = constantOnly && e.isNumber() && (e.kind != K::Int || e.i.isConstant());
    leaves.push_back(&e);
    return true;
  };
  bool rectangular = walk(v, 0);
  int64_t expected = 1;
  for (int64_t d : shape)
    expected *= d;
  rectangular = rectangular && expected == int64_t(leaves.size()); // `[1, [2, 3]]` is ragged
  if (constantOnly) {
    if (!rectangular) {
      ctx.fail(DiagKind::MixedList, v.range, "but its rows differ in length or depth");
      return std::nullopt;
    }
    if (int64_t(leaves.size()) > ctx.limits.maxConstantElements) {
      ctx.fail(DiagKind::TooManyElements, v.range, "the tensor literal", leaves.size(),
               ctx.limits.maxConstantElements);
      return std::nullopt;
    }
    Array a = makeArray(*dtype, shape);
    for (size_t i = 0; i < leaves.size(); ++i) {
      const Value &e = *leaves[i];
      if (e.kind == K::Float) {
        storeFloat(a, int64_t(i), e.f);
        continue;
      }
      int64_t value = e.kind == K::Bool ? e.b : e.i.constant();
      if (!isFloat(*dtype) && *dtype != DType::Bool && !fitsIn(*dtype, value)) {
        ctx.fail(DiagKind::IntDoesNotFit, e.range, value, shortName(*dtype));
        return std::nullopt;
      }
      storeInt(a, int64_t(i), value);
    }
    return ctx.constant(std::move(a), v.range);
  }
  if (v.elements.empty())
    return std::nullopt;
  std::vector<ValueId> parts;
  for (const Value &e : v.elements) {
    MaybeId t = ctx.tooLarge ? std::nullopt : toTensor(ctx, e, dtype); // `[x] * 10**6`
    if (!t)
      return std::nullopt;
    Shape expanded = ctx.typeOf(*t).shape;
    expanded.insert(expanded.begin(), Dim(1));
    MaybeId r = ctx.reshape(*t, expanded, e.range);
    if (!r)
      return std::nullopt;
    parts.push_back(*r);
  }
  return ctx.concat(parts, 0, v.range, "stack");
}

// A float operation on Python numbers is computed now, in double, and stays a weak Python
// float (as in JAX): `x * cos(3)` rounds cos(3) once, to x's dtype. Symbolic sizes and
// int-only arithmetic are left to the tensor path (and to Python's int rules before it).
static std::optional<Value> foldNumbers(ir::Op op, const std::vector<Value> &values,
                                        SourceRange r) {
  bool anyFloat = false;
  std::vector<double> x;
  for (const Value &v : values) {
    if (!v.isNumber() || v.isSeq() || (v.kind == K::Int && !v.i.isConstant()))
      return std::nullopt;
    anyFloat = anyFloat || v.kind == K::Float;
    x.push_back(v.kind == K::Bool ? double(v.b) : asDouble(v));
  }
  ir::OpCategory cat = ir::categoryOf(op);
  if (!anyFloat && !ir::takesFloatsOnly(op))
    return std::nullopt;
  if (cat == ir::OpCategory::Unary)
    return Value::real(ir::scalar::unaryFloat(op, x[0]), r);
  if (cat == ir::OpCategory::Compare)
    return Value::boolean(ir::scalar::compare(op, x[0], x[1]), r);
  if (cat == ir::OpCategory::Binary && ir::takesOperand(op, DType::F64))
    return Value::real(ir::scalar::binaryFloat(op, x[0], x[1]), r);
  return std::nullopt;
}

Value applyElementwise(Context &ctx, ir::Op op, const std::vector<Value> &values,
                       std::string_view opName, SourceRange r) {
  if (std::optional<Value> folded = foldNumbers(op, values, r))
    return *folded;
  bool select = op == ir::Op::Select;
  std::vector<Value> data(values.begin() + (select ? 1 : 0), values.end());
  std::optional<DType> dtype = promoteValues(ctx, data, opName, false, r);
  if (!dtype)
    return Value::error(r);
  if (*dtype == DType::Bool && ir::categoryOf(op) == ir::OpCategory::Binary) {
    auto rule = boolArithmetic(ctx, op, opName, r);
    if (!rule)
      return Value::error(r);
    std::tie(op, dtype) = *rule;
  }
  // NumPy and TensorFlow refuse integer powers with negative exponents rather than truncate
  // them to 0; an exponent known now is refused now.
  if (op == ir::Op::Pow && !isFloat(*dtype) && data[1].kind == K::Int && data[1].i.isConstant() &&
      data[1].i.constant() < 0)
    return ctx.failWithLabel("make the base a float: `cast(x, 'float32') ** -1`, or write `1 / x`",
                             DiagKind::NegativeIntegerPower, r, opName, shortName(*dtype),
                             data[1].i.constant());
  if (!ir::takesOperand(op, *dtype)) {
    if (ir::takesFloatsOnly(op)) // `/` and atan2 on integers: true division, as NumPy
      // (whose `divide` of any integers is float64; its other float functions, floatFor)
      dtype =
          op == ir::Op::Div && ctx.library == Library::NumPy ? DType::F64 : ctx.floatFor(*dtype);
    else if (*dtype == DType::Bool) // shifts: NumPy's int8
      dtype = DType::I8;
    else
      return ctx.fail(DiagKind::NeedsInteger, r, opName, shortName(*dtype));
  }
  std::vector<ValueId> operands;
  if (select) {
    MaybeId cond = toTensor(ctx, values[0]);
    if (!cond)
      return Value::error(r);
    if (ctx.typeOf(*cond).dtype != DType::Bool)
      return ctx.fail(DiagKind::WrongKind, values[0].range, "the condition", "bool",
                      ctx.describe(values[0]));
    operands.push_back(*cond);
  }
  for (const Value &v : data) {
    MaybeId t = toTensor(ctx, v, *dtype);
    if (!t)
      return Value::error(r);
    operands.push_back(*t);
  }
  MaybeId out = ctx.elementwise(op, std::move(operands), r);
  return out ? Value::ofTensor(*out, r) : Value::error(r);
}

Value applyLogical(Context &ctx, ir::Op op, const std::vector<Value> &values,
                   std::string_view opName, SourceRange r) {
  std::optional<DType> dtype = promoteValues(ctx, values, opName, false, r);
  if (!dtype)
    return Value::error(r);
  if (*dtype != DType::Bool)
    return ctx.fail(DiagKind::NeedsBool, r, opName, shortName(*dtype));
  return applyElementwise(ctx, op, values, opName, r);
}

Value applyFloatUnary(Context &ctx, ir::Op op, const Value &v, SourceRange r) {
  if (v.isError())
    return v;
  if (v.isNumber() && !v.isSeq() && !(v.kind == K::Int && !v.i.isConstant()))
    return Value::real(ir::scalar::unaryFloat(op, v.kind == K::Bool ? double(v.b) : asDouble(v)),
                       r);
  std::optional<DType> dtype = promoteValues(ctx, {v}, spelling(op), false, r);
  if (!dtype)
    return Value::error(r);
  MaybeId t = toTensor(ctx, v, ctx.floatFor(*dtype));
  if (!t)
    return Value::error(r);
  MaybeId out = ctx.unary(op, *t, r);
  return out ? Value::ofTensor(*out, r) : Value::error(r);
}

Value binaryOp(Context &ctx, BinaryOp op, const Value &a, const Value &b, SourceRange r) {
  if (a.isError() || b.isError())
    return Value::error(r);
  // Compile-time arithmetic: Python's rules on numbers, lists and shapes.
  // Python's list operations: two lists (or tuples) concatenate, whatever they hold
  // (`moments(x, [1]) + (norm,)`); a list of numbers times an int repeats.
  bool bothSeqs = a.isSeq() && b.isSeq() && op == BinaryOp::Add;
  if (bothSeqs || ((a.isSeq() || b.isSeq()) && !containsTensor(a) && !containsTensor(b) &&
                   (op == BinaryOp::Add || op == BinaryOp::Mul) &&
                   !(a.isSeq() && b.kind == K::Float) && !(b.isSeq() && a.kind == K::Float))) {
    if (std::optional<Value> out = seqArithmetic(ctx, op, a, b, r))
      return *out;
  }
  if (a.isNumber() && b.isNumber() && op != BinaryOp::And && op != BinaryOp::Or) {
    // Python: `&`, `|`, `^` of two bools is a bool; otherwise a bool is the int 0 or 1.
    if (a.kind == K::Bool && b.kind == K::Bool && isBitwise(op) && op != BinaryOp::LShift &&
        op != BinaryOp::RShift)
      return Value::boolean(op == BinaryOp::BitAnd  ? a.b && b.b
                            : op == BinaryOp::BitOr ? a.b || b.b
                                                    : a.b != b.b,
                            r);
    Value x = a.kind == K::Bool ? Value::integer(a.b, a.range) : a;
    Value y = b.kind == K::Bool ? Value::integer(b.b, b.range) : b;
    if (isBitwise(op) && (x.kind == K::Float || y.kind == K::Float))
      return ctx.fail(DiagKind::NeedsInteger, r, spelling(op), "float");
    if (x.kind == K::Int && y.kind == K::Int && op != BinaryOp::Div)
      return intArithmetic(ctx, op, x, y, r);
    bool symbolic =
        (x.kind == K::Int && !x.i.isConstant()) || (y.kind == K::Int && !y.i.isConstant());
    if (!symbolic && op != BinaryOp::MatMul)
      return floatArithmetic(ctx, op, asDouble(x), asDouble(y), r);
  }
  if (a.kind == K::Bool && b.kind == K::Bool)
    return Value::boolean(op == BinaryOp::And ? a.b && b.b : a.b || b.b, r);
  if (op == BinaryOp::And || op == BinaryOp::Or)
    return applyLogical(ctx, irOp(op), {a, b}, spelling(op), r);
  if (op == BinaryOp::MatMul) {
    MaybeId ta = toTensor(ctx, a), tb = toTensor(ctx, b);
    if (!ta || !tb)
      return Value::error(r);
    std::optional<DType> dtype = promoteValues(
        ctx, {Value::ofTensor(*ta, a.range), Value::ofTensor(*tb, b.range)}, "@", true, r);
    if (!dtype)
      return Value::error(r);
    ValueId x = ctx.cast(*ta, *dtype, r), y = ctx.cast(*tb, *dtype, r);
    Shape sx = ctx.typeOf(x).shape, sy = ctx.typeOf(y).shape;
    if (sx.empty() || sy.empty())
      return ctx.fail(DiagKind::RankMismatch, r, "`@`", "operands of rank 1 or more", 0);
    // NumPy: a vector on the left is a row, on the right a column; both are dropped after.
    bool vecA = sx.size() == 1, vecB = sy.size() == 1;
    if (vecA)
      sx.insert(sx.begin(), Dim(1));
    if (vecB)
      sy.push_back(Dim(1));
    MaybeId xx = ctx.reshape(x, sx, a.range), yy = ctx.reshape(y, sy, b.range);
    MaybeId m = xx && yy ? ctx.matmul(*xx, *yy, r) : std::nullopt;
    if (!m)
      return Value::error(r);
    Shape out = ctx.typeOf(*m).shape;
    if (vecB)
      out.erase(out.end() - 1);
    if (vecA)
      out.erase(out.end() - (vecB ? 1 : 2));
    MaybeId res = ctx.reshape(*m, out, r);
    return res ? Value::ofTensor(*res, r) : Value::error(r);
  }
  return applyElementwise(ctx, irOp(op), {a, b}, fmt::format("{}", spelling(op)), r);
}

// `is` and `is not`: identity, decided at compile time. Keras code asks `mask is None` and
// `training is True`; a tensor is never None, and two tensors are the same when they are one
// IR value.
static Value sameObject(Context &ctx, ast::CompareOp op, const Value &a, const Value &b,
                        SourceRange r) {
  bool same;
  if (a.kind == K::None || b.kind == K::None)
    same = a.kind == b.kind;
  else if (a.kind == K::Bool && b.kind == K::Bool)
    same = a.b == b.b;
  else if (a.kind == K::Tensor && b.kind == K::Tensor)
    same = a.tensor == b.tensor;
  else if (a.kind == K::Bool || b.kind == K::Bool)
    same = false;
  else
    return ctx.fail(
        DiagKind::Unsupported, r,
        fmt::format("`{}` between {} and {}", spelling(op), ctx.describe(a), ctx.describe(b)),
        "compare with None, True or False, or use `==`");
  return Value::boolean(same == (op == ast::CompareOp::Is), r);
}

Value compareOp(Context &ctx, ast::CompareOp op, const Value &a, const Value &b, SourceRange r) {
  if (a.isError() || b.isError())
    return Value::error(r);
  if (op == ast::CompareOp::Is || op == ast::CompareOp::IsNot)
    return sameObject(ctx, op, a, b, r);
  if (a.isNumber() && b.isNumber() && !(a.kind == K::Int && !a.i.isConstant()) &&
      !(b.kind == K::Int && !b.i.isConstant())) {
    double x = a.kind == K::Bool ? a.b : asDouble(a), y = b.kind == K::Bool ? b.b : asDouble(b);
    bool result = false;
    switch (op) {
    case ast::CompareOp::Lt:
      result = x < y;
      break;
    case ast::CompareOp::Gt:
      result = x > y;
      break;
    case ast::CompareOp::Eq:
      result = x == y;
      break;
    case ast::CompareOp::Ne:
      result = x != y;
      break;
    case ast::CompareOp::Le:
      result = x <= y;
      break;
    case ast::CompareOp::Ge:
      result = x >= y;
      break;
    case ast::CompareOp::Is:
    case ast::CompareOp::IsNot:
      break; // handled by sameObject()
    }
    return Value::boolean(result, r);
  }
  // `x.dtype == tf.float32`, `K.dtype(x) == 'float32'`: dtypes compare by meaning, so a
  // short and a long name of one dtype are equal; a string naming no dtype is unequal.
  if ((op == ast::CompareOp::Eq || op == ast::CompareOp::Ne) &&
      ((a.kind == K::DType && (b.kind == K::DType || b.kind == K::String)) ||
       (b.kind == K::DType && a.kind == K::String))) {
    auto dtypeOf = [](const Value &v) {
      return v.kind == K::DType ? std::optional<DType>(v.dtype) : parseDType(v.s);
    };
    bool equal = dtypeOf(a) == dtypeOf(b);
    return Value::boolean(equal == (op == ast::CompareOp::Eq), r);
  }
  if ((a.kind == K::String && b.kind == K::String) || a.kind == K::None || b.kind == K::None) {
    bool equal = a.kind == b.kind && a.s == b.s;
    if (op == ast::CompareOp::Eq || op == ast::CompareOp::Ne)
      return Value::boolean(equal == (op == ast::CompareOp::Eq), r);
  }
  return applyElementwise(ctx, irOp(op), {a, b}, spelling(op), r);
}

Value unaryOp(Context &ctx, ast::UnaryOp op, const Value &a, SourceRange r) {
  if (a.isError())
    return a;
  if (op == ast::UnaryOp::Not) {
    if (a.kind == K::Bool)
      return Value::boolean(!a.b, r);
    if (a.kind == K::None)
      return Value::boolean(true, r);
  } else if (a.isNumber()) {
    // Python: a bool is the int 0 or 1 here (`-True == -1`, `~True == -2`).
    Value x = a.kind == K::Bool ? Value::integer(a.b, a.range) : a;
    if (op == ast::UnaryOp::Pos) {
      x.range = r;
      return x;
    }
    if (x.kind == K::Float)
      return op == ast::UnaryOp::Neg ? Value::real(-x.f, r)
                                     : ctx.fail(DiagKind::NeedsInteger, r, "~", "float");
    // ~n is -n - 1, for symbolic sizes too.
    auto n = Dim::sub(Dim(0), x.i);
    if (n && op == ast::UnaryOp::Invert)
      n = Dim::sub(*n, Dim(1));
    return n ? Value::integer(*n, r) : ctx.fail(DiagKind::ConstantOverflow, r);
  }
  std::string_view name = op == ast::UnaryOp::Not ? "not" : spelling(op);
  if (op == ast::UnaryOp::Pos)
    return isTensorLike(a) ? a : ctx.fail(DiagKind::ExpectedTensor, r, ctx.describe(a));
  std::optional<DType> dtype = promoteValues(ctx, {a}, name, op == ast::UnaryOp::Neg, r);
  if (!dtype)
    return Value::error(r);
  MaybeId t = toTensor(ctx, a, *dtype);
  if (!t)
    return Value::error(r);
  MaybeId out;
  switch (op) {
  case ast::UnaryOp::Not:
    if (*dtype != DType::Bool)
      return ctx.fail(DiagKind::NeedsBool, r, name, shortName(*dtype));
    out = ctx.unary(ir::Op::Not, *t, r);
    break;
  case ast::UnaryOp::Neg:
    out = ctx.unary(ir::Op::Neg, *t, r);
    break;
  case ast::UnaryOp::Invert: {
    // NumPy's `~`: logical not on bool, every bit flipped on integers (xor with all ones).
    if (*dtype == DType::Bool) {
      out = ctx.unary(ir::Op::Not, *t, r);
      break;
    }
    if (isFloat(*dtype))
      return ctx.fail(DiagKind::NeedsInteger, r, name, shortName(*dtype));
    int64_t ones = kindOf(*dtype) == DTypeKind::Unsigned
                       ? int64_t(~uint64_t(0) >> (64 - 8 * byteSize(*dtype)))
                       : -1;
    MaybeId mask = ctx.scalarInt(*dtype, ones, r);
    out = mask ? ctx.elementwise(ir::Op::Xor, {*t, *mask}, r) : std::nullopt;
    break;
  }
  case ast::UnaryOp::Pos:
    break;
  }
  return out ? Value::ofTensor(*out, r) : Value::error(r);
}

} // namespace lamina::sema
