// Loop nests: one function per stage. A loop stage walks its domain with the innermost axis
// `width` lanes at a time (then a scalar tail); row reductions are computed once per row
// before the loops that read them. Reductions accumulate in several independent vector
// accumulators, combined in a fixed order, so a kernel's result does not depend on threads.

#include "compiler/codegen/Codegen.h"
#include "compiler/codegen/Emitter.h"
#include "compiler/codegen/Schedule.h"
#include "compiler/support/Unreachable.h"

#include <fmt/format.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/Verifier.h>

#include <functional>
#include <limits>
#include <set>

namespace lamina::codegen {

using ir::Op;
using llvm::Value;
using transforms::Stage;
using transforms::StageKind;

namespace {

// Vector steps a blocked f32 sum adds in f32 before flushing them to f64 (reduction()).
constexpr int64_t kSumBlock = 32;

// The type a split reduction's partial results are kept in: its accumulator's.
DType partialType(DType t) { return t == DType::F16 || t == DType::BF16 ? DType::F32 : t; }

class StageEmitter {
public:
  StageEmitter(Emitter &e, const Stage &s, const CodegenOptions &o, StagePart part, int place)
      : e_(e), b_(e.b), s_(s), o_(o), part_(part), place_(place) {}

  void run() {
    switch (s_.kind) {
    case StageKind::Loop:
      axes(0, Index(s_.domain.size()), Index(s_.domain.size()), s_.root);
      break;
    case StageKind::Reduce:
      if (part_ == StagePart::Partial)
        partialStage();
      else if (part_ == StagePart::Join)
        joinStage();
      else
        reduceStage(0, Index(s_.domain.size()));
      break;
    case StageKind::Scan:
      scanStage(0, Index(s_.domain.size()));
      break;
    case StageKind::MatMul:
      matmulStage(0, Index(s_.domain.size()));
      break;
    }
    b_.CreateRetVoid();
  }

private:
  // A counted loop [lo, hi) by `step` (the body runs while iv + step <= hi); returns the
  // induction value on exit, where a tail loop starts.
  Value *loop(Value *lo, Value *hi, int64_t step, const std::function<void(Value *)> &body) {
    llvm::Function *fn = e_.fn;
    llvm::BasicBlock *pre = b_.GetInsertBlock();
    auto *header = llvm::BasicBlock::Create(e_.ctx, "loop", fn);
    auto *bodyBlock = llvm::BasicBlock::Create(e_.ctx, "body", fn);
    auto *exit = llvm::BasicBlock::Create(e_.ctx, "exit", fn);
    b_.CreateBr(header);
    b_.SetInsertPoint(header);
    llvm::PHINode *iv = b_.CreatePHI(b_.getInt64Ty(), 2, "i");
    iv->addIncoming(lo, pre);
    Value *limit = step == 1 ? hi : b_.CreateSub(hi, e_.i64(step - 1));
    b_.CreateCondBr(b_.CreateICmpSLT(iv, limit), bodyBlock, exit);
    b_.SetInsertPoint(bodyBlock);
    e_.clearMemo();
    body(iv);
    e_.clearMemo();
    iv->addIncoming(b_.CreateAdd(iv, e_.i64(step)), b_.GetInsertBlock());
    b_.CreateBr(header);
    b_.SetInsertPoint(exit);
    return iv;
  }

  // The range of axis a of the domain: axis 0 is [begin, end) when the runtime splits it.
  std::pair<Value *, Value *> range(size_t a) {
    Value *size = e_.dim(s_.domain[a]);
    if (a == 0 && s_.parallel && part_ == StagePart::Whole)
      return {e_.beginArg(), b_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, e_.endArg(), size)};
    return {e_.i64(0), size};
  }

  // Axis a of the domain as a scalar loop (split over threads when it is axis 0), setting
  // index[a] for `next`.
  void axisLoop(size_t a, Index &index, const std::function<void()> &next) {
    auto [lo, hi] = range(a);
    loop(lo, hi, 1, [&](Value *i) {
      index[a] = AxisIndex{i, 0, nullptr};
      next();
    });
  }

  // An innermost loop over [lo, hi): vector steps, then a scalar tail; body(i, width). When the
  // trip count is known (`extent`, with lo = 0) and a multiple of the width, there is no tail
  // to compile.
  void lanes(Value *lo, Value *hi, const std::function<void(Value *)> &body,
             std::optional<int64_t> extent = std::nullopt) {
    unsigned w = o_.vectorWidth;
    Value *rest = lo;
    if (w > 1) {
      e_.width = w;
      rest = loop(lo, hi, w, body);
    }
    e_.width = 1;
    if (!extent || w == 1 || *extent % w != 0)
      loop(rest, hi, 1, body);
  }

  // The trip count of axis a when it is known at compile time and not split over threads.
  std::optional<int64_t> extentOf(size_t a, const Dim &size) const {
    if (a == 0 && s_.parallel && part_ == StagePart::Whole)
      return std::nullopt;
    return size.asConstant();
  }

  // --- loop stages
  void axes(size_t a, Index compute, Index out, ir::ValueId root) {
    size_t n = s_.domain.size();
    if (a == s_.rowDepth && !s_.rowReductions.empty() && e_.rowValues.empty()) {
      for (ir::ValueId v : s_.rowBuffered) {
        int64_t size = 1;
        for (size_t d = s_.rowDepth; d < s_.domain.size(); ++d)
          size *= s_.domain[d].constant(); // the planner buffers only rows of known size
        llvm::Type *t = e_.scalarComputeType(e_.plan.fn.typeOf(v).dtype);
        e_.rowBuffers[v] = Emitter::RowBuffer{e_.slot(t, "row", uint64_t(size)), s_.rowDepth};
      }
      for (ir::ValueId r : s_.rowReductions) {
        Value *value = reduction(r, compute);
        e_.rowValues[r] = value;
        for (auto &[v, buffer] : e_.rowBuffers)
          buffer.ready = buffer.ready || buffer.written;
      }
      // A value no reduction happened to compute is computed where it is used.
      for (auto it = e_.rowBuffers.begin(); it != e_.rowBuffers.end();)
        it = it->second.ready ? std::next(it) : e_.rowBuffers.erase(it);
      e_.clearMemo();
      axes(a, compute, out, root);
      e_.rowValues.clear();
      e_.rowBuffers.clear();
      return;
    }
    if (a == n) { // a rank-0 domain
      e_.width = 1;
      storeRoot(root, compute, out);
      return;
    }
    const ir::Instr &rootInstr = e_.plan.fn.instrs[root];
    if (s_.splitConcat && rootInstr.op == Op::Concat &&
        a == size_t(rootInstr.get<ir::AxisAttrs>().axis)) {
      auto [lo, hi] = range(a);
      Value *offset = e_.i64(0);
      for (ir::ValueId part : rootInstr.operands) {
        Value *size = e_.dim(e_.plan.fn.typeOf(part).shape[a]);
        // This part's own positions [partLo, partHi) inside the range [lo, hi).
        Value *partLo =
            b_.CreateBinaryIntrinsic(llvm::Intrinsic::smax, b_.CreateSub(lo, offset), e_.i64(0));
        Value *partHi =
            b_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, b_.CreateSub(hi, offset), size);
        Value *at = offset;
        walkAxis(a, partLo, partHi, compute, out, part, at,
                 extentOf(a, e_.plan.fn.typeOf(part).shape[a]));
        offset = b_.CreateAdd(offset, size);
      }
      return;
    }
    auto [lo, hi] = range(a);
    walkAxis(a, lo, hi, compute, out, root, e_.i64(0), extentOf(a, s_.domain[a]));
  }

  // Loops over axis a for `root`; the output index is the compute index plus `outOffset`.
  void walkAxis(size_t a, Value *lo, Value *hi, Index compute, Index out, ir::ValueId root,
                Value *outOffset, std::optional<int64_t> extent) {
    size_t n = s_.domain.size();
    if (a + 1 == n) {
      lanes(
          lo, hi,
          [&](Value *i) {
            int64_t stride = e_.width > 1 ? 1 : 0;
            // A vector loop from 0 steps by the width: its lanes never straddle a multiple.
            bool fromZero =
                llvm::isa<llvm::ConstantInt>(lo) && llvm::cast<llvm::ConstantInt>(lo)->isZero();
            compute[a] = AxisIndex{i, stride, nullptr, fromZero ? int64_t(e_.width) : 1};
            out[a] = AxisIndex{b_.CreateAdd(i, outOffset), stride, nullptr};
            storeRoot(root, compute, out);
          },
          extent);
      return;
    }
    loop(lo, hi, 1, [&](Value *i) {
      compute[a] = AxisIndex{i, 0, nullptr};
      out[a] = AxisIndex{b_.CreateAdd(i, outOffset), 0, nullptr};
      axes(a + 1, compute, out, root);
    });
  }

  // `root` is the stage's root, or a part of a split concat, or (copy stages) an output
  // another stage stored. Only the value this stage computes is computed here; any other is
  // fused (computed by element()) or stored by an earlier stage (loaded by element()).
  void storeRoot(ir::ValueId root, const Index &compute, const Index &out) {
    const ir::Instr &in = e_.plan.fn.instrs[s_.root];
    bool computesRoot = root == s_.root && !s_.copyOnly;
    Value *v = computesRoot ? e_.compute(root, compute) : e_.element(root, compute);
    e_.store(targetBuffer(), in.type.dtype, in.type.shape, out, v);
  }

  size_t targetBuffer() const {
    if (s_.output >= 0)
      return e_.layout.outputBuffer(size_t(s_.output));
    return bufferOf(e_.plan, e_.layout, s_.root);
  }

  // --- reductions
  // Whether computing v (what is fused into it) calls a transcendental function.
  bool costly(ir::ValueId v) const {
    std::vector<ir::ValueId> work = {v};
    std::set<ir::ValueId> seen;
    while (!work.empty()) {
      ir::ValueId u = work.back();
      work.pop_back();
      const ir::Instr &in = e_.plan.fn.instrs[u];
      if (!seen.insert(u).second || e_.rowValues.count(u) || e_.rowBuffers.count(u) ||
          (u != v && e_.plan.storage[u] != transforms::Storage::Fused))
        continue;
      if (ir::costOf(in.op) == ir::OpCost::Transcendental)
        return true;
      work.insert(work.end(), in.operands.begin(), in.operands.end());
    }
    return false;
  }

  enum class Combine { Sum, Prod, Max, Min, Any, All };

  static Combine combineOf(Op op) {
    switch (op) {
    case Op::ReduceSum:
      return Combine::Sum;
    case Op::ReduceProd:
      return Combine::Prod;
    case Op::ReduceMax:
      return Combine::Max;
    case Op::ReduceMin:
      return Combine::Min;
    case Op::ReduceAny:
      return Combine::Any;
    case Op::ReduceAll:
      return Combine::All;
    case Op::ArgMax:
    case Op::ArgMin:
      LAMINA_UNREACHABLE("arg reductions keep an index, not a combination (argReduction)");
#define LAMINA_SKIP_REDUCE
#include "compiler/ir/OpCases.inc"
      LAMINA_UNREACHABLE("not a reduction");
    }
    LAMINA_UNREACHABLE("not an operation");
  }

  Value *combine(Combine c, DType t, Value *x, Value *y) {
    bool fl = isFloat(t);
    bool isUnsigned = lamina::isUnsigned(t) || t == DType::Bool;
    switch (c) {
    case Combine::Sum:
      return fl ? b_.CreateFAdd(x, y) : b_.CreateAdd(x, y);
    case Combine::Prod:
      return fl ? b_.CreateFMul(x, y) : b_.CreateMul(x, y);
    case Combine::Max:
      if (fl)
        return e_.floatMax(true, x, y);
      return b_.CreateBinaryIntrinsic(isUnsigned ? llvm::Intrinsic::umax : llvm::Intrinsic::smax, x,
                                      y);
    case Combine::Min:
      if (fl)
        return e_.floatMax(false, x, y);
      return b_.CreateBinaryIntrinsic(isUnsigned ? llvm::Intrinsic::umin : llvm::Intrinsic::smin, x,
                                      y);
    case Combine::Any:
      return b_.CreateOr(x, y);
    case Combine::All:
      return b_.CreateAnd(x, y);
    }
    return x;
  }

  llvm::Constant *identity(Combine c, DType t, llvm::Type *scalar) {
    bool fl = isFloat(t);
    bool isUnsigned = lamina::isUnsigned(t) || t == DType::Bool;
    unsigned bits = scalar->getScalarSizeInBits();
    switch (c) {
    case Combine::Sum:
      return fl ? llvm::ConstantFP::get(scalar, 0.0) : llvm::ConstantInt::get(scalar, 0);
    case Combine::Prod:
      return fl ? llvm::ConstantFP::get(scalar, 1.0) : llvm::ConstantInt::get(scalar, 1);
    case Combine::Max:
      if (fl)
        return llvm::ConstantFP::getInfinity(scalar, true);
      return llvm::ConstantInt::get(scalar, isUnsigned ? llvm::APInt::getMinValue(bits)
                                                       : llvm::APInt::getSignedMinValue(bits));
    case Combine::Min:
      if (fl)
        return llvm::ConstantFP::getInfinity(scalar, false);
      return llvm::ConstantInt::get(scalar, isUnsigned ? llvm::APInt::getMaxValue(bits)
                                                       : llvm::APInt::getSignedMaxValue(bits));
    case Combine::Any:
      return llvm::ConstantInt::getFalse(scalar);
    case Combine::All:
      return llvm::ConstantInt::getTrue(scalar);
    }
    return nullptr;
  }

  // Halves the vector until one lane is left, always combining lane i with lane i + w/2.
  Value *horizontal(Combine c, DType t, Value *v) {
    unsigned w = unsigned(llvm::cast<llvm::FixedVectorType>(v->getType())->getNumElements());
    while (w > 1) {
      std::vector<int> lo, hi;
      for (unsigned l = 0; l < w / 2; ++l)
        lo.push_back(int(l)), hi.push_back(int(l + w / 2));
      v = combine(c, t, b_.CreateShuffleVector(v, lo), b_.CreateShuffleVector(v, hi));
      w /= 2;
    }
    return b_.CreateExtractElement(v, uint64_t(0));
  }

  // The reduction r at the kept positions of `kept` (an index of r's operand whose reduced
  // axes are filled in here). Returns a scalar in r's compute type (rounded to r's dtype).
  //
  // A sum computed in f32 is blocked: the vector accumulators add kSumBlock vectors each, then
  // are flushed into f64 ones (and the scalar tail adds in f64), so a long sum's error is that
  // of 32 additions rather than of millions (NumPy's pairwise summation reaches about the same;
  // 2e9 ones sum to 2e9, not to 536870912). The flush is a few instructions per block.
  Value *reduction(ir::ValueId r, const Index &kept) {
    const ir::Instr &in = e_.plan.fn.instrs[r];
    if (in.op == Op::ArgMax || in.op == Op::ArgMin)
      return argReduction(in, kept);
    ir::ValueId operand = in.operands[0];
    const Shape &shape = e_.plan.fn.typeOf(operand).shape;
    DType t = e_.plan.fn.typeOf(operand).dtype;
    Combine c = combineOf(in.op);
    llvm::Type *scalar = e_.scalarComputeType(t);
    // Independent accumulators hide the adder's latency when the operand is cheap; a costly
    // operand (a transcendental function) has parallelism enough, and unrolling it would only
    // multiply the code to compile.
    unsigned w = o_.vectorWidth, unroll = costly(operand) ? 1 : o_.reductionUnroll;
    bool wide = c == Combine::Sum && computeType(t) == DType::F32;
    DType accType = wide ? DType::F64 : t; // the scalar and flushed accumulators'
    llvm::Type *accScalar = wide ? b_.getDoubleTy() : scalar;
    std::vector<int64_t> axes = in.get<ir::ReduceAttrs>().axes;
    std::sort(axes.begin(), axes.end());
    llvm::Constant *init = identity(c, t, scalar);
    llvm::AllocaInst *scalarAcc = e_.slot(accScalar, "acc");
    b_.CreateStore(identity(c, accType, accScalar), scalarAcc);
    std::vector<llvm::AllocaInst *> vectorAcc;
    llvm::Type *vecTy = llvm::FixedVectorType::get(scalar, w);
    llvm::Type *wideTy = llvm::FixedVectorType::get(accScalar, w);
    llvm::AllocaInst *flushed = nullptr;
    auto splat = [&](llvm::Constant *v) {
      return llvm::ConstantVector::getSplat(llvm::ElementCount::getFixed(w), v);
    };
    if (w > 1) {
      for (unsigned u = 0; u < unroll; ++u) {
        vectorAcc.push_back(e_.slot(vecTy, "vacc"));
        b_.CreateStore(splat(init), vectorAcc.back());
      }
      if (wide) {
        flushed = e_.slot(wideTy, "wacc");
        b_.CreateStore(splat(identity(c, accType, accScalar)), flushed);
      }
    }
    // The vector accumulators added into the f64 ones and restarted.
    auto flush = [&] {
      Value *v = b_.CreateLoad(vecTy, vectorAcc[0]);
      for (unsigned u = 1; u < unroll; ++u)
        v = combine(c, t, v, b_.CreateLoad(vecTy, vectorAcc[u]));
      Value *sum = combine(c, accType, b_.CreateLoad(wideTy, flushed), b_.CreateFPExt(v, wideTy));
      b_.CreateStore(sum, flushed);
      for (unsigned u = 0; u < unroll; ++u)
        b_.CreateStore(splat(init), vectorAcc[u]);
    };
    Index idx = kept;
    auto element = [&](llvm::Type *ty) {
      Value *x = e_.element(operand, idx);
      return ty == x->getType() ? x : b_.CreateFPExt(x, ty);
    };
    std::function<void(size_t)> walk = [&](size_t k) {
      if (axes.empty()) { // over no axes: the one element, combined with the identity
        e_.width = 1;
        b_.CreateStore(combine(c, accType, b_.CreateLoad(accScalar, scalarAcc), element(accScalar)),
                       scalarAcc);
        return;
      }
      size_t axis = size_t(axes[k]);
      auto [lo, size] = reducedRange(axis, shape);
      if (k + 1 < axes.size()) {
        loop(lo, size, 1, [&](Value *i) {
          idx[axis] = AxisIndex{i, 0, nullptr};
          walk(k + 1);
        });
        return;
      }
      Value *rest = lo;
      auto accumulate = [&](llvm::AllocaInst *acc, Value *i, llvm::Type *ty, DType accT) {
        idx[axis] = AxisIndex{i, e_.width > 1 ? 1 : 0, nullptr};
        b_.CreateStore(combine(c, accT, b_.CreateLoad(ty, acc), element(ty)), acc);
      };
      auto unrolled = [&](Value *i) {
        for (unsigned u = 0; u < unroll; ++u)
          accumulate(vectorAcc[u], b_.CreateAdd(i, e_.i64(int64_t(u * w))), vecTy, t);
      };
      // A known trip count drops the loops that would never run.
      std::optional<int64_t> extent = axis == 0 && chunk_ ? std::nullopt : shape[axis].asConstant();
      int64_t step = int64_t(w * unroll), block = step * kSumBlock;
      int64_t left = extent ? *extent % step : -1;
      if (w > 1) {
        e_.width = w;
        if (wide && (!extent || *extent >= block))
          rest = loop(rest, size, block, [&](Value *i) {
            loop(i, b_.CreateAdd(i, e_.i64(block)), step, unrolled);
            flush();
          });
        rest = loop(rest, size, step, unrolled);
        if (unroll > 1 && (left < 0 || left >= int64_t(w)))
          rest = loop(rest, size, int64_t(w),
                      [&](Value *i) { accumulate(vectorAcc[0], i, vecTy, t); });
        if (wide)
          flush();
      }
      e_.width = 1;
      if (left < 0 || left % int64_t(w) != 0)
        loop(rest, size, 1, [&](Value *i) { accumulate(scalarAcc, i, accScalar, accType); });
    };
    walk(0);
    e_.width = 1;
    Value *result = b_.CreateLoad(accScalar, scalarAcc);
    if (w > 1) {
      Value *v = nullptr;
      if (wide) {
        v = b_.CreateLoad(wideTy, flushed);
      } else {
        v = b_.CreateLoad(vecTy, vectorAcc[0]);
        for (unsigned u = 1; u < unroll; ++u)
          v = combine(c, t, v, b_.CreateLoad(vecTy, vectorAcc[u]));
      }
      result = combine(c, accType, horizontal(c, accType, v), result);
    }
    if (wide)
      result = b_.CreateFPTrunc(result, scalar);
    if (part_ == StagePart::Partial)
      return result; // the join finishes it
    return finish(in, result);
  }

  // A reduction's accumulator (`width` lanes) as its result: max and min of no elements are
  // NaN for floats and 0 for integers (the interpreter's rule), rounded and cast to its dtype.
  Value *finish(const ir::Instr &in, Value *acc) {
    const TensorType &operand = e_.plan.fn.typeOf(in.operands[0]);
    DType t = operand.dtype;
    Combine c = combineOf(in.op);
    if ((c == Combine::Max || c == Combine::Min) && isFloat(t))
      acc = e_.quietNaN(acc);
    if (c == Combine::Max || c == Combine::Min) {
      Value *count = e_.i64(1);
      for (int64_t a : in.get<ir::ReduceAttrs>().axes)
        count = b_.CreateMul(count, e_.dim(operand.shape[size_t(a)]));
      Value *empty = b_.CreateICmpEQ(count, e_.i64(0));
      llvm::Type *scalar = e_.scalarComputeType(t);
      Value *none = e_.splat(isFloat(t) ? llvm::ConstantFP::getNaN(scalar)
                                        : llvm::ConstantInt::get(scalar, 0));
      acc = b_.CreateSelect(empty, none, acc);
    }
    acc = e_.round(t, acc);
    return t == in.type.dtype ? acc : e_.cast(t, in.type.dtype, acc);
  }

  // The rows of operand axis `axis` a reduction walks: in a partial function, axis 0 is the
  // current chunk's.
  std::pair<Value *, Value *> reducedRange(size_t axis, const Shape &shape) {
    if (axis == 0 && chunk_)
      return {chunkLo_, chunkHi_};
    return {e_.i64(0), e_.dim(shape[axis])};
  }

  // The argmax/argmin rule, for scalars or vectors at the current width.
  struct ArgRule {
    bool isMax;
    DType type;
  };
  // Whether x beats cur, before the NaN rules.
  Value *argWins(const ArgRule &r, Value *x, Value *cur) {
    bool isUnsigned = lamina::isUnsigned(r.type) || r.type == DType::Bool;
    if (isFloat(r.type))
      return r.isMax ? b_.CreateFCmpOGT(x, cur) : b_.CreateFCmpOLT(x, cur);
    return r.isMax ? (isUnsigned ? b_.CreateICmpUGT(x, cur) : b_.CreateICmpSGT(x, cur))
                   : (isUnsigned ? b_.CreateICmpULT(x, cur) : b_.CreateICmpSLT(x, cur));
  }
  Value *argIsNaN(const ArgRule &r, Value *x) {
    return isFloat(r.type) ? b_.CreateFCmpUNO(x, x)
                           : llvm::Constant::getNullValue(e_.lanes(b_.getInt1Ty()));
  }
  // The rule for one more element at a later index: first, or no NaN yet and (NaN or wins).
  Value *argBetter(const ArgRule &r, Value *first, Value *x, Value *cur, Value *sawNaN) {
    Value *b = argWins(r, x, cur);
    if (isFloat(r.type))
      b = b_.CreateAnd(b_.CreateNot(sawNaN), b_.CreateOr(argIsNaN(r, x), b));
    return b_.CreateOr(first, b);
  }

  // argmax/argmin: the first extreme wins and the first NaN sticks. Along the contiguous last
  // axis, each of `width` lanes first finds that rule's winner among every width-th element;
  // the lanes are then combined (a NaN before any value, then the extreme, then the smaller
  // index) and the tail continues one element at a time: the same winner as one pass.
  Value *argReduction(const ir::Instr &in, const Index &kept) {
    ir::ValueId operand = in.operands[0];
    const Shape &shape = e_.plan.fn.typeOf(operand).shape;
    DType t = e_.plan.fn.typeOf(operand).dtype;
    llvm::Type *scalar = e_.scalarComputeType(t), *i64 = b_.getInt64Ty(), *i1 = b_.getInt1Ty();
    ArgRule rule{in.op == Op::ArgMax, t};
    bool fl = isFloat(t);
    size_t axis = size_t(in.get<ir::ReduceAttrs>().axes[0]);
    auto [lo, size] = reducedRange(axis, shape);
    auto wins = [&](Value *x, Value *cur) { return argWins(rule, x, cur); };
    auto isNaN = [&](Value *x) { return argIsNaN(rule, x); };
    auto better = [&](Value *first, Value *x, Value *cur, Value *sawNaN) {
      return argBetter(rule, first, x, cur, sawNaN);
    };
    llvm::AllocaInst *best = e_.slot(scalar, "best"), *bestAt = e_.slot(i64, "at");
    llvm::AllocaInst *sawNaN = e_.slot(i1, "nan");
    b_.CreateStore(llvm::Constant::getNullValue(scalar), best);
    b_.CreateStore(e_.i64(0), bestAt);
    b_.CreateStore(b_.getFalse(), sawNaN);
    Index idx = kept;
    Value *rest = lo;
    unsigned w = o_.vectorWidth;
    // Never in a partial function: a split reduction along the last axis is not an argmax.
    bool contiguous = axis + 1 == shape.size() && w > 1 && !chunk_;
    if (contiguous) {
      e_.width = w;
      llvm::Type *vt = e_.lanes(scalar), *vi = e_.lanes(i64), *vb = e_.lanes(i1);
      llvm::AllocaInst *vBest = e_.slot(vt, "vbest"), *vAt = e_.slot(vi, "vat"),
                       *vNaN = e_.slot(vb, "vnan");
      b_.CreateStore(llvm::Constant::getNullValue(vt), vBest);
      b_.CreateStore(llvm::Constant::getNullValue(vi), vAt);
      b_.CreateStore(llvm::Constant::getNullValue(vb), vNaN);
      rest = loop(e_.i64(0), size, int64_t(w), [&](Value *i) {
        e_.width = w;
        idx[axis] = AxisIndex{i, 1, nullptr};
        Value *x = e_.element(operand, idx);
        Value *at = e_.laneVector(idx[axis]);
        Value *cur = b_.CreateLoad(vt, vBest), *nan = b_.CreateLoad(vb, vNaN);
        Value *first = b_.CreateVectorSplat(w, b_.CreateICmpEQ(i, e_.i64(0)));
        Value *take = better(first, x, cur, nan);
        b_.CreateStore(b_.CreateSelect(take, x, cur), vBest);
        b_.CreateStore(b_.CreateSelect(take, at, b_.CreateLoad(vi, vAt)), vAt);
        b_.CreateStore(b_.CreateOr(nan, b_.CreateAnd(take, isNaN(x))), vNaN);
      });
      // The lanes' winners combined by halves: a NaN before any value (the earlier one of
      // two), then the extreme, then the smaller index. That is one total order, so the tree
      // finds the winner the lanes in order would.
      Value *cb = b_.CreateLoad(vt, vBest), *ci = b_.CreateLoad(vi, vAt),
            *cn = b_.CreateLoad(vb, vNaN);
      for (unsigned half = w / 2; half >= 1; half /= 2) {
        std::vector<int> lowLanes, highLanes;
        for (unsigned l = 0; l < half; ++l)
          lowLanes.push_back(int(l)), highLanes.push_back(int(l + half));
        auto low = [&](Value *v) { return b_.CreateShuffleVector(v, lowLanes); };
        auto high = [&](Value *v) { return b_.CreateShuffleVector(v, highLanes); };
        Value *ab = low(cb), *ai = low(ci), *an = low(cn);
        Value *x = high(cb), *xi = high(ci), *xn = high(cn);
        Value *earlier = b_.CreateICmpSLT(xi, ai);
        Value *equal = fl ? b_.CreateFCmpOEQ(x, ab) : b_.CreateICmpEQ(x, ab);
        Value *byValue = b_.CreateOr(wins(x, ab), b_.CreateAnd(equal, earlier));
        Value *take = b_.CreateSelect(an, b_.CreateAnd(xn, earlier), b_.CreateOr(xn, byValue));
        cb = b_.CreateSelect(take, x, ab);
        ci = b_.CreateSelect(take, xi, ai);
        cn = b_.CreateSelect(take, xn, an);
      }
      cb = b_.CreateExtractElement(cb, uint64_t(0));
      ci = b_.CreateExtractElement(ci, uint64_t(0));
      cn = b_.CreateExtractElement(cn, uint64_t(0));
      // Only when the vector loop ran: otherwise the tail starts from nothing.
      Value *ran = b_.CreateICmpSGT(rest, e_.i64(0));
      b_.CreateStore(b_.CreateSelect(ran, cb, llvm::Constant::getNullValue(scalar)), best);
      b_.CreateStore(b_.CreateSelect(ran, ci, e_.i64(0)), bestAt);
      b_.CreateStore(b_.CreateAnd(ran, cn), sawNaN);
    }
    e_.width = 1;
    loop(rest, size, 1, [&](Value *i) {
      idx[axis] = AxisIndex{i, 0, nullptr};
      Value *x = e_.element(operand, idx);
      Value *cur = b_.CreateLoad(scalar, best), *nan = b_.CreateLoad(i1, sawNaN);
      Value *take = better(b_.CreateICmpEQ(i, lo), x, cur, nan);
      b_.CreateStore(b_.CreateSelect(take, x, cur), best);
      b_.CreateStore(b_.CreateSelect(take, i, b_.CreateLoad(i64, bestAt)), bestAt);
      b_.CreateStore(b_.CreateOr(nan, b_.CreateAnd(take, isNaN(x))), sawNaN);
    });
    if (part_ == StagePart::Partial) {
      partialBest_ = b_.CreateLoad(scalar, best);
      return b_.CreateLoad(i64, bestAt);
    }
    return e_.cast(DType::I64, in.type.dtype, b_.CreateLoad(i64, bestAt));
  }

  // The operand index of reduction `in` for a position of its (stored) result.
  Index operandIndex(const ir::Instr &in, const Index &result) {
    const Shape &shape = e_.plan.fn.typeOf(in.operands[0]).shape;
    Index idx(shape.size(), AxisIndex{e_.i64(0), 0, nullptr});
    size_t r = 0;
    for (size_t j = 0; j < shape.size(); ++j) {
      bool reduced = in.get<ir::ReduceAttrs>().reduces(int64_t(j));
      if (!reduced)
        idx[j] = result[in.get<ir::ReduceAttrs>().keepdims ? j : r++];
      else if (in.get<ir::ReduceAttrs>().keepdims)
        ++r;
    }
    return idx;
  }

  // The reduced axes (outer to inner) walked around `body`, which reads the operand at `idx`.
  void reducedLoops(const std::vector<int64_t> &axes, size_t k, const Shape &shape, Index &idx,
                    const std::function<void()> &body) {
    if (k == axes.size())
      return body();
    size_t axis = size_t(axes[k]);
    auto [lo, hi] = reducedRange(axis, shape);
    loop(lo, hi, 1, [&](Value *i) {
      idx[axis] = AxisIndex{i, 0, nullptr};
      reducedLoops(axes, k + 1, shape, idx, body);
    });
  }

  // A reduction that keeps the last axis: loops over the output's leading axes, then along its
  // last axis `tile` vectors at a time (then one vector, then single lanes), each lane summing
  // its column over the reduced axes in order. The tile's partial results stay in registers
  // while the reduced axes are walked once for all of them.
  void keptReduceStage(size_t a, Index out) {
    const ir::Instr &in = e_.plan.fn.instrs[s_.root];
    size_t n = s_.domain.size();
    if (a + 1 < n)
      return axisLoop(a, out, [&] { keptReduceStage(a + 1, out); });
    ir::ValueId operand = in.operands[0];
    const Shape &shape = e_.plan.fn.typeOf(operand).shape;
    DType t = e_.plan.fn.typeOf(operand).dtype;
    std::vector<int64_t> axes = in.get<ir::ReduceAttrs>().axes;
    std::sort(axes.begin(), axes.end());
    llvm::Type *scalar = e_.scalarComputeType(t);
    auto [lo, hi] = range(a);
    bool arg = in.op == Op::ArgMax || in.op == Op::ArgMin;
    // argmax/argmin: each lane keeps its column's best value, its index and whether a NaN
    // came, walking the reduced axis in order: the first extreme (or NaN) wins, as one pass.
    auto argColumns = [&](Value *at, unsigned width, unsigned tile) {
      e_.width = width;
      ArgRule rule{in.op == Op::ArgMax, t};
      llvm::Type *vt = e_.lanes(scalar), *vi = e_.lanes(b_.getInt64Ty()),
                 *vb = e_.lanes(b_.getInt1Ty());
      std::vector<llvm::AllocaInst *> best, where, nan;
      for (unsigned u = 0; u < tile; ++u) {
        best.push_back(e_.slot(vt, "cbest"));
        where.push_back(e_.slot(vi, "cat"));
        nan.push_back(e_.slot(vb, "cnan"));
        b_.CreateStore(llvm::Constant::getNullValue(vt), best.back());
        b_.CreateStore(llvm::Constant::getNullValue(vi), where.back());
        b_.CreateStore(llvm::Constant::getNullValue(vb), nan.back());
      }
      Index idx = operandIndex(in, out);
      size_t axis = size_t(axes[0]);
      reducedLoops(axes, 0, shape, idx, [&] {
        e_.width = width;
        Value *i = idx[axis].base;
        Value *isFirst = b_.CreateICmpEQ(i, reducedRange(axis, shape).first);
        Value *first = width > 1 ? b_.CreateVectorSplat(width, isFirst) : isFirst;
        Value *position = width > 1 ? b_.CreateVectorSplat(width, i) : i;
        for (unsigned u = 0; u < tile; ++u) {
          idx.back() =
              AxisIndex{b_.CreateAdd(at, e_.i64(int64_t(u * width))), width > 1 ? 1 : 0, nullptr};
          Value *x = e_.element(operand, idx);
          Value *cur = b_.CreateLoad(vt, best[u]), *sawNaN = b_.CreateLoad(vb, nan[u]);
          Value *take = argBetter(rule, first, x, cur, sawNaN);
          b_.CreateStore(b_.CreateSelect(take, x, cur), best[u]);
          b_.CreateStore(b_.CreateSelect(take, position, b_.CreateLoad(vi, where[u])), where[u]);
          b_.CreateStore(b_.CreateOr(sawNaN, b_.CreateAnd(take, argIsNaN(rule, x))), nan[u]);
        }
      });
      e_.width = width;
      for (unsigned u = 0; u < tile; ++u) {
        out[a] =
            AxisIndex{b_.CreateAdd(at, e_.i64(int64_t(u * width))), width > 1 ? 1 : 0, nullptr};
        if (part_ == StagePart::Partial) {
          storePartial(0, partialType(t), out, b_.CreateLoad(vt, best[u]));
          storePartial(1, DType::I64, out, b_.CreateLoad(vi, where[u]));
          continue;
        }
        Value *v = e_.cast(DType::I64, in.type.dtype, b_.CreateLoad(vi, where[u]));
        e_.store(targetBuffer(), in.type.dtype, in.type.shape, out, v);
      }
    };
    auto columns = [&](Value *at, unsigned width, unsigned tile) {
      if (arg)
        return argColumns(at, width, tile);
      Combine c = combineOf(in.op);
      e_.width = width;
      llvm::Type *accTy = e_.lanes(scalar);
      std::vector<llvm::AllocaInst *> acc;
      for (unsigned u = 0; u < tile; ++u) {
        acc.push_back(e_.slot(accTy, "cacc"));
        b_.CreateStore(e_.splat(identity(c, t, scalar)), acc.back());
      }
      Index idx = operandIndex(in, out);
      reducedLoops(axes, 0, shape, idx, [&] {
        e_.width = width;
        for (unsigned u = 0; u < tile; ++u) {
          idx.back() =
              AxisIndex{b_.CreateAdd(at, e_.i64(int64_t(u * width))), width > 1 ? 1 : 0, nullptr};
          Value *x = e_.element(operand, idx);
          b_.CreateStore(combine(c, t, b_.CreateLoad(accTy, acc[u]), x), acc[u]);
        }
      });
      e_.width = width;
      for (unsigned u = 0; u < tile; ++u) {
        Value *v = b_.CreateLoad(accTy, acc[u]);
        out[a] =
            AxisIndex{b_.CreateAdd(at, e_.i64(int64_t(u * width))), width > 1 ? 1 : 0, nullptr};
        if (part_ == StagePart::Partial)
          storePartial(0, partialType(t), out, v);
        else
          e_.store(targetBuffer(), in.type.dtype, in.type.shape, out, finish(in, v));
      }
    };
    // As many vectors per pass as the registers hold (half of them accumulators), and no
    // more than the row has: one pass over the reduced axes then covers a whole short row.
    // argmax/argmin hold three registers a vector (the value and the i64 index in two).
    unsigned w = o_.vectorWidth, tile = scheduleOf(e_.plan, s_, o_).tile;
    Value *rest = loop(lo, hi, int64_t(w * tile), [&](Value *i) { columns(i, w, tile); });
    if (tile > 1)
      rest = loop(rest, hi, int64_t(w), [&](Value *i) { columns(i, w, 1); });
    loop(rest, hi, 1, [&](Value *i) { columns(i, 1, 1); });
    e_.width = 1;
  }

  void reduceStage(size_t a, Index out) {
    const ir::Instr &in = e_.plan.fn.instrs[s_.root];
    // Columns (the plan's choice): whole vectors along the kept contiguous axis, instead of
    // each output gathering its reduced elements one stride apart.
    if (a == 0 && s_.columns && o_.vectorWidth > 1)
      return keptReduceStage(0, out);
    if (a == s_.domain.size()) {
      Value *v = reduction(s_.root, operandIndex(in, out));
      e_.width = 1;
      if (part_ != StagePart::Partial) {
        e_.store(targetBuffer(), in.type.dtype, in.type.shape, out, v);
      } else if (in.op == Op::ArgMax || in.op == Op::ArgMin) {
        storePartial(0, partialType(e_.plan.fn.typeOf(in.operands[0]).dtype), out, partialBest_);
        storePartial(1, DType::I64, out, v);
      } else {
        storePartial(0, partialType(e_.plan.fn.typeOf(in.operands[0]).dtype), out, v);
      }
      return;
    }
    axisLoop(a, out, [&] { reduceStage(a + 1, out); });
  }

  // --- split reductions (Layout.h): partial results per chunk of the operand's axis 0, then
  // their combination in chunk order, so the result never depends on which thread did what.
  void partialStage() {
    const ir::Instr &in = e_.plan.fn.instrs[s_.root];
    Value *length = e_.symbolAt(e_.layout.chunkSymbol(size_t(place_)));
    Value *extent = e_.dim(e_.plan.fn.typeOf(in.operands[0]).shape[0]);
    loop(e_.beginArg(), e_.endArg(), 1, [&](Value *c) {
      chunk_ = c;
      chunkLo_ = b_.CreateMul(c, length);
      chunkHi_ =
          b_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, b_.CreateAdd(chunkLo_, length), extent);
      reduceStage(0, Index(s_.domain.size()));
    });
    chunk_ = chunkLo_ = chunkHi_ = nullptr;
  }

  // Scratch row `chunk` of plane `plane`, at the result position `out` (`width` lanes).
  std::pair<Shape, Index> scratchAt(Value *chunk, Index out) const {
    Shape shape = e_.plan.fn.instrs[s_.root].type.shape;
    shape.insert(shape.begin(), Dim(1)); // only the strides of the later axes matter
    out.insert(out.begin(), AxisIndex{chunk, 0, nullptr});
    return {std::move(shape), std::move(out)};
  }
  void storePartial(size_t plane, DType t, const Index &out, Value *v) {
    auto [shape, idx] = scratchAt(chunk_, out);
    e_.store(e_.layout.scratchBuffer(size_t(place_), plane), t, shape, idx, v);
  }
  Value *loadPartial(size_t plane, DType t, Value *chunk, const Index &out) {
    auto [shape, idx] = scratchAt(chunk, out);
    return e_.loadStored(e_.layout.scratchBuffer(size_t(place_), plane), t, shape, idx);
  }

  // Rows [0, end) of the scratch combined in order: vectors along the result's last axis.
  void joinStage() {
    Index out(s_.domain.size());
    joinAxes(0, out);
    e_.width = 1;
  }
  void joinAxes(size_t a, Index &out) {
    size_t n = s_.domain.size();
    if (a == n) {
      e_.width = 1;
      return joinElement(out);
    }
    Value *size = e_.dim(s_.domain[a]);
    if (a + 1 < n)
      return (void)loop(e_.i64(0), size, 1, [&](Value *i) {
        out[a] = AxisIndex{i, 0, nullptr};
        joinAxes(a + 1, out);
      });
    lanes(
        e_.i64(0), size,
        [&](Value *i) {
          out[a] = AxisIndex{i, e_.width > 1 ? 1 : 0, nullptr};
          joinElement(out);
        },
        s_.domain[a].asConstant());
  }
  void joinElement(const Index &out) {
    const ir::Instr &in = e_.plan.fn.instrs[s_.root];
    DType t = e_.plan.fn.typeOf(in.operands[0]).dtype, pt = partialType(t);
    llvm::AllocaInst *acc = e_.slot(e_.computeType(pt), "jacc");
    b_.CreateStore(loadPartial(0, pt, e_.i64(0), out), acc);
    if (in.op == Op::ArgMax || in.op == Op::ArgMin) {
      // A later chunk's best wins only by the rule for a later index: so ties and NaNs go to
      // the earliest chunk, as in one pass.
      ArgRule rule{in.op == Op::ArgMax, t};
      llvm::AllocaInst *where = e_.slot(e_.lanes(b_.getInt64Ty()), "jat");
      b_.CreateStore(loadPartial(1, DType::I64, e_.i64(0), out), where);
      loop(e_.i64(1), e_.endArg(), 1, [&](Value *c) {
        Value *x = loadPartial(0, pt, c, out), *cur = b_.CreateLoad(e_.computeType(pt), acc);
        Value *never = llvm::Constant::getNullValue(e_.lanes(b_.getInt1Ty()));
        Value *take = argBetter(rule, never, x, cur, argIsNaN(rule, cur));
        b_.CreateStore(b_.CreateSelect(take, x, cur), acc);
        Value *at = b_.CreateLoad(e_.lanes(b_.getInt64Ty()), where);
        b_.CreateStore(b_.CreateSelect(take, loadPartial(1, DType::I64, c, out), at), where);
      });
      Value *v = b_.CreateLoad(e_.lanes(b_.getInt64Ty()), where);
      e_.store(targetBuffer(), in.type.dtype, in.type.shape, out,
               e_.cast(DType::I64, in.type.dtype, v));
      return;
    }
    Combine c = combineOf(in.op);
    loop(e_.i64(1), e_.endArg(), 1, [&](Value *k) {
      Value *x = loadPartial(0, pt, k, out);
      b_.CreateStore(combine(c, t, b_.CreateLoad(e_.computeType(pt), acc), x), acc);
    });
    Value *v = b_.CreateLoad(e_.computeType(pt), acc);
    e_.store(targetBuffer(), in.type.dtype, in.type.shape, out, finish(in, v));
  }

  // --- scans: out[k] = out[k - 1] op x[k] along the axis, each step rounded to the dtype
  // A scan along an axis other than the last goes row by row along it: each row of results is
  // the previous row (read back from the output, still in cache) op the input row, in vectors
  // along the contiguous last axis - one streaming pass, where walking each column down the
  // axis would stride through memory. Each element still takes exactly its column's steps.
  void scanStage(size_t a, Index idx) {
    const ir::Instr &in = e_.plan.fn.instrs[s_.root];
    size_t axis = size_t(in.get<ir::AxisAttrs>().axis), n = s_.domain.size();
    if (axis + 1 < n && o_.vectorWidth > 1 &&
        targetBuffer() == bufferOf(e_.plan, e_.layout, s_.root))
      return scanRows(0, idx);
    if (a == axis)
      return scanStage(a + 1, idx);
    if (a < n) {
      auto [lo, hi] = range(a);
      if (a + 1 == n && o_.vectorWidth > 1) {
        lanes(
            lo, hi,
            [&](Value *i) {
              idx[a] = AxisIndex{i, e_.width > 1 ? 1 : 0, nullptr};
              scanAlong(idx);
            },
            extentOf(a, s_.domain[a]));
        return;
      }
      e_.width = 1;
      return axisLoop(a, idx, [&] { scanStage(a + 1, idx); });
    }
    e_.width = 1;
    scanAlong(idx);
  }

  // The axes before the scan's as loops, then its rows in order: the first copied, each later
  // one computed from the one before.
  void scanRows(size_t a, Index idx) {
    const ir::Instr &in = e_.plan.fn.instrs[s_.root];
    size_t axis = size_t(in.get<ir::AxisAttrs>().axis);
    if (a < axis)
      return axisLoop(a, idx, [&] { scanRows(a + 1, idx); });
    Value *size = e_.dim(s_.domain[axis]);
    Value *one = b_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, size, e_.i64(1));
    loop(e_.i64(0), one, 1, [&](Value *k) {
      idx[axis] = AxisIndex{k, 0, nullptr};
      scanRow(axis + 1, idx, false);
    });
    loop(e_.i64(1), size, 1, [&](Value *k) {
      idx[axis] = AxisIndex{k, 0, nullptr};
      scanRow(axis + 1, idx, true);
    });
  }

  void scanRow(size_t a, Index idx, bool fromPrevious) {
    if (a + 1 < s_.domain.size())
      return axisLoop(a, idx, [&] { scanRow(a + 1, idx, fromPrevious); });
    const ir::Instr &in = e_.plan.fn.instrs[s_.root];
    size_t axis = size_t(in.get<ir::AxisAttrs>().axis);
    DType t = in.type.dtype;
    Op op = in.op == Op::CumSum ? Op::Add : Op::Mul;
    auto [lo, hi] = range(a);
    lanes(
        lo, hi,
        [&](Value *i) {
          idx[a] = AxisIndex{i, e_.width > 1 ? 1 : 0, nullptr};
          Value *v = e_.element(in.operands[0], idx);
          if (fromPrevious) {
            Index previous = idx;
            previous[axis] = AxisIndex{b_.CreateSub(idx[axis].base, e_.i64(1)), 0, nullptr};
            v = e_.binary(op, t, e_.load(s_.root, previous), v);
          }
          e_.store(targetBuffer(), t, in.type.shape, idx, v);
        },
        extentOf(a, s_.domain[a]));
  }

  // out[k] = out[k - 1] op x[k] along the scan's axis, at the current width.
  void scanAlong(Index idx) {
    const ir::Instr &in = e_.plan.fn.instrs[s_.root];
    size_t axis = size_t(in.get<ir::AxisAttrs>().axis);
    DType t = in.type.dtype;
    unsigned width = e_.width;
    llvm::Type *type = e_.computeType(t);
    llvm::AllocaInst *acc = e_.slot(type, "scan");
    Op op = in.op == Op::CumSum ? Op::Add : Op::Mul;
    loop(e_.i64(0), e_.dim(s_.domain[axis]), 1, [&](Value *i) {
      e_.width = width;
      idx[axis] = AxisIndex{i, 0, nullptr};
      Value *x = e_.element(in.operands[0], idx);
      Value *next = e_.binary(op, t, b_.CreateLoad(type, acc), x);
      Value *v = b_.CreateSelect(b_.CreateICmpEQ(i, e_.i64(0)), x, next);
      b_.CreateStore(v, acc);
      e_.store(targetBuffer(), t, in.type.shape, idx, v);
    });
  }

  // --- matmul: out[..., m, n] = sum_k a[..., m, k] * b[..., k, n]; lanes along n
  // OpenBLAS (Stage::blas): the rows of this call's block of axis 0 - every leading axis of
  // the left operand is rows of one [rows, K] matrix, as the buffers are contiguous.
  void blasStage() {
    const ir::Instr &in = e_.plan.fn.instrs[s_.root];
    bool f64 = in.type.dtype == DType::F64;
    llvm::Type *elem = f64 ? b_.getDoubleTy() : b_.getFloatTy(), *i64 = b_.getInt64Ty();
    size_t n = s_.domain.size();
    auto [lo, hi] = range(0);
    Value *inner = e_.i64(1); // rows per index of axis 0
    for (size_t a = 1; a + 1 < n; ++a)
      inner = b_.CreateMul(inner, e_.dim(s_.domain[a]));
    const Shape &lhs = e_.plan.fn.typeOf(in.operands[0]).shape;
    Value *k = e_.dim(lhs.back()), *cols = e_.dim(s_.domain.back());
    auto pointer = [&](size_t buffer, Value *offset) {
      return b_.CreateInBoundsGEP(elem, e_.bufferPointer(buffer), offset);
    };
    llvm::Type *ptr = b_.getPtrTy();
    llvm::FunctionCallee gemm = e_.module.getOrInsertFunction(
        f64 ? "lamina_gemm_f64" : "lamina_gemm_f32",
        llvm::FunctionType::get(b_.getVoidTy(), {ptr, ptr, ptr, i64, i64, i64}, false));
    size_t lhsBuffer = bufferOf(e_.plan, e_.layout, in.operands[0]);
    size_t rhsBuffer = bufferOf(e_.plan, e_.layout, in.operands[1]);
    if (e_.plan.fn.typeOf(in.operands[1]).rank() > 2) { // a batch: one call per matrix
      Value *m = e_.dim(lhs[1]);
      loop(lo, hi, 1, [&](Value *batch) {
        Value *a = pointer(lhsBuffer, b_.CreateMul(batch, b_.CreateMul(m, k)));
        Value *w = pointer(rhsBuffer, b_.CreateMul(batch, b_.CreateMul(k, cols)));
        Value *c = pointer(targetBuffer(), b_.CreateMul(batch, b_.CreateMul(m, cols)));
        b_.CreateCall(gemm, {a, w, c, m, k, cols});
      });
      return;
    }
    Value *first = b_.CreateMul(lo, inner), *rows = b_.CreateMul(b_.CreateSub(hi, lo), inner);
    Value *a = pointer(lhsBuffer, b_.CreateMul(first, k));
    Value *w = pointer(rhsBuffer, e_.i64(0));
    Value *c = pointer(targetBuffer(), b_.CreateMul(first, cols));
    b_.CreateCall(gemm, {a, w, c, rows, k, cols});
  }

  void matmulStage(size_t a, Index out) {
    if (s_.blas)
      return blasStage();
    size_t n = s_.domain.size();
    const ir::Instr &root = e_.plan.fn.instrs[s_.root];
    bool blocked = root.type.dtype != DType::Bool && o_.vectorWidth > 1;
    if (blocked && a + 2 == n)
      return matmulBlocked(out);
    if (a + 1 < n)
      return axisLoop(a, out, [&] { matmulStage(a + 1, out); });
    const ir::Instr &in = e_.plan.fn.instrs[s_.root];
    DType t = in.type.dtype;
    ir::ValueId lhs = in.operands[0], rhs = in.operands[1];
    const Shape &ls = e_.plan.fn.typeOf(lhs).shape, &rs = e_.plan.fn.typeOf(rhs).shape;
    auto [lo, hi] = range(a);
    lanes(lo, hi, [&](Value *col) {
      int64_t stride = e_.width > 1 ? 1 : 0;
      out[a] = AxisIndex{col, stride, nullptr};
      Index li = matmulBatch(ls, out), ri = matmulBatch(rs, out);
      li.push_back(out[n - 2]);
      li.push_back({});
      ri.push_back({});
      ri.push_back(out[n - 1]);
      llvm::Type *ty = e_.computeType(t);
      bool wide = t == DType::Bool;
      llvm::Type *accTy = wide ? e_.lanes(b_.getInt64Ty()) : ty;
      llvm::AllocaInst *acc = e_.slot(accTy, "mm");
      b_.CreateStore(llvm::Constant::getNullValue(accTy), acc);
      unsigned width = e_.width;
      loop(e_.i64(0), e_.dim(ls.back()), 1, [&](Value *k) {
        e_.width = width;
        li.back() = AxisIndex{k, 0, nullptr};
        ri[ri.size() - 2] = AxisIndex{k, 0, nullptr};
        Value *x = e_.element(lhs, li), *y = e_.element(rhs, ri);
        Value *sum = b_.CreateLoad(accTy, acc), *next;
        if (wide)
          next = b_.CreateOr(sum, b_.CreateZExt(b_.CreateAnd(x, y), accTy));
        else if (isFloat(t))
          next = b_.CreateFAdd(sum, b_.CreateFMul(x, y));
        else
          next = b_.CreateAdd(sum, b_.CreateMul(x, y));
        b_.CreateStore(next, acc);
      });
      Value *v = b_.CreateLoad(accTy, acc);
      v = wide ? b_.CreateICmpNE(v, llvm::Constant::getNullValue(accTy)) : e_.round(t, v);
      storeProduct(out, v);
    });
  }

  // The batch axes of a product's operand at the output's batch position (they broadcast
  // right-aligned, as elementwise operands do).
  Index matmulBatch(const Shape &operand, const Index &out) {
    Shape batch(s_.domain.begin(), s_.domain.end() - 2), sb(operand.begin(), operand.end() - 2);
    Index idx;
    size_t offset = batch.size() - sb.size();
    for (size_t j = 0; j < sb.size(); ++j) {
      bool one = sb[j].isConstant() && sb[j].constant() == 1 && !(sb[j] == batch[j + offset]);
      idx.push_back(one ? AxisIndex{e_.i64(0), 0, nullptr} : out[j + offset]);
    }
    return idx;
  }

  // The product's value at `out` (`e_.width` lanes, in its compute type) stored, or, with an
  // epilogue (Stage::epilogue), the epilogue computed from it at the same element and stored.
  void storeProduct(const Index &out, Value *value) {
    const ir::Instr &in = e_.plan.fn.instrs[s_.root];
    if (!s_.epilogue)
      return e_.store(targetBuffer(), in.type.dtype, in.type.shape, out, value);
    const ir::Instr &epilogue = e_.plan.fn.instrs[*s_.epilogue];
    e_.clearMemo();
    e_.ownValues[s_.root] = value;
    Value *v = e_.compute(*s_.epilogue, out);
    e_.ownValues.clear();
    e_.clearMemo();
    e_.store(targetBuffer(), epilogue.type.dtype, epilogue.type.shape, out, v);
  }

  // Runs `body` when `condition` holds.
  void when(Value *condition, const std::function<void()> &body) {
    auto *then = llvm::BasicBlock::Create(e_.ctx, "then", e_.fn);
    auto *done = llvm::BasicBlock::Create(e_.ctx, "done", e_.fn);
    b_.CreateCondBr(condition, then, done);
    b_.SetInsertPoint(then);
    e_.clearMemo();
    body();
    e_.clearMemo();
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
  }

  // A register-blocked product (numbers, not bool; Schedule.cpp chooses the blocks): the
  // output in blocks of `rows` rows by `vecs` vectors of columns, each block's sums held in
  // registers while k runs - every row vector of the right operand serves `rows` sums, every
  // broadcast element of the left `vecs` of them. Each output sums its k terms in order.
  //
  // Packed: the right operand is computed into a panel of (a block of) K rows x vecs vectors
  // once per panel - its producers (a transpose, a scale, a cast) run there, not once per
  // block of rows - and the blocks read it contiguously from L1. The last panel is
  // zero-padded past the last column, so its blocks are whole vectors too; only their stores
  // go lane by lane. When K is blocked (Schedule::depthBlock), each block of K continues the
  // sums the one before stored in the output, in k order still, and the last one stores the
  // result (or its epilogue). Unpacked: the blocks read the right operand where it is, then
  // a scalar tail.
  void matmulBlocked(Index out) {
    size_t n = s_.domain.size();
    const ir::Instr &in = e_.plan.fn.instrs[s_.root];
    DType t = in.type.dtype;
    ir::ValueId lhs = in.operands[0], rhs = in.operands[1];
    const Shape &ls = e_.plan.fn.typeOf(lhs).shape, &rs = e_.plan.fn.typeOf(rhs).shape;
    const unsigned w = o_.vectorWidth;
    const Schedule schedule = scheduleOf(e_.plan, s_, o_);
    Value *columns = e_.dim(s_.domain[n - 1]), *depth = e_.dim(ls.back());
    llvm::Type *scalar = e_.scalarComputeType(t);
    const unsigned laneBytes = scalar->getScalarSizeInBits() / 8;
    const llvm::Align vectorAlign(std::min(64u, w * laneBytes));
    const int64_t kc = schedule.depthBlock;
    Index li = matmulBatch(ls, out), ri = matmulBatch(rs, out);
    li.resize(li.size() + 2);
    ri.resize(ri.size() + 2);
    llvm::AllocaInst *panel = nullptr, *edge = nullptr;
    if (schedule.packed) {
      uint64_t panelRows = uint64_t(kc ? kc : *ls.back().asConstant());
      panel = e_.slot(scalar, "panel", panelRows * std::max(schedule.tile, schedule.tailTile) * w);
    }
    auto panelAt = [&](Value *row, unsigned stride, unsigned v) {
      Value *at = b_.CreateAdd(b_.CreateMul(row, e_.i64(stride)), e_.i64(int64_t(v * w)));
      return b_.CreateInBoundsGEP(scalar, panel, at);
    };
    // Depths [k0, k1) of the right operand's columns [c, c + vecs * w) into the panel; past
    // `columns` (the last panel) the lanes read the last column and are set to 0.
    auto pack = [&](Value *c, unsigned vecs, bool whole, Value *k0, Value *k1) {
      loop(k0, k1, 1, [&](Value *k) {
        e_.width = w;
        ri[ri.size() - 2] = AxisIndex{k, 0, nullptr};
        for (unsigned v = 0; v < vecs; ++v) {
          Value *first = b_.CreateAdd(c, e_.i64(int64_t(v * w)));
          Value *x;
          if (whole) {
            ri.back() = AxisIndex{first, 1, nullptr};
            x = e_.element(rhs, ri);
          } else {
            Value *lanes = e_.laneVector(AxisIndex{first, 1, nullptr});
            Value *last = b_.CreateVectorSplat(w, b_.CreateSub(columns, e_.i64(1)));
            ri.back() =
                AxisIndex{first, 0, b_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, lanes, last)};
            x = b_.CreateSelect(b_.CreateICmpSLE(lanes, last), e_.element(rhs, ri),
                                llvm::Constant::getNullValue(e_.computeType(t)));
          }
          b_.CreateAlignedStore(x, panelAt(b_.CreateSub(k, k0), vecs * w, v), vectorAlign);
        }
      });
    };
    // Lanes [c, c + w) of row `at` of which only `valid` are columns, lane by lane: stored
    // from `sums` (as the result, or as partial sums), or loaded (the partial sums so far).
    auto edgeLanes = [&](Index &at, Value *c, Value *valid,
                         const std::function<void(Value *)> &each) {
      Value *count = b_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, valid, e_.i64(w));
      loop(e_.i64(0), count, 1, [&](Value *j) {
        e_.width = 1;
        at[n - 1] = AxisIndex{b_.CreateAdd(c, j), 0, nullptr};
        each(b_.CreateInBoundsGEP(scalar, edge, j));
      });
      e_.width = w;
    };
    // Sums at row `at`, columns from c: the result (or its epilogue) where `last` holds (or is
    // null), else partial sums for the next block of K.
    auto finish = [&](Index &at, Value *c, Value *sums, Value *valid, Value *last) {
      auto emit = [&](bool result) {
        auto put = [&](const Index &i, Value *v) {
          if (result)
            storeProduct(i, v);
          else
            e_.store(targetBuffer(), t, in.type.shape, i, v);
        };
        if (!valid) {
          at[n - 1] = AxisIndex{c, e_.width > 1 ? 1 : 0, nullptr};
          return put(at, sums);
        }
        b_.CreateAlignedStore(sums, edge, vectorAlign);
        edgeLanes(at, c, valid, [&](Value *lane) { put(at, b_.CreateLoad(scalar, lane)); });
      };
      if (!last)
        return emit(true);
      auto *yes = llvm::BasicBlock::Create(e_.ctx, "result", e_.fn);
      auto *no = llvm::BasicBlock::Create(e_.ctx, "partial", e_.fn);
      auto *done = llvm::BasicBlock::Create(e_.ctx, "stored", e_.fn);
      b_.CreateCondBr(last, yes, no);
      for (auto [block, result] : {std::pair{yes, true}, std::pair{no, false}}) {
        b_.SetInsertPoint(block);
        e_.clearMemo();
        emit(result);
        e_.clearMemo();
        b_.CreateBr(done);
      }
      b_.SetInsertPoint(done);
    };
    // One block: rows [m, m + rows) by vectors of columns from c, depths [k0, k1). `valid`:
    // columns left from c in the last packed panel, or null where every lane is a column.
    // `first`/`last`: whether this is the first/last block of K (null: K is not blocked).
    struct Depth {
      Value *k0, *k1, *first, *last;
    };
    auto block = [&](Value *m, unsigned rows, Value *c, unsigned vecs, unsigned width, Value *valid,
                     const Depth &d) {
      e_.width = width;
      llvm::Type *ty = e_.computeType(t);
      std::vector<llvm::AllocaInst *> acc;
      for (unsigned r = 0; r < rows; ++r)
        for (unsigned v = 0; v < vecs; ++v) {
          acc.push_back(e_.slot(ty, "mm"));
          Value *start = llvm::Constant::getNullValue(ty);
          if (d.first) { // the sums so far (read even in the first block, then ignored)
            out[n - 2] = AxisIndex{b_.CreateAdd(m, e_.i64(r)), 0, nullptr};
            Value *cv = b_.CreateAdd(c, e_.i64(int64_t(v * w)));
            Value *previous;
            if (valid) {
              edgeLanes(out, cv, b_.CreateSub(valid, e_.i64(v * w)), [&](Value *lane) {
                b_.CreateStore(e_.loadStored(targetBuffer(), t, in.type.shape, out), lane);
              });
              previous = b_.CreateAlignedLoad(ty, edge, vectorAlign);
            } else {
              out[n - 1] = AxisIndex{cv, 1, nullptr};
              previous = e_.loadStored(targetBuffer(), t, in.type.shape, out);
            }
            start = b_.CreateSelect(d.first, start, previous);
          }
          b_.CreateStore(start, acc.back());
        }
      int64_t stride = width > 1 ? 1 : 0;
      loop(d.k0, d.k1, 1, [&](Value *k) {
        e_.width = width;
        std::vector<Value *> right(vecs), left(rows);
        for (unsigned v = 0; v < vecs; ++v) {
          if (panel) {
            right[v] =
                b_.CreateAlignedLoad(ty, panelAt(b_.CreateSub(k, d.k0), vecs * w, v), vectorAlign);
            continue;
          }
          ri[ri.size() - 2] = AxisIndex{k, 0, nullptr};
          ri.back() = AxisIndex{b_.CreateAdd(c, e_.i64(int64_t(v * width))), stride, nullptr};
          right[v] = e_.element(rhs, ri);
        }
        for (unsigned r = 0; r < rows; ++r) {
          li[li.size() - 2] = AxisIndex{b_.CreateAdd(m, e_.i64(r)), 0, nullptr};
          li.back() = AxisIndex{k, 0, nullptr};
          left[r] = e_.element(lhs, li);
        }
        for (unsigned r = 0; r < rows; ++r)
          for (unsigned v = 0; v < vecs; ++v) {
            llvm::AllocaInst *sum = acc[r * vecs + v];
            Value *x = left[r], *y = right[v], *old = b_.CreateLoad(ty, sum);
            // x * y + old, one rounding where the target has fused multiply-adds.
            b_.CreateStore(isFloat(t)
                               ? b_.CreateIntrinsic(llvm::Intrinsic::fmuladd, {ty}, {x, y, old})
                               : b_.CreateAdd(old, b_.CreateMul(x, y)),
                           sum);
          }
      });
      e_.width = width;
      std::vector<Value *> sums;
      for (llvm::AllocaInst *a : acc)
        sums.push_back(e_.round(t, b_.CreateLoad(ty, a)));
      for (unsigned r = 0; r < rows; ++r)
        for (unsigned v = 0; v < vecs; ++v) {
          out[n - 2] = AxisIndex{b_.CreateAdd(m, e_.i64(r)), 0, nullptr};
          Value *cv = b_.CreateAdd(c, e_.i64(int64_t(v * width)));
          finish(out, cv, sums[r * vecs + v], valid ? b_.CreateSub(valid, e_.i64(v * w)) : nullptr,
                 d.last);
        }
    };
    // Every row of this call, in blocks of `rows`, then of halves of it down to one.
    auto rowBlocks = [&](unsigned rows, const std::function<void(Value *, unsigned)> &body) {
      auto [lo, hi] = range(n - 2);
      Value *rest = lo;
      for (unsigned r = rows;; r = std::max(1u, r / 2)) {
        rest = loop(rest, hi, r, [&](Value *m) { body(m, r); });
        if (r == 1)
          break;
      }
    };
    if (!panel) {
      const unsigned vecs = schedule.tile;
      Depth all{e_.i64(0), depth, nullptr, nullptr};
      rowBlocks(schedule.rows, [&](Value *m, unsigned rows) {
        Value *rest = loop(e_.i64(0), columns, int64_t(vecs * w),
                           [&](Value *c) { block(m, rows, c, vecs, w, nullptr, all); });
        rest = loop(rest, columns, int64_t(w),
                    [&](Value *c) { block(m, rows, c, 1, w, nullptr, all); });
        loop(rest, columns, 1, [&](Value *c) { block(m, rows, c, 1, 1, nullptr, all); });
      });
      e_.width = 1;
      return;
    }
    edge = e_.slot(scalar, "edge", w);
    // Columns [c, c + vecs * w) - `valid` of them in the last panel - a block of K at a time.
    auto panels = [&](Value *c, unsigned vecs, unsigned rows, Value *valid) {
      auto run = [&](const Depth &d) {
        pack(c, vecs, !valid, d.k0, d.k1);
        rowBlocks(rows, [&](Value *m, unsigned r) { block(m, r, c, vecs, w, valid, d); });
      };
      if (!kc)
        return run(Depth{e_.i64(0), depth, nullptr, nullptr});
      // At least one block, so that K = 0 stores zeros.
      Value *count =
          b_.CreateBinaryIntrinsic(llvm::Intrinsic::smax, e_.i64(1),
                                   b_.CreateSDiv(b_.CreateAdd(depth, e_.i64(kc - 1)), e_.i64(kc)));
      loop(e_.i64(0), count, 1, [&](Value *kb) {
        Value *k0 = b_.CreateMul(kb, e_.i64(kc));
        Value *k1 =
            b_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, b_.CreateAdd(k0, e_.i64(kc)), depth);
        run(Depth{k0, k1, b_.CreateICmpEQ(kb, e_.i64(0)), b_.CreateICmpEQ(k1, depth)});
      });
    };
    const unsigned vecs = schedule.tile, tail = schedule.tailTile;
    Value *rest = loop(e_.i64(0), columns, int64_t(vecs * w),
                       [&](Value *c) { panels(c, vecs, schedule.rows, nullptr); });
    when(b_.CreateICmpSLT(rest, columns),
         [&] { panels(rest, tail, schedule.tailRows, b_.CreateSub(columns, rest)); });
    e_.width = 1;
  }

  Emitter &e_;
  llvm::IRBuilder<> &b_;
  const Stage &s_;
  const CodegenOptions &o_;
  StagePart part_;
  int place_; // among the split reductions (Layout.h), or -1
  // In a partial function: the chunk being reduced and its rows of the operand's axis 0.
  Value *chunk_ = nullptr, *chunkLo_ = nullptr, *chunkHi_ = nullptr;
  Value *partialBest_ = nullptr; // a partial argmax/argmin's value, beside its index
};

} // namespace

std::string stageSymbol(const std::string &prefix, size_t stage, StagePart part) {
  static constexpr const char *kSuffix[] = {"", "p", "j"};
  return fmt::format("{}_s{}{}", prefix, stage, kSuffix[size_t(part)]);
}

std::unique_ptr<llvm::Module> emitModule(const transforms::KernelPlan &plan,
                                         const KernelLayout &layout, llvm::LLVMContext &ctx,
                                         const std::string &prefix, const CodegenOptions &options) {
  auto module = std::make_unique<llvm::Module>(prefix, ctx);
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx), *i64 = llvm::Type::getInt64Ty(ctx);
  auto *type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr, ptr, i64, i64}, false);
  auto define = [&](size_t k, StagePart part) {
    auto *fn = llvm::Function::Create(type, llvm::Function::ExternalLinkage,
                                      stageSymbol(prefix, k, part), *module);
    fn->addFnAttr(llvm::Attribute::NoUnwind);
    fn->addFnAttr(llvm::Attribute::NoFree);
    fn->addFnAttr(llvm::Attribute::NoRecurse);
    fn->addFnAttr(llvm::Attribute::WillReturn);
    for (unsigned a = 0; a < 2; ++a) {
      fn->addParamAttr(a, llvm::Attribute::NoAlias);
      fn->addParamAttr(a, llvm::Attribute::ReadOnly);
      fn->addParamAttr(a, llvm::Attribute::NoCapture);
    }
    Emitter e(plan, layout, fn);
    StageEmitter(e, plan.stages[k], options, part, layout.split[k]).run();
    e.finish();
  };
  for (size_t k = 0; k < plan.stages.size(); ++k) {
    define(k, StagePart::Whole);
    if (layout.split[k] >= 0) {
      define(k, StagePart::Partial);
      define(k, StagePart::Join);
    }
  }
  return module;
}

} // namespace lamina::codegen
