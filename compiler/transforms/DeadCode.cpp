#include "compiler/transforms/Passes.h"

namespace lamina::transforms {

void replaceAndCompact(ir::Function &fn, const std::vector<ir::ValueId> &replacement) {
  // Replacements may chain (a -> b -> c); operands always point earlier, so one forward
  // sweep resolves every chain.
  std::vector<ir::ValueId> resolved(replacement);
  for (size_t v = 0; v < resolved.size(); ++v)
    if (resolved[v] != v)
      resolved[v] = resolved[resolved[v]];
  for (ir::Instr &in : fn.instrs)
    for (ir::ValueId &o : in.operands)
      o = resolved[o];
  for (ir::ValueId &o : fn.outputs)
    o = resolved[o];

  ir::removeDeadCode(fn, false);
}

void eliminateDeadCode(ir::Function &fn) { ir::removeDeadCode(fn, false); }

} // namespace lamina::transforms
