#include "compiler/driver/Driver.h"

#include "compiler/interp/Interpreter.h"
#include "compiler/support/LruCache.h"

#include <fmt/format.h>

#include <chrono>
#include <mutex>

namespace lamina::driver {

struct Driver::Impl {
  jit::Jit &engine = jit::Jit::shared();
  mutable std::mutex mutex; // everything below
  CachePolicy policy;
  // compileSource's front cache: source text and request to kernel (an evicted kernel may
  // still be in the JIT's IR-keyed cache).
  using Cache = LruCache<std::string, std::shared_ptr<const Kernel>>;
  Cache bySource{policy.kernels};
};

Driver::Driver() : impl_(std::make_unique<Impl>()) {}
Driver::~Driver() = default;

Driver &Driver::shared() {
  static Driver driver;
  return driver;
}

std::optional<ir::Function> Driver::check(const SourceFile &file, const SemaRequest &request,
                                          DiagnosticEngine &diags, const ParseLimits &limits) {
  auto module = parse(file, diags, limits);
  if (!module)
    return std::nullopt;
  return check(*module, file, request, diags);
}

std::optional<ir::Function> Driver::check(const ast::Module &module, const SourceFile &file,
                                          const SemaRequest &request, DiagnosticEngine &diags) {
  return analyze(module, file, request, diags);
}

std::shared_ptr<const Kernel> Driver::compile(const ir::Function &fn, const CompileOptions &options,
                                              std::string *error, CompileStats *stats) {
  return impl_->engine.compile(fn, withPolicy(options), error, stats);
}

CompileOptions Driver::withPolicy(const CompileOptions &options) const {
  CompileOptions out = options;
  std::lock_guard lock(impl_->mutex);
  out.boundShapesCapacity = impl_->policy.boundShapes;
  return out;
}

namespace {

double millisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// The source, the request, the limits and the target options: everything compileSource's
// result depends on. Each field is length-prefixed, so no two requests share a key.
std::string sourceKey(const SourceFile &file, const SemaRequest &request,
                      const CompileOptions &options, const ParseLimits &limits) {
  std::string key;
  auto field = [&key](const std::string &text) {
    key += std::to_string(text.size());
    key += ':';
    key += text;
  };
  field(file.text());
  for (const InputBinding &in : request.inputs)
    field(in.name + "=" + in.type.str());
  key += '|';
  for (const auto &[name, value] : request.arguments)
    field(name + "=" + value.repr());
  key += '|';
  field(request.outputShape ? request.outputShape->repr() : "-");
  field(request.outputShapeLambda ? request.outputShapeLambda->file->text() : "-");
  const SemaLimits &l = request.limits;
  field(fmt::format("{},{},{},{}", l.maxRank, l.maxConstantElements, l.maxInlineDepth,
                    l.maxOperations));
  field(fmt::format("{},{},{}", limits.maxSourceBytes, limits.maxNestingDepth, limits.maxNodes));
  field(fmt::format("{}|{}|{}|{}|{}", options.cpu, options.vectorWidth, options.diskCache,
                    options.cacheDir, options.boundShapesCapacity));
  return key;
}

} // namespace

std::shared_ptr<const Kernel>
Driver::compileSource(const SourceFile &file, const SemaRequest &request, DiagnosticEngine &diags,
                      const CompileOptions &options, CompileStats *stats,
                      const ParseLimits &limits) {
  auto start = std::chrono::steady_clock::now();
  std::string key = sourceKey(file, request, withPolicy(options), limits);
  {
    std::lock_guard lock(impl_->mutex);
    if (auto *found = impl_->bySource.find(key)) {
      if (stats) {
        *stats = CompileStats{};
        stats->source = CompileSource::MemoryCache;
        stats->milliseconds = millisecondsSince(start);
      }
      return *found;
    }
  }
  auto fn = check(file, request, diags, limits);
  if (!fn)
    return nullptr;
  std::string error;
  auto kernel = compile(*fn, options, &error, stats);
  if (!kernel) {
    diags.report(DiagKind::InternalError, file, SourceRange{}, error);
    return nullptr;
  }
  if (stats)
    stats->milliseconds = millisecondsSince(start);
  Impl::Cache::Evicted evicted; // released outside the lock, which the JIT's are not under
  std::lock_guard lock(impl_->mutex);
  evicted = impl_->bySource.insert(std::move(key), kernel);
  return kernel;
}

std::optional<std::vector<Array>> Driver::evaluate(const ir::Function &fn,
                                                   const std::vector<Array> &inputs,
                                                   const EvalSettings &settings,
                                                   const SourceFile &file, DiagnosticEngine &diags,
                                                   std::string &jitError) {
  auto symbols = bindSymbols(fn, inputs, file, diags);
  InterpOptions interp;
  interp.cancel = settings.cancel;
  interp.byteBudget = settings.byteBudget;
  auto variables = symbols ? initialValues(fn, *symbols, file, diags, interp) : std::nullopt;
  if (!variables)
    return std::nullopt;
  if (settings.interpreter)
    return interpret(fn, inputs, *variables, file, diags, interp);
  auto kernel = compile(fn, settings.compile, &jitError);
  if (!kernel)
    return std::nullopt;
  RunOptions options;
  options.cancel = settings.cancel;
  options.byteBudget = settings.byteBudget;
  Executor &executor = settings.executor ? *settings.executor : inlineExecutor();
  return kernel->run(inputs, *variables, executor, file, diags, options);
}

std::string Driver::emitText(const ir::Function &fn, TextStage stage,
                             const CompileOptions &options) {
  using JitStage = jit::Jit::TextStage;
  switch (stage) {
  case TextStage::IR:
    return ir::print(fn);
  case TextStage::Plan:
    return impl_->engine.emitText(fn, JitStage::Plan, options);
  case TextStage::LLVM:
    return impl_->engine.emitText(fn, JitStage::LLVM, options);
  case TextStage::Asm:
    return impl_->engine.emitText(fn, JitStage::Asm, options);
  }
  return {};
}

void Driver::setCachePolicy(const CachePolicy &policy) {
  {
    std::lock_guard lock(impl_->mutex);
    impl_->policy.signatures = std::max<size_t>(policy.signatures, 1);
    impl_->policy.boundShapes = std::max<size_t>(policy.boundShapes, 1);
  }
  setMemoryCacheCapacity(policy.kernels);
}

CachePolicy Driver::cachePolicy() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->policy;
}

void Driver::setMemoryCacheCapacity(size_t kernels) {
  Impl::Cache::Evicted dropped; // released outside the lock
  {
    std::lock_guard lock(impl_->mutex);
    impl_->policy.kernels = std::max<size_t>(kernels, 1);
    dropped = impl_->bySource.setCapacity(impl_->policy.kernels);
  }
  impl_->engine.setMemoryCacheCapacity(kernels);
}

void Driver::setSignatureCacheCapacity(size_t signatures) {
  std::lock_guard lock(impl_->mutex);
  impl_->policy.signatures = std::max<size_t>(signatures, 1);
}

size_t Driver::memoryCacheSize() const { return impl_->engine.memoryCacheSize(); }

void Driver::clearMemoryCache() {
  // Released outside the lock: dropping the last reference to a kernel takes the JIT's locks.
  Impl::Cache::Evicted dropped;
  {
    std::lock_guard lock(impl_->mutex);
    dropped = impl_->bySource.clear();
  }
  impl_->engine.clearMemoryCache();
}

size_t Driver::liveKernels() const { return impl_->engine.liveKernels(); }

namespace {

class InlineExecutor final : public Executor {
public:
  unsigned concurrency() const override { return 1; }
  void parallelFor(int64_t n, int64_t chunks, LoopBody body) override {
    int64_t pieces = chunkCount(n, chunks);
    for (int64_t i = 0; i < pieces; ++i)
      body(chunkBegin(n, pieces, i), chunkBegin(n, pieces, i + 1));
  }
};

} // namespace

Executor &inlineExecutor() {
  static InlineExecutor executor;
  return executor;
}

} // namespace lamina::driver
