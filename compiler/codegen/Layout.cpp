#include "compiler/codegen/Layout.h"

#include <algorithm>
#include <set>

namespace lamina::codegen {

KernelLayout layoutOf(const transforms::KernelPlan &plan) {
  KernelLayout layout;
  std::set<std::string> symbols;
  for (const ir::InputDecl &in : plan.fn.inputs)
    for (const Dim &d : in.type.shape)
      for (const std::string &s : d.symbols())
        symbols.insert(s);
  layout.symbols.assign(symbols.begin(), symbols.end());
  layout.inputs = plan.fn.inputs.size();
  layout.variables = plan.fn.variables.size();
  layout.outputs = plan.fn.outputs.size();
  layout.temps = plan.temps.size();
  for (const transforms::Stage &s : plan.stages)
    layout.split.push_back(s.splitReduced ? int(layout.splits++) : -1);
  return layout;
}

size_t bufferOf(const transforms::KernelPlan &plan, const KernelLayout &layout, ir::ValueId v) {
  const ir::Instr &in = plan.fn.instrs[v];
  switch (plan.storage[v]) {
  case transforms::Storage::Input:
    return size_t(in.get<ir::IndexAttrs>().index);
  case transforms::Storage::Variable:
    return layout.inputs + size_t(in.get<ir::IndexAttrs>().index);
  case transforms::Storage::Output: {
    auto it = std::find(plan.fn.outputs.begin(), plan.fn.outputs.end(), v);
    return layout.outputBuffer(size_t(it - plan.fn.outputs.begin()));
  }
  default: {
    if (auto shared = plan.inOutput.find(v); shared != plan.inOutput.end())
      return layout.outputBuffer(size_t(shared->second));
    auto it = std::find(plan.temps.begin(), plan.temps.end(), v);
    return layout.tempBuffer(size_t(it - plan.temps.begin()));
  }
  }
}

} // namespace lamina::codegen
