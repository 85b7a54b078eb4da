// Running a compiled kernel: bind the symbols from the input shapes, check what sema could
// only accept symbolically (once per distinct set of sizes), then call each stage, splitting
// its outer axis over the executor when there is enough work.

#include "compiler/jit/KernelImpl.h"

#include "compiler/interp/Interpreter.h"
#include "compiler/interp/Specialize.h"
#include "compiler/types/Elements.h"

#include <llvm/ADT/SmallVector.h>

#include <algorithm>
#include <limits>
#include <map>

namespace lamina::jit {

Kernel::Kernel(std::shared_ptr<const Impl> impl, ir::Function checked, size_t boundShapesCapacity)
    : impl_(std::move(impl)),
      checks_(std::make_unique<const Checks>(std::move(checked), boundShapesCapacity)) {}
Kernel::~Kernel() = default;

const ir::Function &Kernel::function() const { return impl_->plan.fn; }
std::string Kernel::planText() const { return transforms::print(impl_->plan); }
size_t Kernel::stageCount() const { return impl_->stages.size(); }

size_t Kernel::boundShapesCached() const {
  std::lock_guard lock(checks_->boundMutex);
  return checks_->bound.size();
}

namespace {

// The one call into JIT-compiled code. Clang's UBSan -fsanitize=function checks a signature
// word it expects before every function, which JIT-compiled functions do not have: exempt this
// call, not the build.
#if defined(__clang__)
__attribute__((no_sanitize("function")))
#endif
void callStage(StageFunction stage, void **buffers, const int64_t *symbols, int64_t begin,
               int64_t end) {
  stage(buffers, symbols, begin, end);
}

std::vector<Array> shapeOnly(std::span<const TensorRef> tensors) {
  std::vector<Array> out;
  for (const TensorRef &t : tensors)
    out.push_back(Array{t.dtype, std::vector<int64_t>(t.shape.begin(), t.shape.end()), {}});
  return out;
}

} // namespace

std::vector<std::vector<AxisBinding>> bindingsOf(const ir::Function &fn,
                                                 const codegen::KernelLayout &layout) {
  std::vector<std::vector<AxisBinding>> out;
  for (const ir::InputDecl &in : fn.inputs) {
    std::vector<AxisBinding> axes;
    for (const Dim &d : in.type.shape) {
      AxisBinding b;
      if (auto c = d.asConstant()) {
        b.size = *c;
      } else if (auto terms = d.terms();
                 terms.size() == 1 && terms[0].first == 1 && terms[0].second.size() == 1) {
        auto it =
            std::lower_bound(layout.symbols.begin(), layout.symbols.end(), terms[0].second[0]);
        b.slot = int(it - layout.symbols.begin());
      }
      axes.push_back(b);
    }
    out.push_back(std::move(axes));
  }
  return out;
}

namespace {

// The symbols array of one call: the symbol values in layout order, then the split
// reductions' chunk lengths (Layout.h). Inline for the usual few.
using Symbols = llvm::SmallVector<int64_t, 8>;

// The symbol values, read from the input shapes through the signature's precomputed
// bindings; false after a report.
bool bindInputs(const Kernel::Impl &k, std::span<const TensorRef> inputs, const SourceFile &file,
                DiagnosticEngine &diags, Symbols &values) {
  const ir::Function &fn = k.plan.fn;
  values.assign(k.layout.symbols.size(), -1);
  bool ok = inputs.size() == fn.inputs.size(), compound = false;
  for (size_t i = 0; ok && i < inputs.size(); ++i) {
    const std::vector<AxisBinding> &want = k.inputAxes[i];
    ok = inputs[i].dtype == fn.inputs[i].type.dtype && inputs[i].shape.size() == want.size();
    for (size_t a = 0; ok && a < want.size(); ++a) {
      int64_t got = inputs[i].shape[a];
      if (want[a].size >= 0) {
        ok = want[a].size == got;
      } else if (want[a].slot >= 0) {
        int64_t &v = values[size_t(want[a].slot)];
        ok = v < 0 || v == got;
        v = got;
      } else {
        compound = true; // `2*B`: checked once every symbol is bound
      }
    }
  }
  if (ok && compound) {
    std::map<std::string, int64_t> named;
    for (size_t s = 0; s < values.size(); ++s)
      named[k.layout.symbols[s]] = values[s];
    for (size_t i = 0; ok && i < inputs.size(); ++i)
      for (size_t a = 0; ok && a < inputs[i].shape.size(); ++a)
        ok = fn.inputs[i].type.shape[a].evaluate(named) == inputs[i].shape[a];
  }
  if (ok)
    return true;
  // The interpreter's binder words the precise diagnostic.
  if (bindSymbols(fn, shapeOnly(inputs), file, diags))
    diags.report(DiagKind::InputCountMismatch, file, SourceRange{}, fn.name, fn.inputs.size(),
                 fn.inputs.size() == 1 ? "" : "s", inputs.size());
  return false;
}

std::shared_ptr<const BoundShapes> boundShapes(const Kernel::Impl &k, const Kernel::Checks &c,
                                               std::span<const int64_t> symbols,
                                               const SourceFile &file, DiagnosticEngine &diags) {
  {
    std::lock_guard lock(c.boundMutex);
    if (auto *found = c.bound.find(symbols))
      return *found;
  }
  const transforms::KernelPlan &plan = k.plan;
  std::map<std::string, int64_t> named;
  for (size_t s = 0; s < symbols.size(); ++s)
    named[k.layout.symbols[s]] = symbols[s];
  // The interpreter's run-time checks (broadcasts, concats, slices, matmul sizes) on the
  // caller's own function, each reported at its operator in the caller's source.
  auto checked = interp_detail::specialize(c.fn, named, file, diags);
  if (!checked)
    return nullptr;
  // The optimized function computes the same values: its sizes follow from the same symbols.
  CollectingConsumer ignored;
  DiagnosticEngine quiet(ignored);
  auto concrete = interp_detail::specialize(plan.fn, named, file, quiet);
  if (!concrete) {
    diags.report(DiagKind::InternalError, file, SourceRange{},
                 "the optimized kernel disagrees with its checked function on sizes");
    return nullptr;
  }
  auto shapeOf = [&](ir::ValueId v) {
    std::vector<int64_t> s;
    for (const Dim &d : (*concrete)[v].type.shape)
      s.push_back(d.constant());
    return s;
  };
  auto count = [](const std::vector<int64_t> &s) {
    uint64_t n = 1;
    for (int64_t d : s)
      n *= uint64_t(d); // specialize checked every size fits
    return n;
  };
  auto shapes = std::make_shared<BoundShapes>();
  shapes->footprint = interp_detail::footprint(*checked, c.fn.outputs);
  for (ir::ValueId t : plan.temps)
    shapes->tempBytes.push_back(count(shapeOf(t)) * uint64_t(byteSize(plan.fn.typeOf(t).dtype)));
  for (ir::ValueId o : plan.fn.outputs)
    shapes->outputs.push_back(shapeOf(o));
  for (const ir::VariableDecl &v : plan.fn.variables) {
    std::vector<int64_t> s;
    for (const Dim &d : v.type.shape)
      s.push_back(d.evaluate(named).value_or(-1));
    shapes->variables.push_back(std::move(s));
  }
  for (const transforms::Stage &s : plan.stages) {
    std::vector<int64_t> domain;
    for (const Dim &d : s.domain)
      domain.push_back(d.evaluate(named).value_or(0));
    shapes->stageRows.push_back(domain.empty() ? 1 : domain[0]);
    shapes->stageElements.push_back(count(domain));
    // What a stage reads decides whether threads pay off: a reduction or scan reads its whole
    // operand, a product K elements per output.
    uint64_t work = count(domain);
    const ir::Instr &root = plan.fn.instrs[s.root];
    if (!s.copyOnly &&
        (s.kind == transforms::StageKind::Reduce || s.kind == transforms::StageKind::Scan))
      work = std::max(work, count(shapeOf(root.operands[0])));
    uint64_t touched = work;
    if (!s.copyOnly && s.kind == transforms::StageKind::MatMul) {
      std::vector<int64_t> lhs = shapeOf(root.operands[0]);
      work *= uint64_t(std::max<int64_t>(lhs.empty() ? 1 : lhs.back(), 1));
      touched += count(lhs); // its rows of the left operand and of the result
    }
    shapes->stageWork.push_back(work);
    shapes->stageTouched.push_back(touched);
    std::vector<int64_t> operand = s.splitReduced ? shapeOf(root.operands[0]) : std::vector{0L};
    shapes->splitRows.push_back(operand[0]);
    shapes->splitElements.push_back(s.splitReduced ? count(operand) : 0);
    shapes->splitResults.push_back(s.splitReduced ? count(domain) : 0);
  }
  std::lock_guard lock(c.boundMutex);
  // What this evicts holds only sizes: cheap to release under the lock.
  (void)c.bound.insert(std::vector<int64_t>(symbols.begin(), symbols.end()), shapes);
  return shapes;
}

} // namespace

std::optional<std::vector<std::vector<int64_t>>>
Kernel::outputShapes(std::span<const TensorRef> inputs, const SourceFile &file,
                     DiagnosticEngine &diags, const RunOptions &options) const {
  Symbols symbols;
  if (!bindInputs(*impl_, inputs, file, diags, symbols))
    return std::nullopt;
  auto shapes = boundShapes(*impl_, *checks_, symbols, file, diags);
  if (!shapes || !interp_detail::withinBudget(shapes->footprint, options.byteBudget, file, diags))
    return std::nullopt;
  return shapes->outputs;
}

namespace {

// A split reduction's chunk length and count (Layout.h), or {0, 0} to run it whole: chunks of
// at least options.chunkRows rows and options.chunkWork elements, at most kMaxChunks of them,
// so that the join reads a small part of what the chunks read. The chunking follows from the
// sizes and the options alone, never from the thread count.
constexpr int64_t kMaxChunks = 64;

std::pair<int64_t, int64_t> chunking(int64_t rows, uint64_t elements, const RunOptions &options) {
  int64_t minRows = std::max<int64_t>(options.chunkRows, 1);
  if (rows < 2 * minRows || elements == 0)
    return {0, 0};
  uint64_t perRow = std::max<uint64_t>(elements / uint64_t(rows), 1);
  int64_t length = std::max(
      {(rows + kMaxChunks - 1) / kMaxChunks, minRows,
       int64_t(std::min<uint64_t>((options.chunkWork + perRow - 1) / perRow, uint64_t(rows)))});
  int64_t chunks = (rows + length - 1) / length;
  return chunks < 2 ? std::pair<int64_t, int64_t>{0, 0} : std::pair{length, chunks};
}

// Stages [first, end) that run a block of axis 0 at a time (Stage::withPrevious): each block
// goes through every stage of the group before the next block starts, so what one stage
// stores for the block is still in cache when the next reads it. Blocks touch about
// kGroupBlockElements elements (a product: its rows of the left operand and the result, not
// its K-fold work); threads take runs of blocks.
constexpr uint64_t kGroupBlockElements = uint64_t(1) << 15;

void runGroup(const Kernel::Impl &k, const BoundShapes &shapes, size_t first, size_t end,
              void **buffers, const int64_t *syms, Executor &executor, const RunOptions &options) {
  int64_t rows = shapes.stageRows[first];
  uint64_t work = 0, touched = 0;
  for (size_t s = first; s < end; ++s) {
    work += shapes.stageWork[s] * k.weight;
    touched += shapes.stageTouched[s];
  }
  if (rows <= 0)
    return;
  // OpenBLAS packs the right operand again at every call: a product takes blocks that fill L2
  // rather than L1, so that packing stays a small part of each call.
  uint64_t target = k.plan.stages[first].blas ? kGroupBlockElements * 8 : kGroupBlockElements;
  int64_t block =
      std::max<int64_t>(1, int64_t(target * uint64_t(rows) / std::max<uint64_t>(touched, 1)));
  auto cancelled = [&] {
    return options.cancel && options.cancel->load(std::memory_order_relaxed);
  };
  auto blocks = [&](int64_t begin, int64_t stop) {
    for (int64_t b = begin; b < stop && !cancelled(); b += block)
      for (size_t s = first; s < end; ++s)
        if (shapes.stageElements[s] != 0)
          callStage(k.stages[s], buffers, syms, b, std::min(stop, b + block));
  };
  unsigned threads = executor.concurrency();
  if (threads > 1 && rows > 1 && work >= options.parallelThreshold)
    executor.parallelFor(rows, int64_t(threads) * 4, blocks);
  else
    blocks(0, rows);
}

} // namespace

bool Kernel::run(std::span<const TensorRef> inputs, std::span<const TensorRef> variables,
                 std::span<const TensorRef> outputs, Executor &executor, const SourceFile &file,
                 DiagnosticEngine &diags, const RunOptions &options) const {
  const Impl &k = *impl_;
  const ir::Function &fn = k.plan.fn;
  Symbols symbols;
  if (!bindInputs(k, inputs, file, diags, symbols))
    return false;
  auto shapes = boundShapes(k, *checks_, symbols, file, diags);
  if (!shapes || !interp_detail::withinBudget(shapes->footprint, options.byteBudget, file, diags))
    return false;
  auto sameAs = [](const TensorRef &t, DType dtype, const std::vector<int64_t> &shape) {
    return t.dtype == dtype &&
           std::equal(t.shape.begin(), t.shape.end(), shape.begin(), shape.end()) &&
           (t.data || std::find(shape.begin(), shape.end(), 0) != shape.end());
  };
  for (size_t v = 0; v < fn.variables.size(); ++v)
    if (v >= variables.size() ||
        !sameAs(variables[v], fn.variables[v].type.dtype, shapes->variables[v])) {
      diags.report(DiagKind::InputMismatch, file, fn.variables[v].range, "variable",
                   fn.variables[v].name, "missing or of another type", fn.variables[v].type.str());
      return false;
    }
  for (size_t o = 0; o < fn.outputs.size(); ++o)
    if (o >= outputs.size() ||
        !sameAs(outputs[o], fn.typeOf(fn.outputs[o]).dtype, shapes->outputs[o])) {
      diags.report(DiagKind::InputMismatch, file, SourceRange{}, "output", std::to_string(o),
                   "missing or of another shape", fn.typeOf(fn.outputs[o]).str());
      return false;
    }
  // Buffers in the layout's order; temporaries live for this call only.
  constexpr size_t kInline = 16;
  void *inlineBuffers[kInline];
  std::vector<void *> heapBuffers;
  void **buffers = inlineBuffers;
  if (k.layout.bufferCount() > kInline) {
    heapBuffers.resize(k.layout.bufferCount());
    buffers = heapBuffers.data();
  }
  size_t at = 0;
  for (const TensorRef &t : inputs)
    buffers[at++] = t.data;
  for (size_t v = 0; v < fn.variables.size(); ++v)
    buffers[at++] = variables[v].data;
  for (size_t o = 0; o < fn.outputs.size(); ++o)
    buffers[at++] = outputs[o].data;
  std::vector<std::unique_ptr<std::byte[]>> temps;
  auto allocate = [&](uint64_t bytes) -> void * {
    temps.emplace_back(new (std::nothrow) std::byte[std::max<uint64_t>(bytes, 1)]);
    if (!temps.back())
      diags.report(DiagKind::BudgetExceeded, file, SourceRange{}, std::to_string(bytes),
                   options.byteBudget);
    return temps.back().get();
  };
  for (uint64_t bytes : shapes->tempBytes)
    if (!(buffers[at++] = allocate(bytes)))
      return false;
  // Scratch for the split reductions that split at these sizes; their chunk lengths follow
  // the symbols.
  symbols.resize(k.layout.symbols.size() + k.layout.splits, 0);
  llvm::SmallVector<int64_t, 8> chunks(k.stages.size(), 0);
  for (size_t s = 0; s < k.stages.size(); ++s) {
    int place = k.layout.split[s];
    if (place < 0)
      continue;
    for (size_t plane = 0; plane < 2; ++plane)
      buffers[k.layout.scratchBuffer(size_t(place), plane)] = nullptr;
    int64_t length = 0;
    std::tie(length, chunks[s]) = chunking(shapes->splitRows[s], shapes->splitElements[s], options);
    if (chunks[s] == 0)
      continue;
    symbols[k.layout.chunkSymbol(size_t(place))] = length;
    for (size_t plane = 0; plane < 2; ++plane) // 8 bytes hold any accumulator or index
      if (!(buffers[k.layout.scratchBuffer(size_t(place), plane)] =
                allocate(uint64_t(chunks[s]) * shapes->splitResults[s] * 8)))
        return false;
  }
  const int64_t *syms = symbols.data();
  auto cancelled = [&] {
    return options.cancel && options.cancel->load(std::memory_order_relaxed);
  };
  for (size_t s = 0; s < k.stages.size(); ++s) {
    size_t groupEnd = s + 1;
    while (groupEnd < k.stages.size() && k.plan.stages[groupEnd].withPrevious)
      ++groupEnd;
    if (groupEnd > s + 1) {
      runGroup(k, *shapes, s, groupEnd, buffers, syms, executor, options);
      s = groupEnd - 1;
      continue;
    }
    if (shapes->stageElements[s] == 0)
      continue;
    if (cancelled())
      break;
    StageFunction stage = k.stages[s];
    int64_t rows = shapes->stageRows[s];
    uint64_t work = shapes->stageWork[s] * k.weight;
    unsigned threads = executor.concurrency();
    if (chunks[s] > 0) {
      auto part = [&](int64_t begin, int64_t end) {
        if (!cancelled())
          callStage(k.partials[s], buffers, syms, begin, end);
      };
      if (threads > 1 && work >= options.parallelThreshold)
        executor.parallelFor(chunks[s], int64_t(threads) * 4, part);
      else
        part(0, chunks[s]);
      if (!cancelled())
        callStage(k.joins[s], buffers, syms, 0, chunks[s]);
      continue;
    }
    bool splittable = k.plan.stages[s].parallel && rows > 1;
    if (splittable && threads > 1 && work >= options.parallelThreshold) {
      executor.parallelFor(rows, int64_t(threads) * 4, [&](int64_t begin, int64_t end) {
        if (!cancelled())
          callStage(stage, buffers, syms, begin, end);
      });
    } else if (splittable && options.cancel) {
      // Blocks of rows, so that a cancel is seen within about 1/64 of the stage.
      int64_t block = std::max<int64_t>(1, rows / 64);
      for (int64_t begin = 0; begin < rows && !cancelled(); begin += block)
        callStage(stage, buffers, syms, begin, std::min(rows, begin + block));
    } else {
      callStage(stage, buffers, syms, 0, rows);
    }
  }
  if (cancelled()) {
    diags.report(DiagKind::Cancelled, file, SourceRange{});
    return false;
  }
  return true;
}

std::optional<std::vector<Array>> Kernel::run(const std::vector<Array> &inputs,
                                              const std::vector<Array> &variables,
                                              Executor &executor, const SourceFile &file,
                                              DiagnosticEngine &diags,
                                              const RunOptions &options) const {
  auto refs = [](const std::vector<Array> &arrays) {
    std::vector<TensorRef> out;
    for (const Array &a : arrays)
      out.push_back(TensorRef{a.dtype, a.shape, const_cast<std::byte *>(a.bytes.data())});
    return out;
  };
  std::vector<TensorRef> in = refs(inputs), vars = refs(variables);
  auto shapes = outputShapes(in, file, diags, options); // the budget counts the outputs
  if (!shapes)
    return std::nullopt;
  std::vector<Array> outputs;
  for (size_t o = 0; o < shapes->size(); ++o)
    outputs.push_back(makeArray(function().typeOf(function().outputs[o]).dtype, (*shapes)[o]));
  std::vector<TensorRef> out = refs(outputs);
  if (!run(in, vars, out, executor, file, diags, options))
    return std::nullopt;
  return outputs;
}

} // namespace lamina::jit
