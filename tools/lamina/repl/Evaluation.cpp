// Turning one input into a program, running it off the REPL's thread (so Ctrl-C can abandon
// it), and taking the results back: printing values and binding names.
//
// The program for `y = relu(x) @ transpose(x)` with `x` bound is
//
//     <the defs the input calls, and the defs they call, as typed>
//     def __repl__(x):
//     y = relu(x) @ transpose(x)
//     return y
//
// with `x` bound to the session's array, so every type and shape is concrete. A last bare
// expression becomes `return <expr>, <assigned names>`. Indentation carries no meaning in
// lamina, so the input's own lines are used as they are, and ProgramText maps every
// diagnostic back onto them.

#include "compiler/interp/Interpreter.h"
#include "compiler/types/Elements.h"
#include "tools/lamina/repl/Interrupt.h"
#include "tools/lamina/repl/ProgramText.h"
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
  std::shared_ptr<const SourceFile> program;
  SemaRequest request;
  std::vector<std::shared_ptr<const Array>> arrays; // one per request input
  EvalSettings eval;
  ParseLimits limits;
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
      driver::Driver::shared().check(*job.program, job.request, diags, job.limits);
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

std::string joined(const std::vector<std::string> &names) {
  std::string out;
  for (const std::string &n : names)
    out += (out.empty() ? "" : ", ") + n;
  return out;
}

} // namespace

Session::Outcome Session::evaluate(Mode mode, const std::shared_ptr<const SourceFile> &display,
                                   const ast::Module &module, int timeRuns) {
  std::vector<const ast::Node *> statements;
  for (const ast::Node *item : module.items)
    if (!ast::dyn<ast::Def>(item))
      statements.push_back(item);
  if (statements.empty()) {
    error("expected an expression");
    return {false, false};
  }
  std::set<std::string> mentioned;
  for (const ast::Node *s : statements)
    collectNames(*s, mentioned);

  // The defs the input calls, and the ones they call, in the order they were typed.
  std::vector<const StoredDef *> defs;
  std::set<std::string> included;
  std::vector<std::string> pending(mentioned.begin(), mentioned.end());
  while (!pending.empty()) {
    std::string name = pending.back();
    pending.pop_back();
    auto it = defs_.find(name);
    if (it == defs_.end() || !included.insert(name).second)
      continue;
    defs.push_back(&it->second);
    pending.insert(pending.end(), it->second.mentions.begin(), it->second.mentions.end());
  }
  std::sort(defs.begin(), defs.end(),
            [](const StoredDef *a, const StoredDef *b) { return a->order < b->order; });

  SourceRange whole{statements.front()->range.begin, statements.back()->range.end};
  auto text = std::make_shared<ProgramText>(display, whole);
  for (const StoredDef *def : defs) {
    text->addMapped(def->file, def->range);
    text->addSynthetic("\n");
  }
  auto job = std::make_shared<Job>();
  std::vector<std::string> params;
  for (const std::string &name : mentioned) {
    auto it = values_.find(name);
    if (it == values_.end())
      continue;
    params.push_back(name);
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
  text->addSynthetic("def __repl__(" + joined(params) + "):\n");
  bool endsWithExpression = ast::dyn<ast::ExprStmt>(statements.back()) != nullptr;
  bool listLiteral = endsWithExpression && assigned.empty() &&
                     ast::dyn<ast::List>(ast::dyn<ast::ExprStmt>(statements.back())->value);
  for (const ast::Node *s : statements) {
    if (s == statements.back() && endsWithExpression)
      text->addSynthetic("return ");
    text->addMapped(display, s->range);
    // One output per assigned name, and a list literal is one tensor, not several outputs:
    // a trailing comma makes the result a tuple whose parts each become one tensor.
    if (s == statements.back() && endsWithExpression && !assigned.empty())
      text->addSynthetic(", " + joined(assigned));
    else if (s == statements.back() && listLiteral)
      text->addSynthetic(",");
    text->addSynthetic("\n");
  }
  if (!endsWithExpression)
    text->addSynthetic("return " + joined(assigned) + (assigned.size() == 1 ? ",\n" : "\n"));

  job->printConstants = assigned.empty() && endsWithExpression;
  job->mode = int(mode);
  job->timeRuns = timeRuns;
  job->program = std::make_shared<const SourceFile>("<repl program>", text->text());
  job->eval = settings_.eval;
  // The pieces were each checked against the limits when typed; together they may be larger.
  job->limits = settings_.limits;
  job->limits.maxSourceBytes *= 16;
  job->limits.maxNodes *= 16;

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
    render(text->map(d, *job->program));
  if (!job->jitError.empty())
    error(job->jitError);
  if (!job->ok)
    return {false, false};

  std::fflush(settings_.errors);
  if (!job->constant.empty()) {
    std::string shown = job->constant;
    // A list literal was made a one-tuple above (to stay one tensor): show the list.
    if (listLiteral && shown.starts_with("([") && shown.ends_with("],)"))
      shown = shown.substr(1, shown.size() - 3);
    std::fputs((shown + "\n").c_str(), stdout);
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
