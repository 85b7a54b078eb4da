// Elementwise arithmetic with the interpreter's exact semantics (compiler/ir/Ir.h): no
// poison-producing forms (integer division by 0 or INT_MIN / -1 never reaches `sdiv`),
// NaN-propagating max/min (not maxnum), wrapping integers, NumPy's float floor division.

#include "compiler/codegen/Emitter.h"
#include "compiler/codegen/VectorMath.h"
#include "compiler/support/Unreachable.h"

#include <llvm/IR/Intrinsics.h>

namespace lamina::codegen {

using ir::Op;
using llvm::Value;
using llvm::Intrinsic::ID;

namespace {

// Bool's i1 lanes compare as unsigned too (true is 1, not -1).
bool isUnsignedType(DType t) { return isUnsigned(t) || t == DType::Bool; }

} // namespace

llvm::Value *Emitter::floatMax(bool isMax, llvm::Value *x, llvm::Value *y) {
  // max: (x >= y || isnan(x)) ? x : y -- NaN from either side wins, and max(-0.0, 0.0) is
  // -0.0, as the interpreter's `x >= y ? x : y`.
  Value *keep =
      b.CreateOr(isMax ? b.CreateFCmpOGE(x, y) : b.CreateFCmpOLE(x, y), b.CreateFCmpUNO(x, x));
  return b.CreateSelect(keep, x, y);
}

llvm::Value *Emitter::quietNaN(llvm::Value *v) {
  Value *nan = llvm::ConstantFP::getNaN(v->getType()); // quiet, no payload
  return b.CreateSelect(b.CreateFCmpUNO(v, v), nan, v);
}

llvm::Value *Emitter::trig(ir::Op op, llvm::Value *x) {
  // The fast reduction covers |x| below a limit; a vector with any lane beyond it (rare: an
  // angle of 2^18 radians for float, 2^51 for double) takes a slower exact path in a block of
  // its own, so the common case pays only one compare.
  bool isDouble = x->getType()->getScalarType()->isDoubleTy();
  MathOptions fast;
  fast.exactTrigF32 = false;
  double limit = isDouble ? 0x1p51 : kFastTrigLimit;
  Value *big = b.CreateFCmpUGE(b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x),
                               llvm::ConstantFP::get(x->getType(), limit));
  if (big->getType()->isVectorTy())
    big = b.CreateOrReduce(big);
  llvm::BasicBlock *before = b.GetInsertBlock();
  auto *slow = llvm::BasicBlock::Create(ctx, "trig.exact", fn);
  auto *join = llvm::BasicBlock::Create(ctx, "trig.join", fn);
  Value *quick = emitUnaryMath(b, op, x, fast);
  before = b.GetInsertBlock();
  b.CreateCondBr(big, slow, join);
  b.SetInsertPoint(slow);
  Value *exact;
  if (!isDouble) {
    exact = emitUnaryMath(b, op, x); // the table-driven reduction, exact for every float
  } else {
    // Double: libm's own reduction, one lane at a time (this block is cold).
    const char *name = op == Op::Sin ? "lamina_sin" : op == Op::Cos ? "lamina_cos" : "lamina_tan";
    llvm::Type *f64 = llvm::Type::getDoubleTy(ctx);
    llvm::FunctionCallee callee =
        module.getOrInsertFunction(name, llvm::FunctionType::get(f64, {f64}, false));
    if (auto *f = llvm::dyn_cast<llvm::Function>(callee.getCallee())) {
      f->setDoesNotThrow();
      f->setDoesNotAccessMemory();
    }
    if (x->getType()->isVectorTy()) {
      exact = llvm::PoisonValue::get(x->getType());
      for (unsigned l = 0; l < width; ++l)
        exact = b.CreateInsertElement(
            exact, b.CreateCall(callee, {b.CreateExtractElement(x, uint64_t(l))}), uint64_t(l));
    } else {
      exact = b.CreateCall(callee, {x});
    }
  }
  llvm::BasicBlock *slowEnd = b.GetInsertBlock();
  b.CreateBr(join);
  b.SetInsertPoint(join);
  llvm::PHINode *phi = b.CreatePHI(x->getType(), 2);
  phi->addIncoming(quick, before);
  phi->addIncoming(exact, slowEnd);
  return phi;
}

llvm::Value *Emitter::unary(const ir::Instr &in, DType from, llvm::Value *x) {
  DType t = in.type.dtype;
  auto intrinsic = [&](ID id) { return b.CreateUnaryIntrinsic(id, x); };
  switch (in.op) {
  case Op::Cast:
    return cast(from, t, x);
  case Op::IsNan:
    return b.CreateFCmpUNO(x, x);
  case Op::IsInf:
    return b.CreateFCmpOEQ(intrinsic(llvm::Intrinsic::fabs),
                           llvm::ConstantFP::getInfinity(x->getType()));
  case Op::IsFinite:
    return b.CreateFCmpOLT(intrinsic(llvm::Intrinsic::fabs),
                           llvm::ConstantFP::getInfinity(x->getType()));
  case Op::Not:
    return b.CreateICmpEQ(x, llvm::Constant::getNullValue(x->getType()));
  case Op::Neg:
  case Op::Abs:
  case Op::Sign:
  case Op::Sqrt:
  case Op::Exp:
  case Op::Expm1:
  case Op::Log:
  case Op::Log1p:
  case Op::Log2:
  case Op::Log10:
  case Op::Sin:
  case Op::Cos:
  case Op::Tan:
  case Op::Asin:
  case Op::Acos:
  case Op::Atan:
  case Op::Sinh:
  case Op::Cosh:
  case Op::Tanh:
  case Op::Asinh:
  case Op::Acosh:
  case Op::Atanh:
  case Op::Erf:
  case Op::Erfc:
  case Op::Floor:
  case Op::Ceil:
  case Op::Round:
  case Op::Trunc:
    return isFloat(t) ? unaryFloat(in.op, t, x) : unaryInt(in.op, t, x);
#define LAMINA_SKIP_UNARY
#include "compiler/ir/OpCases.inc"
    LAMINA_UNREACHABLE("not a unary operation");
  }
  LAMINA_UNREACHABLE("not an operation");
}

llvm::Value *Emitter::unaryFloat(ir::Op op, DType t, llvm::Value *x) {
  auto intrinsic = [&](ID id) { return b.CreateUnaryIntrinsic(id, x); };
  Value *r = nullptr;
  {
    switch (op) {
    case Op::Neg:
      r = b.CreateFNeg(x);
      break;
    case Op::Abs:
      r = intrinsic(llvm::Intrinsic::fabs);
      break;
    case Op::Sqrt:
      r = intrinsic(llvm::Intrinsic::sqrt);
      break;
    case Op::Floor:
      r = intrinsic(llvm::Intrinsic::floor);
      break;
    case Op::Ceil:
      r = intrinsic(llvm::Intrinsic::ceil);
      break;
    case Op::Trunc:
      r = intrinsic(llvm::Intrinsic::trunc);
      break;
    case Op::Round:
      r = intrinsic(llvm::Intrinsic::roundeven);
      break;
    case Op::Sign: {
      Value *zero = llvm::Constant::getNullValue(x->getType());
      Value *one = llvm::ConstantFP::get(x->getType(), 1.0);
      Value *minusOne = llvm::ConstantFP::get(x->getType(), -1.0);
      // NaN and zeros (with their sign) stay as they are.
      r = b.CreateSelect(b.CreateFCmpOGT(x, zero), one,
                         b.CreateSelect(b.CreateFCmpOLT(x, zero), minusOne, x));
      break;
    }
    case Op::Sin:
    case Op::Cos:
    case Op::Tan:
      r = trig(op, x);
      break;
    case Op::Exp:
    case Op::Expm1:
    case Op::Log:
    case Op::Log1p:
    case Op::Log2:
    case Op::Log10:
    case Op::Asin:
    case Op::Acos:
    case Op::Atan:
    case Op::Sinh:
    case Op::Cosh:
    case Op::Tanh:
    case Op::Asinh:
    case Op::Acosh:
    case Op::Atanh:
    case Op::Erf:
    case Op::Erfc:
      r = emitUnaryMath(b, op, x);
      break;
    case Op::Not:
    case Op::IsNan:
    case Op::IsInf:
    case Op::IsFinite:
    case Op::Cast:
      LAMINA_UNREACHABLE("unary() emits not, the float tests and casts itself");
#define LAMINA_SKIP_UNARY
#include "compiler/ir/OpCases.inc"
      LAMINA_UNREACHABLE("not a unary operation");
    }
  }
  return round(t, r);
}

// Integers; bool operands are computed as i64 0/1 and compared back (`!= 0`).
llvm::Value *Emitter::unaryInt(ir::Op op, DType t, llvm::Value *x) {
  Value *zero = llvm::Constant::getNullValue(x->getType());
  switch (op) {
  case Op::Neg:
    return t == DType::Bool ? x : b.CreateSub(zero, x);
  case Op::Abs:
    return isUnsignedType(t) ? x
                             : b.CreateSelect(b.CreateICmpSLT(x, zero), b.CreateSub(zero, x), x);
  case Op::Sign: {
    if (isUnsignedType(t))
      return b.CreateZExt(b.CreateICmpNE(x, zero), x->getType());
    Value *pos = b.CreateZExt(b.CreateICmpSGT(x, zero), x->getType());
    Value *neg = b.CreateZExt(b.CreateICmpSLT(x, zero), x->getType());
    return b.CreateSub(pos, neg);
  }
  case Op::Floor: // of an integer: the integer itself
  case Op::Ceil:
  case Op::Round:
  case Op::Trunc:
    return x;
#define LAMINA_FLOAT_ONLY_UNARY
#include "compiler/ir/FloatOnlyCases.inc"
    LAMINA_UNREACHABLE("a float-only operation on integers (the verifier refuses it)");
  case Op::Not:
  case Op::IsNan:
  case Op::IsInf:
  case Op::IsFinite:
  case Op::Cast:
    LAMINA_UNREACHABLE("unary() emits not, the float tests and casts itself");
#define LAMINA_SKIP_UNARY
#include "compiler/ir/OpCases.inc"
    LAMINA_UNREACHABLE("not a unary operation");
  }
  LAMINA_UNREACHABLE("not an operation");
}

namespace {

// NumPy's float floor division and remainder (npy_divmod), in double, as the interpreter.
Value *floatFloorDiv(llvm::IRBuilder<> &b, Value *x, Value *y) {
  llvm::Type *t = x->getType();
  Value *zero = llvm::Constant::getNullValue(t);
  Value *one = llvm::ConstantFP::get(t, 1.0), *half = llvm::ConstantFP::get(t, 0.5);
  Value *mod = b.CreateFRem(x, y);
  Value *div = b.CreateFDiv(b.CreateFSub(x, mod), y);
  Value *signsDiffer = b.CreateXor(b.CreateFCmpOLT(y, zero), b.CreateFCmpOLT(mod, zero));
  Value *adjust = b.CreateAnd(b.CreateFCmpONE(mod, zero), signsDiffer);
  div = b.CreateSelect(adjust, b.CreateFSub(div, one), div);
  Value *floor = b.CreateUnaryIntrinsic(llvm::Intrinsic::floor, div);
  floor = b.CreateSelect(b.CreateFCmpOGT(b.CreateFSub(div, floor), half), b.CreateFAdd(floor, one),
                         floor);
  Value *quotient = b.CreateFDiv(x, y);
  Value *signedZero = b.CreateBinaryIntrinsic(llvm::Intrinsic::copysign, zero, quotient);
  Value *result = b.CreateSelect(b.CreateFCmpOEQ(div, zero), signedZero, floor);
  return b.CreateSelect(b.CreateFCmpOEQ(y, zero), quotient, result);
}

Value *floatMod(llvm::IRBuilder<> &b, Value *x, Value *y) {
  llvm::Type *t = x->getType();
  Value *zero = llvm::Constant::getNullValue(t);
  Value *mod = b.CreateFRem(x, y);
  Value *signsDiffer = b.CreateXor(b.CreateFCmpOLT(y, zero), b.CreateFCmpOLT(mod, zero));
  Value *adjusted = b.CreateSelect(signsDiffer, b.CreateFAdd(mod, y), mod);
  Value *signedZero = b.CreateBinaryIntrinsic(llvm::Intrinsic::copysign, zero, y);
  Value *result = b.CreateSelect(b.CreateFCmpUNE(mod, zero), adjusted, signedZero);
  return b.CreateSelect(b.CreateFCmpOEQ(y, zero), mod, result);
}

// Integer floor division and remainder: x // 0 and x % 0 are 0, INT_MIN // -1 wraps; the
// divisor reaching sdiv/srem is never 0 or -1, so no lane can trap or be poison.
Value *intDivMod(llvm::IRBuilder<> &b, bool isDiv, bool isUnsigned, Value *x, Value *y) {
  llvm::Type *t = x->getType();
  Value *zero = llvm::Constant::getNullValue(t), *one = llvm::ConstantInt::get(t, 1);
  Value *minusOne = llvm::ConstantInt::getSigned(t, -1);
  if (isUnsigned) {
    Value *isZero = b.CreateICmpEQ(y, zero);
    Value *safe = b.CreateSelect(isZero, one, y);
    Value *r = isDiv ? b.CreateUDiv(x, safe) : b.CreateURem(x, safe);
    return b.CreateSelect(isZero, zero, r);
  }
  Value *isZero = b.CreateICmpEQ(y, zero), *isMinusOne = b.CreateICmpEQ(y, minusOne);
  Value *safe = b.CreateSelect(b.CreateOr(isZero, isMinusOne), one, y);
  Value *q = b.CreateSDiv(x, safe), *r = b.CreateSRem(x, safe);
  Value *signsDiffer = b.CreateXor(b.CreateICmpSLT(r, zero), b.CreateICmpSLT(safe, zero));
  Value *adjust = b.CreateAnd(b.CreateICmpNE(r, zero), signsDiffer);
  if (isDiv) {
    Value *floorQ = b.CreateSelect(adjust, b.CreateSub(q, one), q);
    return b.CreateSelect(isZero, zero, b.CreateSelect(isMinusOne, b.CreateSub(zero, x), floorQ));
  }
  Value *floorR = b.CreateSelect(adjust, b.CreateAdd(r, safe), r);
  return b.CreateSelect(b.CreateOr(isZero, isMinusOne), zero, floorR);
}

// Integer power by squaring, unrolled over every bit the exponent can have; a negative
// exponent gives 0 except for bases 1 and -1.
Value *intPow(llvm::IRBuilder<> &b, bool isUnsigned, Value *x, Value *y) {
  llvm::Type *t = x->getType();
  unsigned bits = t->getScalarSizeInBits();
  Value *zero = llvm::Constant::getNullValue(t), *one = llvm::ConstantInt::get(t, 1);
  Value *result = one, *base = x, *e = y;
  for (unsigned k = 0; k + (isUnsigned ? 0 : 1) < bits; ++k) {
    Value *bit = b.CreateICmpNE(b.CreateAnd(e, one), zero);
    result = b.CreateSelect(bit, b.CreateMul(result, base), result);
    base = b.CreateMul(base, base);
    e = b.CreateLShr(e, one);
  }
  if (isUnsigned)
    return result;
  Value *minusOne = llvm::ConstantInt::getSigned(t, -1);
  Value *odd = b.CreateICmpNE(b.CreateAnd(y, one), zero);
  Value *negative = b.CreateSelect(
      b.CreateICmpEQ(x, one), one,
      b.CreateSelect(b.CreateICmpEQ(x, minusOne), b.CreateSelect(odd, minusOne, one), zero));
  return b.CreateSelect(b.CreateICmpSLT(y, zero), negative, result);
}

} // namespace

llvm::Value *Emitter::binary(ir::Op op, DType t, llvm::Value *x, llvm::Value *y) {
  if (isFloat(t)) {
    Value *r = nullptr;
    switch (op) {
    case Op::Add:
      r = b.CreateFAdd(x, y);
      break;
    case Op::Sub:
      r = b.CreateFSub(x, y);
      break;
    case Op::Mul:
      r = b.CreateFMul(x, y);
      break;
    case Op::Div:
      r = b.CreateFDiv(x, y);
      break;
    case Op::Max:
    case Op::Min:
      // Picks an operand (no rounding needed); a NaN comes out as the default quiet NaN, as
      // the interpreter's (a signalling one would make pow(max(sNaN, 1), 0) NaN, not 1).
      return quietNaN(floatMax(op == Op::Max, x, y));
    case Op::FloorDiv:
    case Op::Mod: {
      // In double, exactly as the interpreter computes it, then rounded once.
      llvm::Type *f64 = lanes(llvm::Type::getDoubleTy(ctx));
      Value *dx = t == DType::F64 ? x : b.CreateFPExt(x, f64);
      Value *dy = t == DType::F64 ? y : b.CreateFPExt(y, f64);
      Value *d = op == Op::FloorDiv ? floatFloorDiv(b, dx, dy) : floatMod(b, dx, dy);
      return roundFromDouble(t, d);
    }
    case Op::And:
    case Op::Or:
    case Op::Xor:
    case Op::Shl:
    case Op::Shr:
      LAMINA_UNREACHABLE("a bitwise operation on floats (the verifier refuses it)");
#define LAMINA_SKIP_BINARY
#include "compiler/ir/OpCases.inc"
      LAMINA_UNREACHABLE("not a binary operation");
    case Op::Pow:
    case Op::Atan2:
      r = emitBinaryMath(b, op, x, y);
      if (op == Op::Pow && t == DType::F64) {
        // A signalling NaN operand gives NaN, as glibc's pow (even pow(sNaN, 0) and
        // pow(1, sNaN), which C leaves to the implementation); a float operand widened to
        // double is already quiet.
        auto isSignalling = [&](Value *v) {
          llvm::Type *i64 = lanes(llvm::Type::getInt64Ty(ctx));
          Value *bits = b.CreateBitCast(v, i64);
          Value *quietBit = llvm::ConstantInt::get(i64, uint64_t(1) << 51);
          return b.CreateAnd(
              b.CreateFCmpUNO(v, v),
              b.CreateICmpEQ(b.CreateAnd(bits, quietBit), llvm::Constant::getNullValue(i64)));
        };
        r = b.CreateSelect(b.CreateOr(isSignalling(x), isSignalling(y)), b.CreateFAdd(x, y), r);
      }
      break;
    }
    return round(t, r);
  }
  if (t == DType::Bool) {
    // Bool arithmetic is the integer result compared with 0, as the interpreter wraps it.
    llvm::Type *i64 = lanes(llvm::Type::getInt64Ty(ctx));
    Value *r = binary(op, DType::I64, b.CreateZExt(x, i64), b.CreateZExt(y, i64));
    return b.CreateICmpNE(r, llvm::Constant::getNullValue(i64));
  }
  bool isUnsigned = isUnsignedType(t);
  switch (op) {
  case Op::Add:
    return b.CreateAdd(x, y);
  case Op::Sub:
    return b.CreateSub(x, y);
  case Op::Mul:
    return b.CreateMul(x, y);
  case Op::FloorDiv:
  case Op::Mod:
    return intDivMod(b, op == Op::FloorDiv, isUnsigned, x, y);
  case Op::Pow:
    return intPow(b, isUnsigned, x, y);
  case Op::Max:
    return b.CreateBinaryIntrinsic(isUnsigned ? llvm::Intrinsic::umax : llvm::Intrinsic::smax, x,
                                   y);
  case Op::Min:
    return b.CreateBinaryIntrinsic(isUnsigned ? llvm::Intrinsic::umin : llvm::Intrinsic::smin, x,
                                   y);
  case Op::And:
    return b.CreateAnd(x, y);
  case Op::Or:
    return b.CreateOr(x, y);
  case Op::Xor:
    return b.CreateXor(x, y);
  case Op::Shl:
  case Op::Shr: {
    // NumPy's shifts: a count outside [0, width) (compared unsigned, so negative ones too)
    // shifts every bit out, leaving 0, or -1 for a negative signed value shifted right. LLVM
    // leaves such counts undefined, so the count is clamped and the edge selected.
    unsigned bits = x->getType()->getScalarSizeInBits();
    Value *limit = llvm::ConstantInt::get(x->getType(), bits - 1);
    Value *count = b.CreateBinaryIntrinsic(llvm::Intrinsic::umin, y, limit);
    Value *inRange = b.CreateICmpULE(y, limit);
    if (op == Op::Shr && !isUnsigned)
      return b.CreateAShr(x, count);
    Value *shifted = op == Op::Shl ? b.CreateShl(x, count) : b.CreateLShr(x, count);
    return b.CreateSelect(inRange, shifted, llvm::Constant::getNullValue(x->getType()));
  }
#define LAMINA_FLOAT_ONLY_BINARY
#include "compiler/ir/FloatOnlyCases.inc"
    LAMINA_UNREACHABLE("a float-only operation on integers (the verifier refuses it)");
#define LAMINA_SKIP_BINARY
#include "compiler/ir/OpCases.inc"
    LAMINA_UNREACHABLE("not a binary operation");
  }
  LAMINA_UNREACHABLE("not an operation");
}

llvm::Value *Emitter::compare(ir::Op op, DType t, llvm::Value *x, llvm::Value *y) {
  using P = llvm::CmpInst::Predicate;
  if (isFloat(t)) {
    // Ordered comparisons are false with NaN; `ne` is unordered: true with NaN.
    static constexpr P kFloat[] = {P::FCMP_OEQ, P::FCMP_UNE, P::FCMP_OLT,
                                   P::FCMP_OLE, P::FCMP_OGT, P::FCMP_OGE};
    return b.CreateFCmp(kFloat[size_t(op) - size_t(Op::Eq)], x, y);
  }
  static constexpr P kSigned[] = {P::ICMP_EQ,  P::ICMP_NE,  P::ICMP_SLT,
                                  P::ICMP_SLE, P::ICMP_SGT, P::ICMP_SGE};
  static constexpr P kUnsigned[] = {P::ICMP_EQ,  P::ICMP_NE,  P::ICMP_ULT,
                                    P::ICMP_ULE, P::ICMP_UGT, P::ICMP_UGE};
  const P *table = isUnsignedType(t) ? kUnsigned : kSigned;
  return b.CreateICmp(table[size_t(op) - size_t(Op::Eq)], x, y);
}

} // namespace lamina::codegen
