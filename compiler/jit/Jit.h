#pragma once

// The JIT: typed IR in, native kernels out (LLVM 19 ORC). No LLVM type appears here. Its one
// client is the driver (compiler/driver/Driver.h), which every other caller goes through.
//
//   lamina::jit::Jit &engine = lamina::jit::Jit::shared();
//   auto kernel = engine.compile(fn, {}, &error);          // thread-safe; cached
//   kernel->run(inputs, variables, outputs, executor, file, diags);
//
// Kernels are reference-counted: the code stays mapped while any caller holds one, and is
// released (its JITDylib removed) when the last reference and the cache entry are gone.
// Compiling is thread-safe, and a kernel requested by several threads at once compiles once.
// The in-memory cache holds the most recent `memoryCacheCapacity` kernels, keyed by the
// optimized IR (which carries the source's meaning, the input dtypes and shapes - symbolic
// dimensions stay symbolic, so one kernel serves every batch size - and the arguments) and the
// target CPU. The on-disk object cache (docs/performance.md) is keyed likewise; every entry is
// verified before use and a bad one is recompiled, never executed.

#include "compiler/diag/Diagnostic.h"
#include "compiler/ir/Ir.h"
#include "compiler/transforms/Pipeline.h"
#include "compiler/types/Array.h"
#include "lamina/Executor.h"

#include <atomic>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace lamina::jit {

struct CompileOptions {
  /// "" or "host": this machine's CPU and features; "generic": portable x86-64 (SSE2 only);
  /// or an LLVM CPU name such as "haswell".
  std::string cpu;
  /// Lanes per vector step; 0 chooses from the CPU (8 with AVX, 4 otherwise).
  unsigned vectorWidth = 0;
  bool diskCache = true;
  /// The object cache folder; empty means $XDG_CACHE_HOME/lamina/kernels, or
  /// ~/.cache/lamina/kernels.
  std::string cacheDir;
  transforms::PipelineOptions pipeline;
  /// The kernel's cache of run-time shape checks, by symbol values (least recently used
  /// evicted). The driver sets it from its cache policy (compiler/driver/CachePolicy.h).
  size_t boundShapesCapacity = 16;
};

enum class CompileSource : uint8_t { Compiled, MemoryCache, DiskCache };

struct CompileStats {
  CompileSource source = CompileSource::Compiled;
  double milliseconds = 0; // from IR to a callable kernel
  // Where a compile spent its time (zero for what a cache hit skipped).
  double planMs = 0;        // IR passes and fusion
  double llvmIrMs = 0;      // emitting and optimizing LLVM IR
  double machineCodeMs = 0; // instruction selection to object code
  double linkMs = 0;        // loading the object into the JIT
};

struct RunOptions {
  /// The most bytes of values one call may define (docs/diagnostics.md, E0703): the
  /// interpreter's rule (InterpOptions::byteBudget), so both engines refuse the same calls,
  /// before anything runs.
  uint64_t byteBudget = uint64_t(1) << 32;
  /// Below this many element-operations a stage runs on the calling thread.
  uint64_t parallelThreshold = 1 << 18;
  /// A split reduction's chunks (Layout.h) hold at least this many rows and elements: the
  /// results depend on these and the sizes, never on the thread count. Tests lower them to
  /// split small tensors.
  int64_t chunkRows = 16;
  uint64_t chunkWork = uint64_t(1) << 15;
  /// Set (by another thread) to stop: checked between stages and between blocks of rows; the
  /// call then reports E0705 and returns false (outputs partly written).
  const std::atomic<bool> *cancel = nullptr;
};

class Kernel {
public:
  struct Impl;
  struct Checks;
  /// The shared code of `impl`, checked and reported against `checked`, the caller's function
  /// (which optimizes to impl's); the checks of at most `boundShapesCapacity` sets of symbol
  /// values are kept.
  Kernel(std::shared_ptr<const Impl> impl, ir::Function checked, size_t boundShapesCapacity);
  ~Kernel();
  Kernel(const Kernel &) = delete;
  Kernel &operator=(const Kernel &) = delete;

  /// The optimized function this kernel computes.
  const ir::Function &function() const;
  /// Whether the two run the same machine code (one compile, however many callers).
  bool sharesCodeWith(const Kernel &other) const { return impl_ == other.impl_; }
  /// The fused plan as `lamina emit --stage ir-opt` prints it.
  std::string planText() const;
  size_t stageCount() const;
  /// Sets of symbol values whose run-time checks this kernel keeps (at most the capacity).
  size_t boundShapesCached() const;

  /// The output shapes for these input shapes, after the run-time shape checks (E0701,
  /// E0702, E0704, E0508 at the operator's span) and the byte budget of `options`, which the
  /// outputs count against with the temporaries (E0703), so a caller allocating them never
  /// asks for more; nothing after a report.
  std::optional<std::vector<std::vector<int64_t>>>
  outputShapes(std::span<const TensorRef> inputs, const SourceFile &file, DiagnosticEngine &diags,
               const RunOptions &options = {}) const;

  /// Runs into caller-allocated outputs of outputShapes()'s shapes (checked). Inputs and
  /// outputs must not overlap. Safe to call from many threads at once.
  bool run(std::span<const TensorRef> inputs, std::span<const TensorRef> variables,
           std::span<const TensorRef> outputs, Executor &executor, const SourceFile &file,
           DiagnosticEngine &diags, const RunOptions &options = {}) const;

  /// Allocates the outputs and runs.
  std::optional<std::vector<Array>> run(const std::vector<Array> &inputs,
                                        const std::vector<Array> &variables, Executor &executor,
                                        const SourceFile &file, DiagnosticEngine &diags,
                                        const RunOptions &options = {}) const;

private:
  std::shared_ptr<const Impl> impl_;
  std::unique_ptr<const Checks> checks_;
};

class Jit {
public:
  struct Impl;
  Jit();
  ~Jit();
  Jit(const Jit &) = delete;
  Jit &operator=(const Jit &) = delete;

  /// The process-wide engine.
  static Jit &shared();

  /// Optimizes, plans, generates and loads `fn`; nothing (and `error` set) if LLVM fails.
  std::shared_ptr<const Kernel> compile(const ir::Function &fn, const CompileOptions &options = {},
                                        std::string *error = nullptr,
                                        CompileStats *stats = nullptr);

  enum class TextStage : uint8_t { Plan, LLVM, Asm };
  /// The optimized IR and fusion plan, the optimized LLVM IR, or the assembly of `fn`.
  std::string emitText(const ir::Function &fn, TextStage stage, const CompileOptions &options = {});

  void setMemoryCacheCapacity(size_t kernels);
  size_t memoryCacheSize() const;
  void clearMemoryCache();
  /// Kernels alive in this process (held by a caller or the cache).
  size_t liveKernels() const;

private:
  std::shared_ptr<Impl> impl_;
};

/// OpenBLAS's thread count, process-wide (the products Stage::blas hands it); never changed
/// unless asked.
void setBlasThreads(int threads);

} // namespace lamina::jit
