#pragma once

// Internal to the JIT: from a fusion plan to optimized LLVM IR, object code or assembly for
// one target CPU.

#include "compiler/codegen/Codegen.h"
#include "compiler/codegen/Layout.h"
#include "compiler/jit/Jit.h"

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <memory>
#include <string>

namespace lamina::jit {

struct Target {
  std::string triple, cpu, features;
  unsigned vectorWidth = 8;
  std::unique_ptr<llvm::TargetMachine> machine; // made only when code is generated
  /// Everything about the target that changes the code (part of every cache key).
  std::string description() const;
};

/// Initializes LLVM's native target (once per process).
void initializeNativeTarget();

/// The host's (or the named) CPU, without a TargetMachine (a persistent-cache hit needs
/// none); nothing and `error` set when LLVM does not know the CPU.
std::optional<Target> describeTarget(const CompileOptions &options, std::string &error);

/// Makes target.machine; false and `error` set on failure.
bool createMachine(Target &target, std::string &error);

/// What the code generator needs of the target (the vector width).
codegen::CodegenOptions codegenOptions(const Target &target);

/// The plan's module, verified, with the target's attributes, run through LLVM's O3 pipeline
/// (unless `optimize` is false); nothing and `error` set if the generated IR is invalid.
std::unique_ptr<llvm::Module> buildModule(const transforms::KernelPlan &plan,
                                          const codegen::KernelLayout &layout,
                                          llvm::LLVMContext &ctx, const std::string &prefix,
                                          const Target &target, std::string &error,
                                          bool optimize = true);

/// Object code (relocatable ELF) or assembly text for a module; empty with `error` set on
/// failure.
std::string emitObject(llvm::Module &module, const Target &target, bool assembly,
                       std::string &error);

/// The textual IR of a module.
std::string printModule(const llvm::Module &module);

} // namespace lamina::jit
