#pragma once

// The driver: the one owner of compile-and-run. Source text goes through parse, sema, the IR
// passes and fusion, code generation and the JIT here, with one set of options and one caching
// policy; the layer runtime, the CLI, the REPL, the benchmarks and the tests call it, and
// nothing else calls the JIT (the layering check, cmake/Layering.cmake, enforces it).
//
//   driver::Driver &d = driver::Driver::shared();
//   auto fn = d.check(file, request, diags);                 // typed IR, or nothing
//   auto kernel = d.compile(*fn, options, &error);           // cached by the optimized IR
//   auto outs = d.evaluate(*fn, inputs, settings, file, diags);
//
// The caches, from the front, and who bounds them. The driver owns the policy of every one
// (CachePolicy.h, set with setCachePolicy): each is an LruCache (compiler/support/LruCache.h),
// holding at most its capacity and evicting the least recently used entry first.
//   - A layer function's checked forms, by input signature (SignatureCache.h, one per
//     function): CachePolicy::signatures, default 64.
//   - compileSource's, by source text and request: CachePolicy::kernels, default 256.
//   - The JIT's in-memory one, by optimized IR and target: CachePolicy::kernels, default 256.
//   - A kernel's run-time shape checks, by the values of its symbols: CachePolicy::boundShapes,
//     default 16, which compile() passes to the JIT as CompileOptions::boundShapesCapacity
//     (overriding the caller's); a kernel keeps the capacity it was compiled with.
//   - The JIT's on-disk object cache (docs/performance.md): unbounded, CompileOptions'
//     diskCache and cacheDir.
// A kernel lives while a caller or a cache holds it.

#include "compiler/diag/Diagnostic.h"
#include "compiler/driver/CachePolicy.h"
#include "compiler/ir/Ir.h"
#include "compiler/jit/Jit.h"
#include "compiler/parse/Parse.h"
#include "compiler/sema/Sema.h"
#include "compiler/types/Array.h"
#include "lamina/Executor.h"

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace lamina::driver {

// The JIT's vocabulary, which the driver's callers use without including the JIT.
using jit::CompileOptions;
using jit::CompileSource;
using jit::CompileStats;
using jit::Kernel;
using jit::RunOptions;

/// How evaluate() runs a checked function.
struct EvalSettings {
  bool interpreter = false; // the reference interpreter instead of a compiled kernel
  CompileOptions compile;
  /// Where a kernel's parallel loops run; null: on the calling thread only.
  Executor *executor = nullptr;
  const std::atomic<bool> *cancel = nullptr; // set by another thread to stop the run (E0705)
  uint64_t byteBudget = uint64_t(1) << 32;   // per call, both engines (E0703)
};

/// What emitText() prints: the typed IR, the optimized IR with its fusion plan and schedules,
/// the optimized LLVM IR, or the assembly.
enum class TextStage : uint8_t { IR, Plan, LLVM, Asm };

class Driver {
public:
  Driver();
  ~Driver();
  Driver(const Driver &) = delete;
  Driver &operator=(const Driver &) = delete;

  /// The process-wide driver (and its caches).
  static Driver &shared();

  /// Parses and checks `file` for `request`: sema's typed function, or nothing after
  /// reporting to `diags`.
  std::optional<ir::Function> check(const SourceFile &file, const SemaRequest &request,
                                    DiagnosticEngine &diags, const ParseLimits &limits = {});
  /// Checks `module`, which its caller parsed from `file` (the REPL keeps its inputs' ASTs).
  std::optional<ir::Function> check(const ast::Module &module, const SourceFile &file,
                                    const SemaRequest &request, DiagnosticEngine &diags);

  /// The kernel for a checked function: optimized, planned, generated and loaded, or found in
  /// a cache. Nothing (and `error` set) if LLVM fails.
  std::shared_ptr<const Kernel> compile(const ir::Function &fn, const CompileOptions &options = {},
                                        std::string *error = nullptr,
                                        CompileStats *stats = nullptr);

  /// Source text in, kernel out, through a cache keyed by the text, the request, the limits and
  /// the target, so a repeated request costs one hash lookup (no parsing, no checking). Nothing
  /// after reporting to `diags` (a JIT failure is reported as E0007).
  std::shared_ptr<const Kernel> compileSource(const SourceFile &file, const SemaRequest &request,
                                              DiagnosticEngine &diags,
                                              const CompileOptions &options = {},
                                              CompileStats *stats = nullptr,
                                              const ParseLimits &limits = {});

  /// Runs a checked function on `inputs` (one per fn.inputs, in that order): its variables
  /// get their first values, then the interpreter or a compiled kernel computes. Nothing after
  /// reporting to `diags`, or, when the JIT fails, after setting `jitError`.
  std::optional<std::vector<Array>> evaluate(const ir::Function &fn,
                                             const std::vector<Array> &inputs,
                                             const EvalSettings &settings, const SourceFile &file,
                                             DiagnosticEngine &diags, std::string &jitError);

  /// A stage's text for a checked function (`lamina emit`, the REPL's :ir, :opt, :llvm, :asm).
  std::string emitText(const ir::Function &fn, TextStage stage, const CompileOptions &options = {});

  /// Every cache's capacity (each at least one), applied now to the driver's and the JIT's
  /// kernel caches, to each layer function's signature cache at its next miss, and to the
  /// kernels compiled from now on.
  void setCachePolicy(const CachePolicy &policy);
  CachePolicy cachePolicy() const;
  /// The in-memory kernel caches: at most `kernels` kernels each (CachePolicy::kernels).
  void setMemoryCacheCapacity(size_t kernels);
  /// Each layer function's signature cache (CachePolicy::signatures).
  void setSignatureCacheCapacity(size_t signatures);
  /// Kernels the JIT's in-memory cache holds.
  size_t memoryCacheSize() const;
  /// Empties the in-memory caches (the kernels callers hold stay alive).
  void clearMemoryCache();
  /// Kernels alive in this process (held by a caller or a cache).
  size_t liveKernels() const;

private:
  /// `options` with the policy's share for the kernel.
  CompileOptions withPolicy(const CompileOptions &options) const;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

using jit::setBlasThreads;

/// An Executor that runs every loop on the calling thread.
Executor &inlineExecutor();

} // namespace lamina::driver
