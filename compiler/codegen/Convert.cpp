// Types and conversions: storage <-> compute types, rounding f16/bf16 after each operation,
// casts with the interpreter's exact rules (float to int saturates, NaN is 0; to bool is != 0).

#include "compiler/codegen/Emitter.h"
#include "compiler/support/Unreachable.h"

#include "compiler/types/Elements.h"

#include <llvm/IR/Intrinsics.h>

namespace lamina::codegen {

using llvm::Type;
using llvm::Value;

llvm::Type *Emitter::storageType(DType t) const {
  switch (t) {
  case DType::Bool:
  case DType::I8:
  case DType::U8:
    return Type::getInt8Ty(ctx);
  case DType::I16:
  case DType::U16:
    return Type::getInt16Ty(ctx);
  case DType::I32:
  case DType::U32:
    return Type::getInt32Ty(ctx);
  case DType::I64:
  case DType::U64:
    return Type::getInt64Ty(ctx);
  case DType::F16:
    return Type::getHalfTy(ctx);
  case DType::BF16:
    return Type::getInt16Ty(ctx); // bit patterns: rounding is done here, not by LLVM
  case DType::F32:
    return Type::getFloatTy(ctx);
  case DType::F64:
    return Type::getDoubleTy(ctx);
  }
  return nullptr;
}

llvm::Type *Emitter::scalarComputeType(DType t) const {
  switch (t) {
  case DType::Bool:
    return Type::getInt1Ty(ctx);
  case DType::F16:
  case DType::BF16:
    return Type::getFloatTy(ctx);
  case DType::I8:
  case DType::U8:
  case DType::I16:
  case DType::U16:
  case DType::I32:
  case DType::U32:
  case DType::I64:
  case DType::U64:
  case DType::F32:
  case DType::F64:
    return storageType(t);
  }
  LAMINA_UNREACHABLE("not a dtype");
}

llvm::Type *Emitter::lanes(llvm::Type *scalar) const {
  return width == 1 ? scalar : llvm::FixedVectorType::get(scalar, width);
}

llvm::Type *Emitter::computeType(DType t) const { return lanes(scalarComputeType(t)); }

llvm::Value *Emitter::splat(llvm::Value *scalar) {
  if (width == 1 || scalar->getType()->isVectorTy())
    return scalar;
  return b.CreateVectorSplat(width, scalar);
}

llvm::Value *Emitter::constantOf(DType t, double value) {
  Type *s = scalarComputeType(t);
  Value *c = isFloat(t) ? llvm::ConstantFP::get(s, roundToFloat(t, value))
                        : llvm::ConstantInt::get(s, uint64_t(floatToInt(t, value)), true);
  return splat(c);
}

llvm::Value *Emitter::intConstant(DType t, int64_t value) {
  return splat(llvm::ConstantInt::get(scalarComputeType(t), uint64_t(wrapToInt(t, value)), true));
}

namespace {

// bf16 bits from float bits: round to nearest even; NaN stays a (quiet) NaN.
Value *floatToBF16Bits(llvm::IRBuilder<> &b, Value *f, Type *i32, Type *i16) {
  Value *x = b.CreateBitCast(f, i32);
  auto c = [&](uint32_t v) { return llvm::ConstantInt::get(i32, v); };
  Value *lsb = b.CreateAnd(b.CreateLShr(x, c(16)), c(1));
  Value *rounded = b.CreateLShr(b.CreateAdd(x, b.CreateAdd(lsb, c(0x7FFF))), c(16));
  Value *nan = b.CreateOr(b.CreateLShr(x, c(16)), c(0x40));
  Value *isNan = b.CreateICmpUGT(b.CreateAnd(x, c(0x7FFFFFFF)), c(0x7F800000));
  return b.CreateTrunc(b.CreateSelect(isNan, nan, rounded), i16);
}

Value *bf16BitsToFloat(llvm::IRBuilder<> &b, Value *h, Type *i32, Type *f32) {
  Value *x = b.CreateShl(b.CreateZExt(h, i32), llvm::ConstantInt::get(i32, 16));
  return b.CreateBitCast(x, f32);
}

} // namespace

llvm::Value *Emitter::fromStorage(DType t, llvm::Value *v) {
  Type *f32 = lanes(Type::getFloatTy(ctx)), *i32 = lanes(Type::getInt32Ty(ctx));
  switch (t) {
  case DType::Bool:
    return b.CreateICmpNE(v, llvm::Constant::getNullValue(v->getType()));
  case DType::F16:
    return b.CreateFPExt(v, f32);
  case DType::BF16:
    return bf16BitsToFloat(b, v, i32, f32);
  case DType::I8:
  case DType::U8:
  case DType::I16:
  case DType::U16:
  case DType::I32:
  case DType::U32:
  case DType::I64:
  case DType::U64:
  case DType::F32:
  case DType::F64:
    return v; // stored as computed
  }
  LAMINA_UNREACHABLE("not a dtype");
}

llvm::Value *Emitter::toStorage(DType t, llvm::Value *v) {
  switch (t) {
  case DType::Bool:
    return b.CreateZExt(v, lanes(Type::getInt8Ty(ctx)));
  case DType::F16:
    return b.CreateFPTrunc(v, lanes(Type::getHalfTy(ctx)));
  case DType::BF16:
    return floatToBF16Bits(b, v, lanes(Type::getInt32Ty(ctx)), lanes(Type::getInt16Ty(ctx)));
  case DType::I8:
  case DType::U8:
  case DType::I16:
  case DType::U16:
  case DType::I32:
  case DType::U32:
  case DType::I64:
  case DType::U64:
  case DType::F32:
  case DType::F64:
    return v; // stored as computed
  }
  LAMINA_UNREACHABLE("not a dtype");
}

llvm::Value *Emitter::round(DType t, llvm::Value *v) {
  if (t != DType::F16 && t != DType::BF16)
    return v;
  return fromStorage(t, toStorage(t, v));
}

llvm::Value *Emitter::roundFromDouble(DType t, llvm::Value *v) {
  Type *f32 = lanes(Type::getFloatTy(ctx));
  if (t == DType::F64)
    return v;
  if (t == DType::F32)
    return b.CreateFPTrunc(v, f32);
  // f16 and bf16: round to odd into float first (truncate, then set the last bit when
  // inexact); float's 24 bits are more than 2 beyond either format's, so the second rounding
  // gives the correctly rounded result, as the interpreter's one rounding from double does.
  Type *i32 = lanes(Type::getInt32Ty(ctx));
  Value *nearest = b.CreateFPTrunc(v, f32);
  Value *back = b.CreateFPExt(nearest, v->getType());
  Value *absBack = b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, back);
  Value *absV = b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, v);
  Value *bits = b.CreateBitCast(nearest, i32);
  Value *one = llvm::ConstantInt::get(i32, 1);
  Value *towardZero = b.CreateSelect(b.CreateFCmpOGT(absBack, absV), b.CreateSub(bits, one), bits);
  Value *inexact = b.CreateFCmpONE(back, v);
  Value *odd = b.CreateSelect(inexact, b.CreateOr(towardZero, one), bits);
  return round(t, b.CreateBitCast(odd, f32));
}

llvm::Value *Emitter::cast(DType from, DType to, llvm::Value *v) {
  Type *target = computeType(to);
  if (from == to)
    return v;
  if (isFloat(from) && isFloat(to)) {
    if (from == DType::F64)
      return roundFromDouble(to, v);
    if (to == DType::F64)
      return b.CreateFPExt(v, target); // exact
    return round(to, v); // from float's compute type: exact to f32, one rounding to f16/bf16 //
                         // float compute type to f16/bf16/f32, or to double (exact)
  }
  if (isFloat(from)) {
    if (to == DType::Bool) // NaN != 0 is true
      return b.CreateFCmpUNE(v, llvm::Constant::getNullValue(v->getType()));
    // Saturating, NaN to 0: exactly the interpreter's floatToInt (u64 up to 2^64 - 1).
    auto id = isUnsigned(to) ? llvm::Intrinsic::fptoui_sat : llvm::Intrinsic::fptosi_sat;
    return b.CreateIntrinsic(id, {target, v->getType()}, {v});
  }
  // Unsigned sources (and bool's i1) widen with zeros and convert to float as unsigned: a
  // u64 at or above 2^63 is a large number, not a negative one.
  bool fromUnsigned = isUnsigned(from) || from == DType::Bool;
  if (isFloat(to)) {
    if (to == DType::F32 || to == DType::F64)
      return fromUnsigned ? b.CreateUIToFP(v, target) : b.CreateSIToFP(v, target);
    // f16/bf16: the interpreter converts the integer to double, then rounds once.
    Type *f64 = lanes(Type::getDoubleTy(ctx));
    Value *d = fromUnsigned ? b.CreateUIToFP(v, f64) : b.CreateSIToFP(v, f64);
    return roundFromDouble(to, d);
  }
  if (to == DType::Bool)
    return b.CreateICmpNE(v, llvm::Constant::getNullValue(v->getType()));
  return fromUnsigned ? b.CreateZExtOrTrunc(v, target) : b.CreateSExtOrTrunc(v, target);
}

} // namespace lamina::codegen
