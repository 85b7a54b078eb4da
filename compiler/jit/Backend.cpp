#include "compiler/jit/Backend.h"

#include "compiler/codegen/Codegen.h"

#include <fmt/format.h>
#include <llvm/ADT/StringMap.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/TargetParser/Host.h>

#include <mutex>

namespace lamina::jit {

std::string Target::description() const {
  return fmt::format("{};{};{};w{}", triple, cpu, features, vectorWidth);
}

namespace {

constexpr const char *kPipeline =
    "function(sroa,early-cse<memssa>,instcombine<no-verify-fixpoint>,simplifycfg,"
    "loop(loop-rotate),loop-mssa(licm),loop-unroll<O3>,gvn,instcombine<no-verify-fixpoint>,"
    "simplifycfg,adce)";

} // namespace

void initializeNativeTarget() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

std::optional<Target> describeTarget(const CompileOptions &options, std::string &error) {
  initializeNativeTarget();
  Target target;
  target.triple = llvm::sys::getProcessTriple();
  if (options.cpu.empty() || options.cpu == "host") {
    target.cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures features;
    for (const auto &f : llvm::sys::getHostCPUFeatures())
      features.AddFeature(f.first(), f.second);
    target.features = features.getString();
  } else {
    target.cpu = options.cpu == "generic" ? "x86-64" : options.cpu;
  }
  const llvm::Target *llvmTarget = llvm::TargetRegistry::lookupTarget(target.triple, error);
  if (!llvmTarget)
    return std::nullopt;
  std::unique_ptr<llvm::MCSubtargetInfo> info(
      llvmTarget->createMCSubtargetInfo(target.triple, target.cpu, target.features));
  if (!info || !info->isCPUStringValid(target.cpu)) {
    error = fmt::format("unknown CPU '{}'", options.cpu);
    return std::nullopt;
  }
  // One vector register of f32 lanes: 16 with AVX-512, 8 with AVX, 4 with SSE.
  unsigned lanes = info->checkFeatures("+avx512f") ? 16 : info->checkFeatures("+avx") ? 8 : 4;
  target.vectorWidth = options.vectorWidth ? options.vectorWidth : lanes;
  return target;
}

bool createMachine(Target &target, std::string &error) {
  llvm::orc::JITTargetMachineBuilder builder{llvm::Triple(target.triple)};
  builder.setCPU(target.cpu);
  builder.getFeatures() = llvm::SubtargetFeatures(target.features);
  builder.setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  builder.setRelocationModel(llvm::Reloc::PIC_);
  builder.setCodeModel(llvm::CodeModel::Small);
  auto machine = builder.createTargetMachine();
  if (!machine) {
    error = llvm::toString(machine.takeError());
    return false;
  }
  target.machine = std::move(*machine);
  return true;
}

codegen::CodegenOptions codegenOptions(const Target &target) {
  codegen::CodegenOptions options;
  options.vectorWidth = target.vectorWidth;
  return options;
}

std::unique_ptr<llvm::Module> buildModule(const transforms::KernelPlan &plan,
                                          const codegen::KernelLayout &layout,
                                          llvm::LLVMContext &ctx, const std::string &prefix,
                                          const Target &target, std::string &error, bool optimize) {
  auto module = codegen::emitModule(plan, layout, ctx, prefix, codegenOptions(target));
  module->setDataLayout(target.machine->createDataLayout());
  module->setTargetTriple(target.machine->getTargetTriple().str());
  for (llvm::Function &f : *module) {
    if (f.isDeclaration())
      continue;
    f.addFnAttr("target-cpu", target.cpu);
    if (!target.features.empty())
      f.addFnAttr("target-features", target.features);
  }
  std::string problems;
  llvm::raw_string_ostream report(problems);
  if (llvm::verifyModule(*module, &report)) {
    error = "lamina generated invalid LLVM IR (a lamina bug): " + problems;
    return nullptr;
  }
  if (!optimize)
    return module;
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder passes(target.machine.get());
  passes.registerModuleAnalyses(mam);
  passes.registerCGSCCAnalyses(cgam);
  passes.registerFunctionAnalyses(fam);
  passes.registerLoopAnalyses(lam);
  passes.crossRegisterProxies(lam, fam, cgam, mam);
  // Codegen emits loops already vectorized, with no calls to inline: the O3 pipeline would
  // spend most of a compile re-running InstCombine for nothing. This one promotes the
  // accumulators to registers, folds the index arithmetic, hoists what each row or loop
  // computes once, and merges what the lanes and the tail share (4x faster to compile, the
  // same machine code for the suite).
  llvm::ModulePassManager mpm;
  if (auto err = passes.parsePassPipeline(mpm, kPipeline)) {
    error = "LLVM rejected lamina's pass pipeline: " + llvm::toString(std::move(err));
    return nullptr;
  }
  mpm.run(*module, mam);
  return module;
}

std::string emitObject(llvm::Module &module, const Target &target, bool assembly,
                       std::string &error) {
  llvm::SmallVector<char, 0> buffer;
  llvm::raw_svector_ostream out(buffer);
  llvm::legacy::PassManager pm;
  auto kind = assembly ? llvm::CodeGenFileType::AssemblyFile : llvm::CodeGenFileType::ObjectFile;
  if (target.machine->addPassesToEmitFile(pm, out, nullptr, kind)) {
    error = "LLVM cannot emit code for this target";
    return {};
  }
  pm.run(module);
  return std::string(buffer.begin(), buffer.end());
}

std::string printModule(const llvm::Module &module) {
  std::string text;
  llvm::raw_string_ostream out(text);
  module.print(out, nullptr);
  return text;
}

} // namespace lamina::jit
