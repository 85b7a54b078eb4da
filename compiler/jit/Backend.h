#pragma once

// Internal to the JIT: from a fusion plan to optimized LLVM IR, object code or assembly for
// one target CPU.

#include "compiler/codegen/Layout.h"
#include "compiler/jit/Jit.h"

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <memory>
#include <string>

namespace lamina::jit {

struct Target {
  std::unique_ptr<llvm::TargetMachine> machine;
  std::string cpu, features;
  unsigned vectorWidth = 8;
  /// Everything about the target that changes the code (part of every cache key).
  std::string description() const;
};

/// The host's (or the named) CPU; nothing and `error` set when LLVM does not know it.
std::optional<Target> makeTarget(const CompileOptions &options, std::string &error);

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
