// Elements: the value of any fused instruction at an index, for `width` lanes at once. Shape
// operations are index arithmetic here (no copies): broadcast drops or zeroes axes, transpose
// permutes them, slice scales and offsets them, reshape re-linearizes, concat/pad/gather
// select per lane from clamped (always in-bounds) indices.

#include "compiler/codegen/Emitter.h"
#include "compiler/support/Unreachable.h"

#include "compiler/types/Elements.h"

#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/MDBuilder.h>

#include <cstdlib>

namespace lamina::codegen {

using ir::Op;
using llvm::Value;
using transforms::Storage;

Emitter::Emitter(const transforms::KernelPlan &p, const KernelLayout &l, llvm::Function *f)
    : plan(p), layout(l), ctx(f->getContext()), module(*f->getParent()), fn(f), b(ctx),
      entry_(llvm::BasicBlock::Create(ctx, "entry", f)), entryBuilder_(entry_) {
  b.SetInsertPoint(llvm::BasicBlock::Create(ctx, "start", f));
}

void Emitter::finish() { entryBuilder_.CreateBr(entry_->getNextNode()); }

llvm::AllocaInst *Emitter::slot(llvm::Type *type, const char *name, uint64_t count) {
  llvm::IRBuilder<> at(entry_, entry_->begin());
  auto *a = at.CreateAlloca(type, count == 1 ? nullptr : at.getInt64(count), name);
  a->setAlignment(llvm::Align(64));
  return a;
}

llvm::Value *Emitter::rowBufferAddress(ir::ValueId v, const RowBuffer &buffer, const Index &index) {
  // The position inside the row: the trailing axes' part of the C-order offset.
  std::vector<Value *> st = strides(plan.fn.typeOf(v).shape);
  Value *offset = b.getInt64(0);
  for (size_t a = buffer.depth; a < index.size(); ++a)
    offset = b.CreateAdd(offset, b.CreateMul(index[a].base, st[a]));
  return b.CreateInBoundsGEP(scalarComputeType(plan.fn.typeOf(v).dtype), buffer.data, offset);
}

llvm::Value *Emitter::dim(const Dim &d) {
  std::string key = d.str();
  if (auto it = dims_.find(key); it != dims_.end())
    return it->second;
  // The polynomial over the symbol values (the runtime evaluated every shape with checked
  // arithmetic before calling, so nothing here can overflow).
  llvm::IRBuilder<> &e = entryBuilder_;
  Value *total = e.getInt64(0);
  for (const auto &[coeff, factors] : d.terms()) {
    Value *product = e.getInt64(uint64_t(coeff));
    for (const std::string &symbol : factors) {
      auto it = std::find(layout.symbols.begin(), layout.symbols.end(), symbol);
      Value *ptr = e.CreateConstInBoundsGEP1_64(e.getInt64Ty(), fn->getArg(1),
                                                uint64_t(it - layout.symbols.begin()));
      product = e.CreateMul(product, e.CreateLoad(e.getInt64Ty(), ptr, symbol));
    }
    total = e.CreateAdd(total, product);
  }
  dims_[key] = total;
  return total;
}

llvm::Value *Emitter::symbolAt(size_t slot) {
  std::string key = "#" + std::to_string(slot); // no symbol name starts with #
  if (auto it = dims_.find(key); it != dims_.end())
    return it->second;
  llvm::IRBuilder<> &e = entryBuilder_;
  Value *ptr = e.CreateConstInBoundsGEP1_64(e.getInt64Ty(), fn->getArg(1), uint64_t(slot));
  return dims_[key] = e.CreateLoad(e.getInt64Ty(), ptr, "chunk");
}

std::vector<llvm::Value *> Emitter::strides(const Shape &shape) {
  std::vector<Value *> s(shape.size());
  Value *running = entryBuilder_.getInt64(1);
  for (size_t a = shape.size(); a-- > 0;) {
    s[a] = running;
    if (a > 0)
      running = entryBuilder_.CreateMul(running, dim(shape[a]));
  }
  return s;
}

llvm::Value *Emitter::bufferPointer(size_t buffer) {
  if (auto it = buffers_.find(buffer); it != buffers_.end())
    return it->second;
  Value *slotPtr =
      entryBuilder_.CreateConstInBoundsGEP1_64(entryBuilder_.getPtrTy(), fn->getArg(0), buffer);
  Value *ptr = entryBuilder_.CreateLoad(entryBuilder_.getPtrTy(), slotPtr, "buf");
  buffers_[buffer] = ptr;
  return ptr;
}

llvm::Value *Emitter::laneVector(const AxisIndex &a) {
  if (width == 1)
    return a.base;
  if (a.vec)
    return a.vec;
  Value *base = b.CreateVectorSplat(width, a.base);
  if (a.stride == 0)
    return base;
  std::vector<llvm::Constant *> steps;
  for (unsigned l = 0; l < width; ++l)
    steps.push_back(b.getInt64(uint64_t(int64_t(l) * a.stride)));
  return b.CreateAdd(base, llvm::ConstantVector::get(steps));
}

namespace {

// Strides along the last axis up to this many elements are read with a load and a shuffle.
constexpr int64_t kMaxShuffleStride = 4;

// The offset of lane 0 (and, when every lane moves along the last axis only, the constant
// step between lanes); `general` when lanes need a vector of offsets.
struct Offset {
  Value *base;
  std::optional<int64_t> laneStep;
};

} // namespace

llvm::Value *Emitter::load(ir::ValueId v, const Index &index) {
  const ir::Instr &in = plan.fn.instrs[v];
  DType t = in.type.dtype;
  llvm::Type *elem = storageType(t);
  Value *ptr = nullptr;
  const Shape &shape = in.type.shape;
  if (plan.storage[v] == Storage::Constant) {
    auto &global = constants_[v];
    if (!global) {
      const Array &value = *in.get<ir::ValueAttrs>().value;
      const auto *bytes = reinterpret_cast<const char *>(value.bytes.data());
      auto *data = llvm::ConstantDataArray::getRaw(llvm::StringRef(bytes, value.bytes.size()),
                                                   uint64_t(value.elementCount()), elem);
      global = new llvm::GlobalVariable(module, data->getType(), true,
                                        llvm::GlobalValue::PrivateLinkage, data, "const");
      global->setAlignment(llvm::Align(64));
    }
    ptr = global;
  } else {
    ptr = bufferPointer(bufferOf(plan, layout, v));
  }
  // Constants are never written: no aliasing facts needed for them.
  std::optional<size_t> buffer;
  if (plan.storage[v] != Storage::Constant)
    buffer = bufferOf(plan, layout, v);
  auto noted = [&](llvm::Instruction *i) {
    if (buffer)
      annotate(i, *buffer);
    return i;
  };
  std::vector<Value *> st = strides(shape);
  Value *offset = b.getInt64(0);
  bool general = false;
  std::optional<int64_t> laneStep = 0;
  for (size_t a = 0; a < shape.size(); ++a) {
    offset = b.CreateAdd(offset, b.CreateMul(index[a].base, st[a]));
    if (index[a].vec)
      general = true;
    else if (index[a].stride != 0)
      laneStep = a + 1 == shape.size() ? std::optional<int64_t>(index[a].stride) : std::nullopt;
    if (!laneStep)
      general = true;
  }
  llvm::Align align(storageType(t)->getPrimitiveSizeInBits() / 8);
  if (width == 1 || (!general && *laneStep == 0)) {
    Value *p = b.CreateInBoundsGEP(elem, ptr, offset);
    // One element for every lane: splat the stored value, then convert all lanes at once.
    return fromStorage(t, splat(noted(b.CreateAlignedLoad(elem, p, align))));
  }
  llvm::Type *vecTy = lanes(elem);
  if (!general && *laneStep == 1) {
    Value *p = b.CreateInBoundsGEP(elem, ptr, offset);
    return fromStorage(t, noted(b.CreateAlignedLoad(vecTy, p, align)));
  }
  if (!general && *laneStep == -1) { // reversed slices: one load, lanes reversed
    Value *p = b.CreateInBoundsGEP(elem, ptr, b.CreateSub(offset, b.getInt64(width - 1)));
    return fromStorage(t, b.CreateVectorReverse(noted(b.CreateAlignedLoad(vecTy, p, align))));
  }
  if (!general && std::abs(*laneStep) <= kMaxShuffleStride) {
    // A small constant stride (x[:, ::2], x[:, ::-3]): the span the lanes cover in one load,
    // then the lanes picked out by a shuffle - a gather costs a memory access per lane. The
    // load is |step| vectors wide with the lanes past the last one needed masked off, so it
    // reads nothing outside the slice.
    int64_t step = *laneStep, gap = std::abs(step), wide = int64_t(width) * gap;
    int64_t span = (int64_t(width) - 1) * gap + 1;
    Value *start = step > 0 ? offset : b.CreateSub(offset, b.getInt64(span - 1));
    std::vector<llvm::Constant *> mask;
    for (int64_t l = 0; l < wide; ++l)
      mask.push_back(b.getInt1(l < span));
    Value *loaded = noted(b.CreateMaskedLoad(llvm::FixedVectorType::get(elem, unsigned(wide)),
                                             b.CreateInBoundsGEP(elem, ptr, start), align,
                                             llvm::ConstantVector::get(mask)));
    std::vector<int> pick;
    for (int64_t l = 0; l < int64_t(width); ++l)
      pick.push_back(int(step > 0 ? l * gap : span - 1 - l * gap));
    return fromStorage(t, b.CreateShuffleVector(loaded, pick));
  }
  Value *offsets = b.CreateVectorSplat(width, b.getInt64(0));
  for (size_t a = 0; a < shape.size(); ++a)
    offsets =
        b.CreateAdd(offsets, b.CreateMul(laneVector(index[a]), b.CreateVectorSplat(width, st[a])));
  Value *ptrs = b.CreateInBoundsGEP(elem, ptr, offsets);
  return fromStorage(t, noted(b.CreateMaskedGather(vecTy, ptrs, align)));
}

llvm::Value *Emitter::elementAddress(size_t buffer, DType t, const Shape &shape,
                                     const Index &index) {
  std::vector<Value *> st = strides(shape);
  Value *offset = b.getInt64(0);
  for (size_t a = 0; a < shape.size(); ++a)
    offset = b.CreateAdd(offset, b.CreateMul(index[a].base, st[a]));
  return b.CreateInBoundsGEP(storageType(t), bufferPointer(buffer), offset);
}

void Emitter::store(size_t buffer, DType t, const Shape &shape, const Index &index,
                    llvm::Value *value) {
  llvm::Align align(storageType(t)->getPrimitiveSizeInBits() / 8);
  // Stores are always along the domain's last axis, one lane per element.
  Value *p = elementAddress(buffer, t, shape, index);
  annotate(b.CreateAlignedStore(toStorage(t, value), p, align), buffer);
}

llvm::Value *Emitter::loadStored(size_t buffer, DType t, const Shape &shape, const Index &index) {
  llvm::Type *elem = storageType(t);
  llvm::Align align(elem->getPrimitiveSizeInBits() / 8);
  auto *loaded = b.CreateAlignedLoad(lanes(elem), elementAddress(buffer, t, shape, index), align);
  annotate(loaded, buffer);
  return fromStorage(t, loaded);
}

void Emitter::annotate(llvm::Instruction *access, size_t buffer) {
  // Buffers never overlap (the runtime's contract): each is its own alias scope, so LLVM may
  // keep loaded values in registers across stores to the outputs.
  if (scopes_.empty()) {
    llvm::MDBuilder md(ctx);
    llvm::MDNode *domain = md.createAnonymousAliasScopeDomain("lamina.buffers");
    for (size_t k = 0; k < layout.bufferCount(); ++k)
      scopes_.push_back(md.createAnonymousAliasScope(domain));
  }
  std::vector<llvm::Metadata *> others;
  for (size_t k = 0; k < scopes_.size(); ++k)
    if (k != buffer)
      others.push_back(scopes_[k]);
  access->setMetadata(llvm::LLVMContext::MD_alias_scope, llvm::MDNode::get(ctx, {scopes_[buffer]}));
  access->setMetadata(llvm::LLVMContext::MD_noalias, llvm::MDNode::get(ctx, others));
}

Index Emitter::broadcastIndex(const Shape &operand, const Shape &result, const Index &index) {
  Index out(operand.size());
  size_t offset = result.size() - operand.size();
  for (size_t j = 0; j < operand.size(); ++j) {
    const Dim &d = operand[j];
    const AxisIndex &from = index[j + offset];
    if (d == result[j + offset]) {
      out[j] = from;
    } else if (d.isConstant() && d.constant() == 1) {
      out[j] = AxisIndex{b.getInt64(0), 0, nullptr};
    } else {
      // A symbolic size that may be 1 at run time (the runtime checked it is 1 or equal).
      Value *isOne = b.CreateICmpEQ(dim(d), b.getInt64(1));
      out[j].base = b.CreateSelect(isOne, b.getInt64(0), from.base);
      if (width > 1)
        out[j].vec =
            b.CreateSelect(isOne, b.CreateVectorSplat(width, b.getInt64(0)), laneVector(from));
    }
  }
  return out;
}

llvm::Value *Emitter::element(ir::ValueId v, const Index &index) {
  MemoKey key{v, width, {}};
  for (const AxisIndex &a : index)
    std::get<2>(key).emplace_back(a.base, a.stride, a.vec);
  if (auto it = memo_.find(key); it != memo_.end())
    return it->second;
  Value *r;
  auto buffered = rowBuffers.find(v);
  if (buffered == rowBuffers.end()) {
    r = elementUncached(v, index);
  } else {
    // Lanes always run along the last axis here (rows are trailing axes), one element each.
    RowBuffer &rb = buffered->second;
    llvm::Type *type = computeType(plan.fn.typeOf(v).dtype);
    llvm::Align align(type->getScalarSizeInBits() / 8);
    if (rb.ready) {
      r = b.CreateAlignedLoad(type, rowBufferAddress(v, rb, index), align);
    } else {
      r = elementUncached(v, index);
      b.CreateAlignedStore(r, rowBufferAddress(v, rb, index), align);
      rb.written = true;
    }
  }
  memo_[key] = r;
  return r;
}

llvm::Value *Emitter::constantLeaf(const ir::Instr &in, const Index &) {
  const Array &c = *in.get<ir::ValueAttrs>().value;
  DType t = in.type.dtype;
  return isFloat(t) ? constantOf(t, loadFloat(c, 0)) : intConstant(t, loadInt(c, 0));
}

llvm::Value *Emitter::elementUncached(ir::ValueId v, const Index &index, bool root) {
  const ir::Instr &in = plan.fn.instrs[v];
  const ir::Function &f = plan.fn;
  DType t = in.type.dtype;
  if (auto own = ownValues.find(v); own != ownValues.end())
    return own->second;
  if (auto row = rowValues.find(v); row != rowValues.end())
    return splat(row->second);
  // A stored value is loaded, except by the stage computing it (a copy stage loads too).
  bool data = in.op == Op::Input || in.op == Op::Variable || plan.storage[v] == Storage::Constant;
  if (plan.storage[v] != Storage::Fused && (!root || data))
    return load(v, index);
  auto operand = [&](size_t i, const Index &idx) { return element(in.operands[i], idx); };
  auto broadcastOperand = [&](size_t i) {
    ir::ValueId o = in.operands[i];
    return element(o, broadcastIndex(f.typeOf(o).shape, in.type.shape, index));
  };
  switch (ir::categoryOf(in.op)) {
  case ir::OpCategory::Leaf:
    switch (in.op) {
    case Op::Constant:
      return constantLeaf(in, index);
    case Op::DimValue: {
      Value *d = dim(in.get<ir::SizeAttrs>().size);
      return cast(DType::I64, t, splat(d));
    }
    case Op::Iota: {
      Value *i = laneVector(index[size_t(in.get<ir::AxisAttrs>().axis)]);
      return cast(DType::I64, t, i);
    }
    case Op::Input:
    case Op::Variable:
      LAMINA_UNREACHABLE("inputs and variables are loaded (above)");
#define LAMINA_SKIP_LEAF
#include "compiler/ir/OpCases.inc"
      LAMINA_UNREACHABLE("not a leaf");
    }
    LAMINA_UNREACHABLE("not an operation");
  case ir::OpCategory::Unary:
    return unary(in, f.typeOf(in.operands[0]).dtype, broadcastOperand(0));
  case ir::OpCategory::Binary:
    return binary(in.op, t, broadcastOperand(0), broadcastOperand(1));
  case ir::OpCategory::Compare:
    return compare(in.op, f.typeOf(in.operands[0]).dtype, broadcastOperand(0), broadcastOperand(1));
  case ir::OpCategory::Select:
    return b.CreateSelect(broadcastOperand(0), broadcastOperand(1), broadcastOperand(2));
  case ir::OpCategory::Reduce:
    break; // fused reductions are row values (above); others are stored
  case ir::OpCategory::Other:
    switch (in.op) {
    case Op::Broadcast:
      return broadcastOperand(0);
    case Op::Transpose: {
      Index idx(index.size());
      for (size_t a = 0; a < index.size(); ++a)
        idx[size_t(in.get<ir::PermutationAttrs>().perm[a])] = index[a];
      return operand(0, idx);
    }
    case Op::Slice: {
      Index idx(index.size());
      for (size_t a = 0; a < index.size(); ++a) {
        int64_t step = in.get<ir::WindowAttrs>().steps[a];
        Value *begin = dim(in.get<ir::WindowAttrs>().begins[a]);
        idx[a].base = b.CreateAdd(begin, b.CreateMul(index[a].base, b.getInt64(uint64_t(step))));
        idx[a].stride = index[a].stride * step;
        if (index[a].vec)
          idx[a].vec = b.CreateAdd(
              b.CreateVectorSplat(width, begin),
              b.CreateMul(index[a].vec, b.CreateVectorSplat(width, b.getInt64(uint64_t(step)))));
      }
      return operand(0, idx);
    }
    case Op::Reshape: {
      Index idx;
      reshapeOperandIndex(in, index, idx);
      return operand(0, idx);
    }
    case Op::Concat:
      return concatElement(in, index);
    case Op::Pad:
      return padElement(in, index);
    case Op::Gather:
      return gatherElement(in, index);
    case Op::CumSum:
    case Op::CumProd:
    case Op::MatMul:
      break;
#define LAMINA_SKIP_OTHER
#include "compiler/ir/OpCases.inc"
      LAMINA_UNREACHABLE("not a movement, scan or product");
    }
    break;
  }
  // Stored kinds (reductions, scans, matmul) are never fused: the planner stores them, and a
  // stage computing one builds its own loop (Stages.cpp).
  LAMINA_UNREACHABLE("a reduction, scan or product computed as an element");
}

} // namespace lamina::codegen
