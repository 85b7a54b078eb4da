#include "compiler/transforms/Passes.h"

#include "compiler/interp/Interpreter.h"

#include <numeric>

namespace lamina::transforms {
namespace {

// Folding copies the result into the IR, so only small results are folded.
constexpr int64_t kMaxFoldedElements = 4096;

bool isConstant(const ir::Function &fn, ir::ValueId v) {
  return fn.instrs[v].op == ir::Op::Constant;
}

} // namespace

void foldConstants(ir::Function &fn) {
  SourceFile none("<fold>", "");
  CollectingConsumer sink;
  for (size_t v = 0; v < fn.instrs.size(); ++v) {
    ir::Instr &in = fn.instrs[v];
    if (ir::categoryOf(in.op) == ir::OpCategory::Leaf || in.operands.empty())
      continue;
    bool allConstant = true;
    for (ir::ValueId o : in.operands)
      allConstant = allConstant && isConstant(fn, o);
    auto count = knownElementCount(in.type.shape);
    if (!allConstant || !count || *count > kMaxFoldedElements)
      continue;
    // A one-instruction function over the constant operands, run by the interpreter.
    ir::Function single;
    for (ir::ValueId o : in.operands) {
      single.instrs.push_back(fn.instrs[o]);
      single.instrs.back().operands.clear();
    }
    ir::Instr copy = in;
    std::iota(copy.operands.begin(), copy.operands.end(), ir::ValueId(0));
    single.instrs.push_back(std::move(copy));
    single.outputs = {ir::ValueId(single.instrs.size() - 1)};
    DiagnosticEngine diags(sink);
    auto result = interpret(single, {}, {}, none, diags);
    if (!result)
      continue; // a run-time error stays where the program will report it
    ir::Instr folded(ir::Op::Constant, in.type, {}, in.range,
                     ir::ValueAttrs{std::make_shared<const Array>(std::move(result->front()))});
    in = std::move(folded);
  }
  eliminateDeadCode(fn);
}

} // namespace lamina::transforms
