#include "compiler/transforms/Passes.h"

#include <fmt/format.h>

#include <numeric>
#include <unordered_map>

namespace lamina::transforms {
namespace {

// Everything that makes two instructions compute the same value, as one string.
std::string keyOf(const ir::Instr &in) {
  std::string key = fmt::format("{}|{}|", int(in.op), in.type.str());
  for (ir::ValueId o : in.operands)
    key += fmt::format("{},", o);
  key += "|";
  for (int64_t a : in.axes)
    key += fmt::format("{},", a);
  key += fmt::format("|{}|", in.keepdims);
  for (const Dim &d : in.begins)
    key += d.str() + ",";
  for (int64_t s : in.steps)
    key += fmt::format("{},", s);
  for (auto [lo, hi] : in.pads)
    key += fmt::format("{}:{},", lo, hi);
  key += fmt::format("|{}|{}|{}|{}|", int(in.padMode), in.padValue, in.dim.str(), in.index);
  if (in.constant)
    key.append(reinterpret_cast<const char *>(in.constant->bytes.data()),
               in.constant->bytes.size());
  return key;
}

} // namespace

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
    auto [it, inserted] = seen.emplace(keyOf(in), ir::ValueId(v));
    if (!inserted)
      replacement[v] = it->second;
  }
  replaceAndCompact(fn, replacement);
}

} // namespace lamina::transforms
