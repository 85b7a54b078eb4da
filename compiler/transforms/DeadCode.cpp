#include "compiler/transforms/Passes.h"

#include <numeric>

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

  std::vector<bool> live(fn.instrs.size(), false);
  for (ir::ValueId o : fn.outputs)
    live[o] = true;
  for (size_t v = fn.instrs.size(); v-- > 0;)
    if (live[v])
      for (ir::ValueId o : fn.instrs[v].operands)
        live[o] = true;
  std::vector<ir::ValueId> renumber(fn.instrs.size(), 0);
  std::vector<ir::Instr> kept;
  kept.reserve(fn.instrs.size());
  for (size_t v = 0; v < fn.instrs.size(); ++v) {
    if (!live[v])
      continue;
    renumber[v] = ir::ValueId(kept.size());
    kept.push_back(std::move(fn.instrs[v]));
    for (ir::ValueId &o : kept.back().operands)
      o = renumber[o];
  }
  fn.instrs = std::move(kept);
  for (ir::ValueId &o : fn.outputs)
    o = renumber[o];
}

void eliminateDeadCode(ir::Function &fn) {
  std::vector<ir::ValueId> same(fn.instrs.size());
  std::iota(same.begin(), same.end(), ir::ValueId(0));
  replaceAndCompact(fn, same);
}

} // namespace lamina::transforms
