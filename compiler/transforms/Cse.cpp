#include "compiler/transforms/Passes.h"

#include <numeric>
#include <unordered_map>

namespace lamina::transforms {
void eliminateCommonSubexpressions(ir::Function &fn) {
  std::vector<ir::ValueId> replacement(fn.instrs.size());
  std::iota(replacement.begin(), replacement.end(), ir::ValueId(0));
  std::unordered_map<std::string, ir::ValueId> seen;
  for (size_t v = 0; v < fn.instrs.size(); ++v) {
    ir::Instr &in = fn.instrs[v];
    for (ir::ValueId &o : in.operands)
      o = replacement[o];
    // Variables are state: two reads of one variable are one value, but that is already
    // so (one instruction per variable); inputs likewise. Everything is pure otherwise.
    auto [it, inserted] = seen.emplace(ir::keyOf(fn, in), ir::ValueId(v));
    if (!inserted)
      replacement[v] = it->second;
  }
  replaceAndCompact(fn, replacement);
}

} // namespace lamina::transforms
