// The engine: one ORC LLJIT per process, a JITDylib per kernel (so evicting one releases its
// code), an in-memory cache of recent kernels with one compile per key however many threads
// ask, and the persistent object cache.

#include "compiler/codegen/Codegen.h"
#include "compiler/codegen/MathRuntime.h"
#include "compiler/codegen/Schedule.h"
#include "compiler/jit/Backend.h"
#include "compiler/jit/DiskCache.h"
#include "compiler/jit/KernelImpl.h"
#include "compiler/support/LruCache.h"
#include "jit/CodegenFingerprint.h"

#include <fmt/format.h>
#include <llvm/Config/llvm-config.h>
#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/Support/MemoryBuffer.h>

#include <chrono>
#include <future>
#include <unordered_map>

namespace lamina::jit {

struct Jit::Impl : std::enable_shared_from_this<Jit::Impl> {
  std::unique_ptr<llvm::orc::LLJIT> jit;
  llvm::orc::JITDylib *runtime = nullptr;
  std::string initError;

  std::mutex mutex; // everything below
  // Machine code by the key of the optimized function; each compile() wraps it in a Kernel
  // that checks and reports against its caller's own function. The capacity is the driver's
  // (CachePolicy::kernels).
  using Cache = LruCache<std::string, std::shared_ptr<const Kernel::Impl>>;
  Cache recent{256};
  std::unordered_map<std::string, std::shared_future<std::shared_ptr<const Kernel::Impl>>>
      compiling;
  std::unordered_map<std::string, std::string> targetDescriptions; // by CompileOptions::cpu
  uint64_t counter = 0;
  std::atomic<size_t> live{0};
};

namespace {

std::unique_ptr<llvm::orc::LLJIT> makeJit(std::string &error) {
  initializeNativeTarget();
  // No process symbols (kernels resolve only lamina's runtime table), no platform (kernels
  // have no static initializers), and no TargetMachine made up front: objects are compiled by
  // Backend.cpp and only linked here.
  auto jit = llvm::orc::LLJITBuilder()
                 .setLinkProcessSymbolsByDefault(false)
                 .setPlatformSetUp(llvm::orc::setUpInactivePlatform)
                 .setCompileFunctionCreator(
                     [](llvm::orc::JITTargetMachineBuilder builder)
                         -> llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> {
                       return std::make_unique<llvm::orc::ConcurrentIRCompiler>(std::move(builder));
                     })
                 .create();
  if (!jit) {
    error = llvm::toString(jit.takeError());
    return nullptr;
  }
  return std::move(*jit);
}

// Everything that determines the machine code: the function (ir::keyOf: every constant's
// bytes and input binding included), the target and the code generator's version.
std::string kernelKey(const ir::Function &fn, const std::string &target) {
  return fmt::format("lamina-kernel {} llvm {}\n{}\n{}", LAMINA_CODEGEN_FINGERPRINT,
                     LLVM_VERSION_STRING, target, ir::keyOf(fn));
}

uint64_t weightOf(const transforms::KernelPlan &plan) {
  uint64_t weight = 1;
  for (const ir::Instr &in : plan.fn.instrs)
    weight += ir::costOf(in.op) == ir::OpCost::Transcendental ? 8 : 1;
  return weight;
}

} // namespace

Jit::Jit() : impl_(std::make_shared<Impl>()) {
  impl_->jit = makeJit(impl_->initError);
  if (!impl_->jit)
    return;
  auto &runtime = impl_->jit->getExecutionSession().createBareJITDylib("lamina-runtime");
  llvm::orc::SymbolMap symbols;
  for (const codegen::RuntimeSymbol &s : codegen::mathRuntimeSymbols())
    symbols[impl_->jit->mangleAndIntern(s.name)] = {llvm::orc::ExecutorAddr::fromPtr(s.address),
                                                    llvm::JITSymbolFlags::Exported};
  llvm::cantFail(runtime.define(llvm::orc::absoluteSymbols(std::move(symbols))));
  impl_->runtime = &runtime;
}

Jit::~Jit() = default;

Jit &Jit::shared() {
  static Jit engine;
  return engine;
}

void Jit::setMemoryCacheCapacity(size_t kernels) {
  // Destroyed outside the lock: releasing code takes ORC locks.
  Impl::Cache::Evicted dropped;
  std::lock_guard lock(impl_->mutex);
  dropped = impl_->recent.setCapacity(kernels);
}

size_t Jit::memoryCacheSize() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->recent.size();
}

void Jit::clearMemoryCache() {
  // Destroyed outside the lock: releasing code takes ORC locks.
  Impl::Cache::Evicted dropped;
  std::lock_guard lock(impl_->mutex);
  dropped = impl_->recent.clear();
}

size_t Jit::liveKernels() const { return impl_->live.load(); }

namespace {

// Compiles (or loads from disk) one kernel. Runs without the engine's lock.
double since(std::chrono::steady_clock::time_point &start) {
  auto now = std::chrono::steady_clock::now();
  double ms = std::chrono::duration<double, std::milli>(now - start).count();
  start = now;
  return ms;
}

std::shared_ptr<const Kernel::Impl> build(const std::shared_ptr<Jit::Impl> &engine,
                                          const ir::Function &fn, const CompileOptions &options,
                                          const std::string &key, uint64_t id, std::string &error,
                                          CompileStats &stats) {
  auto clock = std::chrono::steady_clock::now();
  auto target = describeTarget(options, error);
  if (!target)
    return nullptr;
  auto impl = std::make_shared<Kernel::Impl>();
  impl->plan = transforms::optimize(fn, options.pipeline);
  impl->layout = codegen::layoutOf(impl->plan);
  impl->inputAxes = bindingsOf(impl->plan.fn, impl->layout);
  impl->weight = weightOf(impl->plan);
  stats.planMs = since(clock);
  std::string prefix = "lamina_kernel";
  std::string dir = options.diskCache
                        ? (options.cacheDir.empty() ? defaultCacheDir() : options.cacheDir)
                        : std::string();
  std::optional<std::string> object;
  if (!dir.empty())
    object = readCachedObject(dir, key);
  stats.source = object ? CompileSource::DiskCache : CompileSource::Compiled;
  if (!object) {
    if (!createMachine(*target, error))
      return nullptr;
    llvm::LLVMContext ctx;
    auto module = buildModule(impl->plan, impl->layout, ctx, prefix, *target, error);
    if (!module)
      return nullptr;
    stats.llvmIrMs = since(clock);
    object = emitObject(*module, *target, false, error);
    stats.machineCodeMs = since(clock);
    if (object->empty())
      return nullptr;
    if (!dir.empty())
      writeCachedObject(dir, key, *object);
  }
  llvm::orc::LLJIT &jit = *engine->jit;
  auto jd = jit.createJITDylib(fmt::format("kernel{}", id));
  if (!jd) {
    error = llvm::toString(jd.takeError());
    return nullptr;
  }
  llvm::orc::JITDylib *dylib = &*jd;
  dylib->addToLinkOrder(*engine->runtime);
  // From here on the JITDylib is released when the kernel (or this failure path) lets go.
  std::weak_ptr<Jit::Impl> owner = engine;
  std::shared_ptr<void> code(dylib, [owner](void *p) {
    if (auto e = owner.lock()) {
      llvm::consumeError(
          e->jit->getExecutionSession().removeJITDylib(*static_cast<llvm::orc::JITDylib *>(p)));
      --e->live;
    }
  });
  ++engine->live;
  if (auto err = jit.addObjectFile(*dylib, llvm::MemoryBuffer::getMemBufferCopy(*object))) {
    error = llvm::toString(std::move(err));
    return nullptr;
  }
  auto lookup = [&](size_t s, codegen::StagePart part) -> StageFunction {
    auto address = jit.lookup(*dylib, codegen::stageSymbol(prefix, s, part));
    if (!address) {
      error = llvm::toString(address.takeError());
      return nullptr;
    }
    return address->toPtr<StageFunction>();
  };
  for (size_t s = 0; s < impl->plan.stages.size(); ++s) {
    bool split = impl->layout.split[s] >= 0;
    impl->stages.push_back(lookup(s, codegen::StagePart::Whole));
    impl->partials.push_back(split ? lookup(s, codegen::StagePart::Partial) : nullptr);
    impl->joins.push_back(split ? lookup(s, codegen::StagePart::Join) : nullptr);
    if (!impl->stages.back() || (split && (!impl->partials.back() || !impl->joins.back())))
      return nullptr;
  }
  impl->code = std::move(code);
  stats.linkMs = since(clock);
  return impl;
}

} // namespace

std::shared_ptr<const Kernel> Jit::compile(const ir::Function &fn, const CompileOptions &options,
                                           std::string *error, CompileStats *stats) {
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  CompileStats local;
  auto finish = [&](std::shared_ptr<const Kernel::Impl> code,
                    CompileSource source) -> std::shared_ptr<const Kernel> {
    local.source = source;
    local.milliseconds = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (stats)
      *stats = local;
    if (!code)
      return nullptr;
    return std::make_shared<const Kernel>(std::move(code), fn, options.boundShapesCapacity);
  };
  std::string localError;
  std::string &err = error ? *error : localError;
  Impl &e = *impl_;
  if (!e.jit) {
    err = "the JIT could not start: " + e.initError;
    return nullptr;
  }
  std::string target;
  {
    std::lock_guard lock(e.mutex);
    if (auto it = e.targetDescriptions.find(options.cpu); it != e.targetDescriptions.end())
      target = it->second;
  }
  if (target.empty()) {
    auto t = describeTarget(options, err);
    if (!t)
      return nullptr;
    target = t->description();
    std::lock_guard lock(e.mutex);
    e.targetDescriptions[options.cpu] = target;
  }
  std::string key = kernelKey(fn, target);
  std::promise<std::shared_ptr<const Kernel::Impl>> promise;
  uint64_t id = 0;
  {
    std::unique_lock lock(e.mutex);
    if (auto *found = e.recent.find(key))
      return finish(*found, CompileSource::MemoryCache);
    if (auto it = e.compiling.find(key); it != e.compiling.end()) {
      auto pending = it->second;
      lock.unlock();
      auto kernel = pending.get(); // another thread is compiling this very kernel
      if (!kernel)
        err = "compiling this kernel failed in another thread";
      return finish(kernel, CompileSource::MemoryCache);
    }
    e.compiling.emplace(key, promise.get_future().share());
    id = e.counter++;
  }
  auto kernel = build(impl_, fn, options, key, id, err, local);
  Impl::Cache::Evicted evicted; // released outside the lock
  {
    std::lock_guard lock(e.mutex);
    e.compiling.erase(key);
    if (kernel)
      evicted = e.recent.insert(std::move(key), kernel);
  }
  promise.set_value(kernel);
  return finish(kernel, local.source);
}

std::string Jit::emitText(const ir::Function &fn, TextStage stage, const CompileOptions &options) {
  transforms::KernelPlan plan = transforms::optimize(fn, options.pipeline);
  std::string error;
  auto target = describeTarget(options, error);
  if (stage == TextStage::Plan) // the plan, then its schedules for this target's vectors
    return transforms::print(plan) +
           (target ? codegen::printSchedules(plan, codegenOptions(*target)) : "");
  if (!target || !createMachine(*target, error))
    return "; error: " + error + "\n";
  codegen::KernelLayout layout = codegen::layoutOf(plan);
  llvm::LLVMContext ctx;
  auto module = buildModule(plan, layout, ctx, "lamina_kernel", *target, error);
  if (!module)
    return "; error: " + error + "\n";
  if (stage == TextStage::LLVM)
    return printModule(*module);
  std::string text = emitObject(*module, *target, true, error);
  return text.empty() ? "; error: " + error + "\n" : text;
}

void setBlasThreads(int threads) { codegen::setBlasThreads(threads); }

} // namespace lamina::jit
