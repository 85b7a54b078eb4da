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
  return fmt::format("{};{};{};w{}", machine->getTargetTriple().str(), cpu, features, vectorWidth);
}

namespace {

void initializeLLVM() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

} // namespace

std::optional<Target> makeTarget(const CompileOptions &options, std::string &error) {
  initializeLLVM();
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder) {
    error = llvm::toString(builder.takeError());
    return std::nullopt;
  }
  Target target;
  if (options.cpu.empty() || options.cpu == "host") {
    target.cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures features;
    for (const auto &f : llvm::sys::getHostCPUFeatures())
      features.AddFeature(f.first(), f.second);
    target.features = features.getString();
  } else {
    target.cpu = options.cpu == "generic" ? "x86-64" : options.cpu;
    target.features = "";
  }
  builder->setCPU(target.cpu);
  builder->getFeatures() = llvm::SubtargetFeatures(target.features);
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  builder->setRelocationModel(llvm::Reloc::PIC_);
  builder->setCodeModel(llvm::CodeModel::Small);
  auto machine = builder->createTargetMachine();
  if (!machine) {
    error = llvm::toString(machine.takeError());
    return std::nullopt;
  }
  target.machine = std::move(*machine);
  if (!target.machine->getMCSubtargetInfo()->isCPUStringValid(target.cpu)) {
    error = fmt::format("unknown CPU '{}'", options.cpu);
    return std::nullopt;
  }
  bool avx = target.machine->getMCSubtargetInfo()->checkFeatures("+avx");
  target.vectorWidth = options.vectorWidth ? options.vectorWidth : avx ? 8 : 4;
  return target;
}

std::unique_ptr<llvm::Module> buildModule(const transforms::KernelPlan &plan,
                                          const codegen::KernelLayout &layout,
                                          llvm::LLVMContext &ctx, const std::string &prefix,
                                          const Target &target, std::string &error, bool optimize) {
  codegen::CodegenOptions options;
  options.vectorWidth = target.vectorWidth;
  auto module = codegen::emitModule(plan, layout, ctx, prefix, options);
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
  llvm::PipelineTuningOptions tuning;
  tuning.LoopVectorization = false; // loops are vectorized explicitly by codegen
  tuning.SLPVectorization = false;
  llvm::PassBuilder passes(target.machine.get(), tuning);
  passes.registerModuleAnalyses(mam);
  passes.registerCGSCCAnalyses(cgam);
  passes.registerFunctionAnalyses(fam);
  passes.registerLoopAnalyses(lam);
  passes.crossRegisterProxies(lam, fam, cgam, mam);
  llvm::ModulePassManager mpm = passes.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3);
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
