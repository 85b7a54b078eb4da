// Checking one input, running it off the REPL's thread (so Ctrl-C can abandon it), and taking
// the results back: printing values and binding names.
//
// Sema checks the input as typed, in statements mode (SemaRequest::resultNames): the session's
// values it mentions are pre-bound globals (tensors as inputs, so every type and shape is
// concrete; literals as arguments), the defs it calls (and the defs they call) are shared
// from the inputs that typed them, and the results are the last expression's value, then the
// names the input assigns. Every diagnostic already points into the text it is about.

#include "compiler/interp/Interpreter.h"
#include "compiler/types/Elements.h"
#include "tools/lamina/repl/Interrupt.h"
#include "tools/lamina/repl/Session.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace lamina::cli::repl {
namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

std::string duration(double ns) {
  if (ns < 1e3)
    return fmt::format("{:.3g} ns", ns);
  if (ns < 1e6)
    return fmt::format("{:.3g} µs", ns / 1e3);
  if (ns < 1e9)
    return fmt::format("{:.3g} ms", ns / 1e6);
  return fmt::format("{:.3g} s", ns / 1e9);
}

// Everything a computation touches, owned by it: an abandoned one keeps it alive alone.
struct Job {
  int mode = 0;
  int timeRuns = 0;
  std::shared_ptr<const SourceFile> program;                  // the input as typed
  std::shared_ptr<const ast::Module> module;                  // ... parsed
  std::vector<std::shared_ptr<const ast::Module>> defModules; // the shared defs' ASTs ...
  std::vector<std::shared_ptr<const SourceFile>> defFiles;    // ... and sources
  SemaRequest request;
  std::vector<std::shared_ptr<const Array>> arrays; // one per request input
  EvalSettings eval;
  std::atomic<bool> cancel{false}; // set when Ctrl-C abandons the job: it stops soon after

  CollectingConsumer collected;
  bool ok = false;
  std::string text;
  bool printConstants = false; // an expression with no assignment may be a dtype, a string...
  std::string constant;        // ... printed as Python prints it
  std::vector<TensorType> types;
  std::vector<Array> outputs;
  std::string jitError;
};

enum JobMode { kEval, kType, kShape, kIr, kOpt, kLlvm, kAsm, kTime };

// :time: the compile separately from the median of `timeRuns` timed calls into outputs
// allocated once (so allocation is not timed), after one checked warm-up call.
void timeJob(Job &job, const ir::Function &fn, std::vector<Array> &inputs, double checkMs,
             DiagnosticEngine &diags) {
  const SourceFile &file = *job.program;
  auto symbols = bindSymbols(fn, inputs, file, diags);
  auto variables = symbols ? initialValues(fn, *symbols, file, diags) : std::nullopt;
  if (!variables)
    return;
  auto runs = size_t(std::max(job.timeRuns, 1));
  Timing timing;
  std::string compileLine;
  if (job.eval.interpreter) {
    if (!interpret(fn, inputs, *variables, file, diags))
      return;
    timing =
        timeCalls([&] { (void)interpret(fn, inputs, *variables, file, diags); }, 1, runs, 0, runs);
    compileLine = fmt::format("check {:.3g} ms (the interpreter compiles nothing)", checkMs);
  } else {
    auto t0 = Clock::now();
    driver::CompileStats stats;
    auto kernel = driver::Driver::shared().compile(fn, job.eval.compile, &job.jitError, &stats);
    if (!kernel)
      return;
    double jitMs = millisecondsSince(t0);
    const char *source = stats.source == driver::CompileSource::MemoryCache ? " (memory cache)"
                         : stats.source == driver::CompileSource::DiskCache ? " (disk cache)"
                                                                            : "";
    compileLine = fmt::format(
        "{:.3g} ms: check {:.3g} ms, jit {:.3g} ms{} (plan {:.2f}, llvm-ir {:.2f}, machine code "
        "{:.2f}, link {:.2f})",
        checkMs + jitMs, checkMs, jitMs, source, stats.planMs, stats.llvmIrMs, stats.machineCodeMs,
        stats.linkMs);
    std::vector<TensorRef> in, vars, out;
    for (Array &a : inputs)
      in.push_back({a.dtype, a.shape, a.bytes.data()});
    for (Array &a : *variables)
      vars.push_back({a.dtype, a.shape, a.bytes.data()});
    auto shapes = kernel->outputShapes(in, file, diags);
    if (!shapes)
      return;
    std::vector<Array> outputs;
    for (size_t o = 0; o < shapes->size(); ++o)
      outputs.push_back(makeArray(fn.typeOf(fn.outputs[o]).dtype, (*shapes)[o]));
    for (Array &a : outputs)
      out.push_back({a.dtype, a.shape, a.bytes.data()});
    Executor &executor = executorFor(job.eval.threads);
    auto call = [&] { return kernel->run(in, vars, out, executor, file, diags); };
    if (!call())
      return;
    timing = timeCalls([&] { (void)call(); }, 1, runs, 0, runs);
  }
  job.text =
      fmt::format("compile  {}\nrun      median {}, min {}, max {} ({} runs, {})\n", compileLine,
                  duration(timing.medianNs), duration(timing.minNs), duration(timing.maxNs),
                  timing.samples, job.eval.interpreter ? "interpreter" : "jit");
  job.ok = true;
}

void runJob(Job &job) {
  DiagnosticEngine diags(job.collected);
  auto t0 = Clock::now();
  std::string constant;
  if (job.printConstants)
    job.request.constantResult = &constant;
  std::optional<ir::Function> fn =
      driver::Driver::shared().check(*job.module, *job.program, job.request, diags);
  double checkMs = millisecondsSince(t0);
  if (!fn)
    return;
  if (!constant.empty()) { // `x.dtype`, `None`, `sum`: printed as Python would, in every mode
    job.constant = std::move(constant);
    job.ok = true;
    return;
  }
  for (ir::ValueId out : fn->outputs)
    job.types.push_back(fn->typeOf(out));
  std::vector<Array> inputs;
  for (const ir::InputDecl &decl : fn->inputs) {
    if (decl.binding >= job.arrays.size())
      return; // an annotated parameter of the entry, which the REPL never writes
    inputs.push_back(*job.arrays[decl.binding]);
  }
  switch (job.mode) {
  case kType:
  case kShape:
    job.ok = true;
    return;
  case kIr:
  case kOpt:
  case kLlvm:
  case kAsm: {
    static const char *const kStages[] = {"ir", "ir-opt", "llvm", "asm"};
    job.text = stageText(*fn, kStages[job.mode - kIr], job.eval.compile);
    job.ok = true;
    return;
  }
  case kTime:
    timeJob(job, *fn, inputs, checkMs, diags);
    return;
  default: {
    auto outputs = evaluate(*fn, inputs, job.eval, *job.program, diags, job.jitError);
    if (!outputs)
      return;
    job.outputs = std::move(*outputs);
    job.ok = true;
  }
  }
}
} // namespace

Session::Outcome Session::evaluate(Mode mode, const std::shared_ptr<const SourceFile> &display,
                                   const std::shared_ptr<const ast::Module> &module, int timeRuns) {
  std::vector<const ast::Node *> statements;
  for (const ast::Node *item : module->items)
    if (!ast::dyn<ast::Def>(item))
      statements.push_back(item);
  if (statements.empty()) {
    error("expected an expression");
    return {false, false};
  }
  std::set<std::string> mentioned;
  for (const ast::Node *s : statements)
    collectNames(*s, mentioned);

  auto job = std::make_shared<Job>();
  // The defs the input calls, and the ones they call; and the names all of them mention.
  std::set<std::string> included;
  std::vector<std::string> pending(mentioned.begin(), mentioned.end());
  while (!pending.empty()) {
    std::string name = pending.back();
    pending.pop_back();
    auto it = defs_.find(name);
    if (it == defs_.end() || !included.insert(name).second)
      continue;
    job->request.defs.push_back({it->second.def, it->second.file.get()});
    job->defModules.push_back(it->second.module);
    job->defFiles.push_back(it->second.file);
    mentioned.insert(it->second.mentions.begin(), it->second.mentions.end());
    pending.insert(pending.end(), it->second.mentions.begin(), it->second.mentions.end());
  }
  for (const std::string &name : mentioned) {
    auto it = values_.find(name);
    if (it == values_.end())
      continue;
    if (it->second.tensor) {
      job->request.inputs.push_back({name, arrayType(*it->second.tensor)});
      job->arrays.push_back(it->second.tensor);
    } else {
      job->request.arguments.emplace_back(name, *it->second.constant);
    }
  }
  std::vector<std::string> assigned;
  auto assign = [&](const std::string &name) {
    if (std::find(assigned.begin(), assigned.end(), name) == assigned.end())
      assigned.push_back(name);
  };
  for (const ast::Node *s : statements) {
    if (auto *a = ast::dyn<ast::Assign>(s))
      for (const ast::Name *target : a->targets)
        assign(target->id);
    else if (auto *aug = ast::dyn<ast::AugAssign>(s))
      assign(aug->target->id);
  }
  job->request.resultNames = assigned;
  bool endsWithExpression = ast::dyn<ast::ExprStmt>(statements.back()) != nullptr;
  job->printConstants = assigned.empty() && endsWithExpression;
  job->mode = int(mode);
  job->timeRuns = timeRuns;
  job->program = display;
  job->module = module;
  job->eval = settings_.eval;

  clearInterrupt();
  job->eval.cancel = &job->cancel;
  bool finished = background_.run([job] { runJob(*job); });
  if (!finished) {
    job->cancel = true; // the abandoned job stops at its next check, not after the whole run
    clearInterrupt();
    error("interrupted (the computation is abandoned)");
    return {false, false};
  }
  for (const Diagnostic &d : job->collected.diagnostics)
    render(d);
  if (!job->jitError.empty())
    error(job->jitError);
  if (!job->ok)
    return {false, false};

  std::fflush(settings_.errors);
  if (!job->constant.empty()) {
    std::fputs((job->constant + "\n").c_str(), stdout);
    std::fflush(stdout);
    return {};
  }
  size_t expressions = job->types.size() - std::min(job->types.size(), assigned.size());
  switch (mode) {
  case Mode::Type:
  case Mode::Shape:
    // `:type y = f(x)` has no expression: show what it assigns.
    for (size_t k = 0; k < (expressions ? expressions : job->types.size()); ++k)
      std::fputs((mode == Mode::Type ? job->types[k].str() : shapeString(job->types[k].shape))
                     .append("\n")
                     .c_str(),
                 stdout);
    break;
  case Mode::Eval: {
    for (size_t k = 0; k < expressions; ++k)
      std::fputs(formatTensor(job->outputs[k], settings_.print).append("\n").c_str(), stdout);
    std::vector<std::shared_ptr<const Array>> results;
    for (Array &a : job->outputs)
      results.push_back(std::make_shared<const Array>(std::move(a)));
    for (size_t k = 0; k < assigned.size() && expressions + k < results.size(); ++k)
      bind(assigned[k], {results[expressions + k], std::nullopt});
    if (expressions == 1)
      bind("ans", {results[0], std::nullopt});
    break;
  }
  default:
    std::fputs(job->text.c_str(), stdout);
  }
  std::fflush(stdout);
  return {};
}

} // namespace lamina::cli::repl
