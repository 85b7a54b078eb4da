#pragma once

// Typed, fused IR to an LLVM module: one function per stage of the plan (signature in
// Layout.h), loops explicitly vectorized `vectorWidth` lanes wide with a scalar tail.

#include "compiler/codegen/Layout.h"

#include <llvm/IR/Module.h>

#include <memory>
#include <string>

namespace lamina::codegen {

struct CodegenOptions {
  unsigned vectorWidth = 8;     // lanes of f32 (and of every other type) per vector step
  unsigned reductionUnroll = 4; // independent accumulators in reduction loops
};

/// Which of a stage's functions: every stage has a whole one; a split reduction also has a
/// partial and a join one (Layout.h).
enum class StagePart : uint8_t { Whole, Partial, Join };

/// The name of stage k's function in a module made with `prefix`.
std::string stageSymbol(const std::string &prefix, size_t stage, StagePart part = StagePart::Whole);

std::unique_ptr<llvm::Module> emitModule(const transforms::KernelPlan &plan,
                                         const KernelLayout &layout, llvm::LLVMContext &ctx,
                                         const std::string &prefix, const CodegenOptions &options);

} // namespace lamina::codegen
