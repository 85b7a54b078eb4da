// The shape operations that need more than an affine index per axis: reshape (re-linearize),
// concat (pick a part per lane), pad (mirror or fill), gather (indices from a tensor). Every
// index that reaches a load is clamped into its axis, so a lane that is not selected still
// reads memory inside its buffer.

#include "compiler/codegen/Emitter.h"

#include <llvm/IR/Intrinsics.h>

namespace lamina::codegen {

using ir::Op;
using llvm::Value;

namespace {

bool isOne(const Dim &d) { return d.isConstant() && d.constant() == 1; }

} // namespace

llvm::Value *Emitter::reshapeOperandIndex(const ir::Instr &in, const Index &index, Index &out) {
  const Shape &from = plan.fn.typeOf(in.operands[0]).shape, &to = in.type.shape;
  out.assign(from.size(), AxisIndex{b.getInt64(0), 0, nullptr});
  // Only size-1 axes inserted or removed: every other axis keeps its index.
  {
    size_t r = 0;
    bool unit = true;
    std::vector<size_t> source(from.size(), SIZE_MAX);
    for (size_t j = 0; j < from.size() && unit; ++j) {
      if (isOne(from[j]))
        continue;
      while (r < to.size() && isOne(to[r]) && !(to[r] == from[j]))
        ++r;
      unit = r < to.size() && to[r] == from[j];
      source[j] = r++;
    }
    for (; unit && r < to.size(); ++r)
      unit = isOne(to[r]);
    if (unit) {
      for (size_t j = 0; j < from.size(); ++j)
        if (source[j] != SIZE_MAX)
          out[j] = index[source[j]];
      return nullptr;
    }
  }
  // Lanes along the result's last axis, from a multiple of the width, where the operand's last
  // axis is a whole number of vectors and the result's a whole number of operand rows (tile,
  // repeat of rows, flatten): every vector lies inside one operand row, so lane 0's index is
  // split as a scalar and the lanes step along the operand's last axis.
  {
    const AxisIndex &last = index.back();
    int64_t fromLast = from.empty() ? 0 : from.back().asConstant().value_or(0);
    int64_t toLast = to.empty() ? 0 : to.back().asConstant().value_or(0);
    bool lanesOnlyLast = width > 1 && !last.vec && last.stride == 1 && last.align % width == 0;
    for (size_t a = 0; a + 1 < index.size() && lanesOnlyLast; ++a)
      lanesOnlyLast = !index[a].vec && index[a].stride == 0;
    if (lanesOnlyLast && fromLast > 0 && toLast > 0 && fromLast % width == 0 &&
        toLast % fromLast == 0) {
      Value *linear = b.getInt64(0);
      for (size_t a = 0; a < to.size(); ++a)
        linear = b.CreateAdd(b.CreateMul(linear, dim(to[a])), index[a].base);
      for (size_t j = from.size(); j-- > 0;) {
        Value *size = dim(from[j]);
        out[j].base = b.CreateURem(linear, size);
        linear = b.CreateUDiv(linear, size);
      }
      out.back().stride = 1;
      out.back().align = width;
      return nullptr;
    }
  }
  // The longest common trailing run of equal sizes maps axis to axis; the leading axes are
  // linearized over the result's sizes and split over the operand's.
  size_t common = 0;
  while (common < from.size() && common < to.size() &&
         from[from.size() - 1 - common] == to[to.size() - 1 - common])
    ++common;
  for (size_t k = 0; k < common; ++k)
    out[from.size() - 1 - k] = index[to.size() - 1 - k];
  size_t toLead = to.size() - common, fromLead = from.size() - common;
  bool lanesInLead = false;
  for (size_t a = 0; a < toLead; ++a)
    lanesInLead = lanesInLead || index[a].vec || index[a].stride != 0;
  bool vector = lanesInLead && width > 1;
  auto c64 = [&](Value *s) { return vector ? b.CreateVectorSplat(width, s) : s; };
  Value *linear = c64(b.getInt64(0));
  for (size_t a = 0; a < toLead; ++a) {
    Value *i = vector ? laneVector(index[a]) : index[a].base;
    linear = b.CreateAdd(b.CreateMul(linear, c64(dim(to[a]))), i);
  }
  for (size_t j = fromLead; j-- > 0;) {
    Value *size = c64(dim(from[j]));
    Value *i = b.CreateURem(linear, size);
    linear = b.CreateUDiv(linear, size);
    if (vector) {
      out[j].vec = i;
      out[j].base = b.CreateExtractElement(i, uint64_t(0));
    } else {
      out[j].base = i;
    }
  }
  return nullptr;
}

llvm::Value *Emitter::concatElement(const ir::Instr &in, const Index &index) {
  size_t axis = size_t(in.get<ir::AxisAttrs>().axis);
  const AxisIndex &at = index[axis];
  Value *result = nullptr;
  Value *start = b.getInt64(0);
  for (size_t p = 0; p < in.operands.size(); ++p) {
    ir::ValueId part = in.operands[p];
    Value *size = dim(plan.fn.typeOf(part).shape[axis]);
    Value *last = b.CreateSub(size, b.getInt64(1));
    Index idx = index;
    // The position inside this part, clamped into it for lanes that belong to another part.
    auto clamp = [&](Value *i) {
      Value *lo =
          i->getType()->isVectorTy() ? b.CreateVectorSplat(width, b.getInt64(0)) : b.getInt64(0);
      Value *hi = i->getType()->isVectorTy() ? b.CreateVectorSplat(width, last) : last;
      return b.CreateBinaryIntrinsic(llvm::Intrinsic::smax,
                                     b.CreateBinaryIntrinsic(llvm::Intrinsic::smin, i, hi), lo);
    };
    Value *local = b.CreateSub(at.base, start);
    idx[axis].base = clamp(local);
    Value *inside;
    if (width > 1 && (at.vec || at.stride != 0)) {
      Value *lanesLocal = b.CreateSub(laneVector(at), b.CreateVectorSplat(width, start));
      idx[axis].vec = clamp(lanesLocal);
      idx[axis].stride = 0;
      inside = b.CreateICmpULT(lanesLocal, b.CreateVectorSplat(width, size));
    } else {
      inside = b.CreateICmpULT(local, size);
    }
    Value *value = element(part, idx);
    result = result ? b.CreateSelect(inside, value, result) : value;
    start = b.CreateAdd(start, size);
  }
  return result;
}

llvm::Value *Emitter::padElement(const ir::Instr &in, const Index &index) {
  const Shape &from = plan.fn.typeOf(in.operands[0]).shape;
  double fill = in.get<ir::PaddingAttrs>().value;
  // An empty operand has no element to read (clamping into [0, -1] would read past it):
  // every result element is padding. Sizes known at compile time decide here; a symbolic one
  // decides at run time, in a block that reads the operand only when it has elements.
  Value *empty = nullptr;
  for (const Dim &d : from) {
    if (auto c = d.asConstant()) {
      if (*c == 0)
        return constantOf(in.type.dtype, fill);
      continue;
    }
    Value *zero = b.CreateICmpEQ(dim(d), b.getInt64(0));
    empty = empty ? b.CreateOr(empty, zero) : zero;
  }
  if (empty) {
    llvm::BasicBlock *before = b.GetInsertBlock();
    auto *read = llvm::BasicBlock::Create(ctx, "pad.read", fn);
    auto *join = llvm::BasicBlock::Create(ctx, "pad.join", fn);
    b.CreateCondBr(empty, join, read);
    b.SetInsertPoint(read);
    Value *value = padElementNonEmpty(in, index);
    llvm::BasicBlock *readEnd = b.GetInsertBlock();
    b.CreateBr(join);
    b.SetInsertPoint(join);
    llvm::PHINode *phi = b.CreatePHI(value->getType(), 2);
    phi->addIncoming(constantOf(in.type.dtype, fill), before);
    phi->addIncoming(value, readEnd);
    // Values computed in the read block do not dominate what follows.
    memo_.clear();
    return phi;
  }
  return padElementNonEmpty(in, index);
}

llvm::Value *Emitter::padElementNonEmpty(const ir::Instr &in, const Index &index) {
  const Shape &from = plan.fn.typeOf(in.operands[0]).shape;
  const auto &[pads, mode, fill] = in.get<ir::PaddingAttrs>();
  Index idx(index.size());
  Value *inside = nullptr;
  for (size_t a = 0; a < index.size(); ++a) {
    bool vector = width > 1;
    auto c64 = [&](int64_t v) {
      Value *s = b.getInt64(uint64_t(v));
      return vector ? b.CreateVectorSplat(width, s) : s;
    };
    auto v64 = [&](Value *s) { return vector ? b.CreateVectorSplat(width, s) : s; };
    Value *n = v64(dim(from[a]));
    Value *p = b.CreateSub(vector ? laneVector(index[a]) : index[a].base, c64(pads[a].first));
    Value *below = b.CreateICmpSLT(p, c64(0)), *above = b.CreateICmpSGE(p, n);
    Value *ok = b.CreateNot(b.CreateOr(below, above));
    inside = inside ? b.CreateAnd(inside, ok) : ok;
    if (mode != ir::PadMode::Constant) {
      // Mirror at the edges: reflect skips the edge element, symmetric repeats it.
      bool reflect = mode == ir::PadMode::Reflect;
      Value *negP = b.CreateSub(c64(0), p);
      Value *low = reflect ? negP : b.CreateSub(negP, c64(1));
      Value *twice = b.CreateMul(n, c64(2));
      Value *high = reflect ? b.CreateSub(b.CreateSub(twice, c64(2)), p)
                            : b.CreateSub(b.CreateSub(twice, c64(1)), p);
      p = b.CreateSelect(below, low, b.CreateSelect(above, high, p));
    }
    Value *last = b.CreateSub(n, c64(1));
    p = b.CreateBinaryIntrinsic(llvm::Intrinsic::smax,
                                b.CreateBinaryIntrinsic(llvm::Intrinsic::smin, p, last), c64(0));
    if (vector) {
      idx[a].vec = p;
      idx[a].base = b.CreateExtractElement(p, uint64_t(0));
    } else {
      idx[a].base = p;
    }
  }
  Value *value = element(in.operands[0], idx);
  if (mode != ir::PadMode::Constant || !inside)
    return value;
  return b.CreateSelect(inside, value, constantOf(in.type.dtype, fill));
}

llvm::Value *Emitter::gatherElement(const ir::Instr &in, const Index &index) {
  // out[pre, i..., post] = data[pre, indices[i...], post], indices counted from the end when
  // negative and clamped into the axis.
  const Shape &data = plan.fn.typeOf(in.operands[0]).shape;
  const ir::Instr &indices = plan.fn.instrs[in.operands[1]];
  size_t axis = size_t(in.get<ir::AxisAttrs>().axis), irank = indices.type.rank();
  Index at(index.begin() + long(axis), index.begin() + long(axis + irank));
  // When the lanes run along another axis (a row of an embedding table), every lane reads the
  // same index: compute it once, as a scalar, so the rows are read with vector loads.
  bool lanesInIndices = false;
  for (const AxisIndex &a : at)
    lanesInIndices = lanesInIndices || a.vec || a.stride != 0;
  unsigned lanes = width;
  if (!lanesInIndices)
    width = 1;
  Value *j = cast(indices.type.dtype, DType::I64, element(in.operands[1], at));
  bool vector = width > 1;
  auto v64 = [&](Value *s) { return vector ? b.CreateVectorSplat(width, s) : s; };
  Value *n = v64(dim(data[axis]));
  Value *zero = v64(b.getInt64(0));
  j = b.CreateSelect(b.CreateICmpSLT(j, zero), b.CreateAdd(j, n), j);
  j = b.CreateBinaryIntrinsic(
      llvm::Intrinsic::smax,
      b.CreateBinaryIntrinsic(llvm::Intrinsic::smin, j, b.CreateSub(n, v64(b.getInt64(1)))), zero);
  Index idx(data.size());
  for (size_t a = 0; a < data.size(); ++a) {
    if (a < axis)
      idx[a] = index[a];
    else if (a > axis)
      idx[a] = index[a + irank - 1];
  }
  if (vector)
    idx[axis] = AxisIndex{b.CreateExtractElement(j, uint64_t(0)), 0, j};
  else
    idx[axis] = AxisIndex{j, 0, nullptr};
  width = lanes;
  return element(in.operands[0], idx);
}

} // namespace lamina::codegen
