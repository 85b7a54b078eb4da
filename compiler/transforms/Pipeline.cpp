#include "compiler/transforms/Pipeline.h"

#include "compiler/transforms/Passes.h"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace lamina::transforms {
namespace {

struct Pass {
  const char *name;
  void (*run)(ir::Function &);
};

// Folding first makes constants for simplify; CSE after simplify merges the products it made.
constexpr Pass kPasses[] = {
    {"fold-constants", foldConstants},
    {"simplify", simplify},
    {"cse", eliminateCommonSubexpressions},
    {"dce", eliminateDeadCode},
};

// A pass broke an IR invariant: a lamina bug, never an input's fault.
void verifyAfter(const char *pass, const ir::Function &fn) {
  std::string problem = ir::verify(fn);
  if (problem.empty())
    return;
  std::fprintf(stderr, "lamina bug: the IR is invalid after pass %s: %s\n%s", pass, problem.c_str(),
               ir::print(fn).c_str());
  std::abort();
}

} // namespace

KernelPlan optimize(ir::Function fn, const PipelineOptions &options) {
  using Clock = std::chrono::steady_clock;
  std::ostream *log = options.log;
  auto report = [&](const char *name, Clock::time_point start) {
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (log && options.timePasses)
      *log << fmt::format("; time {:<15} {:8.3f} ms\n", name, ms);
  };
  for (const Pass &pass : kPasses) {
    auto start = Clock::now();
    pass.run(fn);
    report(pass.name, start);
    if (options.verifyAfterEach)
      verifyAfter(pass.name, fn);
    if (log && options.printAfterAll)
      *log << fmt::format("; *** IR after {} ***\n{}", pass.name, ir::print(fn));
  }
  auto start = Clock::now();
  KernelPlan plan = planFusion(std::move(fn));
  report("fusion", start);
  if (log && options.printAfterAll)
    *log << "; *** IR after fusion ***\n" << print(plan);
  return plan;
}

std::vector<std::string> passNames() {
  std::vector<std::string> names;
  for (const Pass &pass : kPasses)
    names.emplace_back(pass.name);
  names.emplace_back("fusion");
  return names;
}

} // namespace lamina::transforms
