#pragma once

// Internal to codegen: the state of emitting one stage function, shared by the files that
// emit elements (Elements.cpp), arithmetic (Arith.cpp), conversions (Convert.cpp) and loops
// (Stages.cpp).
//
// Values are computed `width` lanes at a time: a lane is one element of the innermost loop.
// Floats are computed as float (f16, bf16, f32) or double, integers at their width, bool as
// i1; with width > 1 every value is a fixed vector of that many lanes.

#include "compiler/codegen/Layout.h"
#include "compiler/types/DType.h"

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include <map>
#include <tuple>

namespace lamina::codegen {

/// The index of one axis for every lane: base + lane * stride, or, when `vec` is set, any
/// lane-wise vector of i64 (gathers, clamps, selects).
struct AxisIndex {
  llvm::Value *base = nullptr;
  int64_t stride = 0;
  llvm::Value *vec = nullptr;
  int64_t align = 1; // base is a multiple of this (a vector loop from 0: the width)
};
using Index = std::vector<AxisIndex>;

class Emitter {
public:
  Emitter(const transforms::KernelPlan &plan, const KernelLayout &layout, llvm::Function *fn);

  const transforms::KernelPlan &plan;
  const KernelLayout &layout;
  llvm::LLVMContext &ctx;
  llvm::Module &module;
  llvm::Function *fn;
  llvm::IRBuilder<> b;
  unsigned width = 1;

  // --- types (Convert.cpp)
  llvm::Type *storageType(DType t) const;
  llvm::Type *scalarComputeType(DType t) const;
  llvm::Type *computeType(DType t) const; // with `width` lanes
  llvm::Type *lanes(llvm::Type *scalar) const;
  llvm::Value *splat(llvm::Value *scalar);
  llvm::Value *constantOf(DType t, double value);   // a compute-type constant, all lanes
  llvm::Value *intConstant(DType t, int64_t value); // integers and bool
  llvm::Value *fromStorage(DType t, llvm::Value *stored);
  llvm::Value *toStorage(DType t, llvm::Value *value);
  /// After each float operation: f16 and bf16 values are rounded to their storage type.
  llvm::Value *round(DType t, llvm::Value *value);
  /// A double (with `width` lanes) rounded once to t's precision, in t's compute type.
  llvm::Value *roundFromDouble(DType t, llvm::Value *value);
  llvm::Value *cast(DType from, DType to, llvm::Value *value);

  // --- arithmetic (Arith.cpp): operands in compute types
  llvm::Value *unary(const ir::Instr &in, DType operand, llvm::Value *x);
  llvm::Value *unaryFloat(ir::Op op, DType t, llvm::Value *x); // unary's arithmetic, by dtype
  llvm::Value *unaryInt(ir::Op op, DType t, llvm::Value *x);
  llvm::Value *binary(ir::Op op, DType t, llvm::Value *a, llvm::Value *b);
  llvm::Value *compare(ir::Op op, DType t, llvm::Value *a, llvm::Value *b);
  llvm::Value *floatMax(bool isMax, llvm::Value *a, llvm::Value *b);
  /// Any NaN in v as the default quiet NaN (the interpreter's max, min and their reductions).
  llvm::Value *quietNaN(llvm::Value *v);
  llvm::Value *trig(ir::Op op, llvm::Value *x); // sin, cos, tan: fast path, exact fallback

  // --- elements (Elements.cpp)
  /// Value v at `index` (one AxisIndex per axis of v's shape).
  llvm::Value *element(ir::ValueId v, const Index &index);
  /// Like element(), but computes v from its operands even when v is stored: a stage's root.
  llvm::Value *compute(ir::ValueId v, const Index &index) {
    return elementUncached(v, index, true);
  }
  llvm::Value *load(ir::ValueId v, const Index &index);
  void store(size_t buffer, DType t, const Shape &shape, const Index &index, llvm::Value *value);
  /// What store() wrote: `width` consecutive elements along the last axis, in t's compute type.
  llvm::Value *loadStored(size_t buffer, DType t, const Shape &shape, const Index &index);
  llvm::Value *laneVector(const AxisIndex &a); // i64 per lane
  /// Marks a load or store as touching only `buffer` (alias scopes: buffers never overlap).
  void annotate(llvm::Instruction *access, size_t buffer);
  /// Row reductions computed for the current row, read by element().
  std::map<ir::ValueId, llvm::Value *> rowValues;
  /// Values already known at the element being computed, `width` lanes (a product's sums,
  /// read by its epilogue), read by element() at that element only.
  std::map<ir::ValueId, llvm::Value *> ownValues;
  /// Row buffers (Stage::rowBuffered): written where a row reduction first computes the value,
  /// read from then on. `depth` is the stage's row depth.
  struct RowBuffer {
    llvm::AllocaInst *data = nullptr;
    size_t depth = 0;
    bool written = false, ready = false;
  };
  std::map<ir::ValueId, RowBuffer> rowBuffers;
  void clearMemo() { memo_.clear(); }

  // --- sizes, hoisted into the entry block
  llvm::Value *dim(const Dim &d);
  llvm::Value *symbolAt(size_t slot); // symbols[slot], hoisted
  std::vector<llvm::Value *> strides(const Shape &shape);
  llvm::Value *bufferPointer(size_t buffer);
  llvm::Value *i64(int64_t v) { return b.getInt64(uint64_t(v)); }
  llvm::Value *beginArg() const { return fn->getArg(2); }
  llvm::Value *endArg() const { return fn->getArg(3); }

  /// An i64 (or vector) stack slot in the entry block, for loop-carried accumulators.
  llvm::AllocaInst *slot(llvm::Type *type, const char *name, uint64_t count = 1);
  /// Finishes the entry block (branch to the first body block); called once at the end.
  void finish();

private:
  /// The address of the element `index` (its axes' bases) of a row-major buffer.
  llvm::Value *elementAddress(size_t buffer, DType t, const Shape &shape, const Index &index);
  llvm::Value *rowBufferAddress(ir::ValueId v, const RowBuffer &buffer, const Index &index);
  llvm::Value *elementUncached(ir::ValueId v, const Index &index, bool root = false);
  llvm::Value *reshapeOperandIndex(const ir::Instr &in, const Index &index, Index &out);
  Index broadcastIndex(const Shape &operand, const Shape &result, const Index &index);
  llvm::Value *concatElement(const ir::Instr &in, const Index &index);
  llvm::Value *padElement(const ir::Instr &in, const Index &index);
  llvm::Value *padElementNonEmpty(const ir::Instr &in, const Index &index);
  llvm::Value *gatherElement(const ir::Instr &in, const Index &index);
  llvm::Value *constantLeaf(const ir::Instr &in, const Index &index);

  llvm::BasicBlock *entry_;
  llvm::IRBuilder<> entryBuilder_;
  std::map<std::string, llvm::Value *> dims_;
  std::map<size_t, llvm::Value *> buffers_;
  std::map<ir::ValueId, llvm::GlobalVariable *> constants_;
  std::vector<llvm::MDNode *> scopes_; // one alias scope per buffer
  using MemoKey =
      std::tuple<ir::ValueId, unsigned, std::vector<std::tuple<void *, int64_t, void *>>>;
  std::map<MemoKey, llvm::Value *> memo_;
};

} // namespace lamina::codegen
