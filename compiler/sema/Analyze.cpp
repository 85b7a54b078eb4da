// The entry point of sema: picks the entry function, decides which parameters are inputs,
// arguments, `mask` and `training` (docs/language.md, "Which parameters are what"), binds the
// caller's inputs, evaluates the body, and turns the result into the function's outputs.

#include "compiler/sema/Sema.h"

#include "compiler/sema/Builtins.h"
#include "compiler/sema/Evaluator.h"
#include "compiler/sema/Operators.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace lamina {
namespace {

using sema::Value;
using K = Value::Kind;

Value fromConst(const ConstValue &c, SourceRange r) {
  switch (c.kind) {
  case ConstValue::Kind::None:
    return Value::none(r);
  case ConstValue::Kind::Bool:
    return Value::boolean(c.b, r);
  case ConstValue::Kind::Int:
    return Value::integer(c.i, r);
  case ConstValue::Kind::Float:
    return Value::real(c.f, r);
  case ConstValue::Kind::String:
    return Value::string(c.s, r);
  case ConstValue::Kind::List:
  case ConstValue::Kind::Tuple: {
    std::vector<Value> elements;
    for (const ConstValue &e : c.elements)
      elements.push_back(fromConst(e, r));
    return Value::seq(std::move(elements), c.kind == ConstValue::Kind::Tuple, r);
  }
  }
  return Value::none(r);
}

// A module's top level: helper defs, a lambda (the entry when there is one), and other
// statements (expression mode when there is no def or lambda).
struct ModuleItems {
  std::vector<const ast::Node *> defs, statements;
  const ast::Lambda *lambda = nullptr;
};

ModuleItems moduleItems(const ast::Module &module) {
  ModuleItems out;
  for (const ast::Node *item : module.items) {
    if (ast::dyn<ast::Def>(item))
      out.defs.push_back(item);
    else if (auto *l = ast::dyn<ast::Lambda>(item))
      out.lambda = l;
    else if (auto *e = ast::dyn<ast::ExprStmt>(item);
             e && (out.lambda = ast::dyn<ast::Lambda>(e->value)))
      ;
    else
      out.statements.push_back(item);
  }
  return out;
}

struct Entry {
  std::string name;
  SourceRange nameRange;
  const std::vector<ast::Param *> *params = nullptr;
  const ast::Def *def = nullptr;
  const ast::Lambda *lambda = nullptr;
  const ast::Expr *returnAnnotation = nullptr;
};

// Whether an actual type satisfies a declared one: same dtype, same rank, equal known sizes;
// a declared symbol matches any size.
bool matchesDeclared(const TensorType &actual, const TensorType &declared) {
  if (actual.dtype != declared.dtype || actual.rank() != declared.rank())
    return false;
  for (size_t i = 0; i < actual.rank(); ++i)
    if (declared.shape[i].isConstant() && !(declared.shape[i] == actual.shape[i]))
      return false;
  return true;
}

class Analyzer {
public:
  Analyzer(const ast::Module &module, const SourceFile &file, const SemaRequest &request,
           DiagnosticEngine &diags)
      : module_(module), request_(request), ctx_(file, diags, request.limits, fn_),
        eval_(ctx_, module) {
    ctx_.randomSeed = request.randomSeed;
  }

  std::optional<ir::Function> run();

private:
  Value input(const std::string &name, const TensorType &type, size_t binding, SourceRange r) {
    if (!ctx_.checkShape(type.shape, r))
      return Value::error(r);
    fn_.inputs.push_back({name, type, binding});
    ir::Instr in{ir::Op::Input, type, {}, r, ir::IndexAttrs{int64_t(fn_.inputs.size() - 1)}};
    return Value::ofTensor(ctx_.append(std::move(in)), r);
  }
  void bindGlobals();
  Value runExpressionMode();
  std::optional<std::vector<Value>> runStatementsMode(SourceRange all);
  Value runEntry(const Entry &entry);
  bool collectOutputs(const Value &result, SourceRange r);
  bool collectParts(const std::vector<Value> &parts, const Value &whole, SourceRange r);
  void checkDeclaredOutputs(const Entry *entry, SourceRange r);
  void checkShapeLambda(SourceRange r);

  const ast::Module &module_;
  const SemaRequest &request_;
  ir::Function fn_;
  sema::Context ctx_;
  sema::Evaluator eval_;
};

// The caller's inputs and arguments as globals, by name (a repeated input name binds a list).
void Analyzer::bindGlobals() {
  std::map<std::string, std::vector<Value>> byName;
  std::vector<std::string> order;
  for (size_t k = 0; k < request_.inputs.size(); ++k) {
    const InputBinding &b = request_.inputs[k];
    if (!byName.count(b.name))
      order.push_back(b.name);
    byName[b.name].push_back(input(b.name, b.type, k, {}));
  }
  for (const std::string &name : order) {
    std::vector<Value> &values = byName[name];
    eval_.globals[name] = values.size() == 1 ? values[0] : Value::seq(values, false, {});
  }
  for (const auto &[name, value] : request_.arguments)
    eval_.globals[name] = fromConst(value, {});
}

// Free names are the inputs.
Value Analyzer::runExpressionMode() {
  fn_.name = "expr";
  bindGlobals();
  std::vector<ast::Stmt *> body(module_.items.begin(), module_.items.end());
  SourceRange all{0, uint32_t(ctx_.file->text().size())};
  return eval_.run(body, {}, true, all);
}

// The REPL's input (SemaRequest::resultNames): its statements run with the session's values
// as globals; the results are the last expression's parts, then the named values.
std::optional<std::vector<Value>> Analyzer::runStatementsMode(SourceRange all) {
  fn_.name = "input";
  bindGlobals();
  std::vector<ast::Stmt *> body;
  for (ast::Node *item : module_.items)
    if (!ast::dyn<ast::Def>(item))
      body.push_back(static_cast<ast::Stmt *>(item));
  bool endsWithExpression = !body.empty() && ast::dyn<ast::ExprStmt>(body.back());
  std::map<std::string, Value> frame;
  Value result = eval_.run(body, {}, endsWithExpression, all, &frame);
  if (ctx_.diags.hasErrors())
    return std::nullopt;
  std::vector<Value> parts;
  if (endsWithExpression) {
    if (result.isSeq() && result.isTuple && !result.isShape)
      parts = result.elements;
    else
      parts.push_back(result);
  }
  for (const std::string &name : *request_.resultNames) {
    auto it = frame.find(name);
    if (it == frame.end()) {
      ctx_.fail(DiagKind::InternalError, all, "the statements bind no `" + name + "`");
      return std::nullopt;
    }
    parts.push_back(it->second);
  }
  return parts;
}

Value Analyzer::runEntry(const Entry &entry) {
  fn_.name = entry.name;
  std::set<std::string> argumentNames;
  for (const auto &[name, value] : request_.arguments)
    argumentNames.insert(name);
  std::map<std::string, Value> bindings;
  std::vector<const ast::Param *> inputParams;
  for (const ast::Param *p : *entry.params) {
    auto given = std::find_if(request_.arguments.begin(), request_.arguments.end(),
                              [&](const auto &a) { return a.first == p->name; });
    if (given != request_.arguments.end()) {
      bindings[p->name] = fromConst(given->second, p->range);
      argumentNames.erase(p->name);
      if (p->name == "training")
        ctx_.training = bindings[p->name];
    } else if (p->name == "training") {
      bindings[p->name] =
          p->defaultValue ? eval_.evalConstant(p->defaultValue) : Value::boolean(false, p->range);
      ctx_.training = bindings[p->name];
    } else if (p->name == "mask") {
      bindings[p->name] = Value::none(p->range); // replaced below when a mask is passed
      auto it = std::find_if(request_.inputs.begin(), request_.inputs.end(),
                             [](const InputBinding &b) { return b.name == "mask"; });
      if (it != request_.inputs.end())
        bindings[p->name] = input("mask", it->type, size_t(it - request_.inputs.begin()), p->range);
    } else if (p->defaultValue) {
      bindings[p->name] = eval_.evalConstant(p->defaultValue);
    } else {
      inputParams.push_back(p);
    }
  }
  for (const std::string &unused : argumentNames)
    return ctx_.fail(DiagKind::UnknownArgument, entry.nameRange, unused, entry.name);

  bool named = std::all_of(request_.inputs.begin(), request_.inputs.end(),
                           [](const InputBinding &b) { return !b.name.empty(); });
  std::vector<const InputBinding *> inputs;
  for (const InputBinding &b : request_.inputs)
    if (b.name != "mask")
      inputs.push_back(&b);
  auto bindingIndex = [&](const InputBinding *b) { return size_t(b - request_.inputs.data()); };
  auto bindParam = [&](const ast::Param *p, const std::vector<const InputBinding *> &given) {
    std::vector<Value> values;
    for (size_t k = 0; k < given.size(); ++k) {
      std::string label = given.size() == 1 ? p->name : fmt::format("{}[{}]", p->name, k);
      values.push_back(input(label, given[k]->type, bindingIndex(given[k]), p->range));
    }
    if (given.size() == 1 && p->annotation) {
      auto declared = sema::parseAnnotation(ctx_, p->annotation);
      if (declared && !matchesDeclared(given[0]->type, *declared))
        ctx_.fail(DiagKind::AnnotationMismatch, p->annotation->range,
                  fmt::format("parameter `{}`", p->name), declared->str(), given[0]->type.str());
    }
    bindings[p->name] = given.size() == 1 ? values[0] : Value::seq(values, false, p->range);
  };
  if (named) {
    std::set<std::string> used;
    for (const ast::Param *p : inputParams) {
      std::vector<const InputBinding *> given;
      for (const InputBinding *b : inputs)
        if (b->name == p->name)
          given.push_back(b);
      if (given.empty() && p->annotation) {
        // An annotated parameter describes its own input: `def f(x: f32[B, 256])`.
        auto declared = sema::parseAnnotation(ctx_, p->annotation);
        if (!declared)
          return Value::error(p->range);
        bindings[p->name] = input(p->name, *declared, request_.inputs.size(), p->range);
        continue;
      }
      if (given.empty()) {
        ctx_.diags.emit(
            makeDiagnostic(DiagKind::MissingInput, *ctx_.file, p->range, p->name)
                .withLabel(fmt::format("give an input named `{}` (-i {}=...)", p->name, p->name)));
        return Value::error(p->range);
      }
      used.insert(p->name);
      bindParam(p, given);
    }
    for (const InputBinding *b : inputs)
      if (!used.count(b->name))
        return ctx_.fail(DiagKind::UnusedInput, entry.nameRange, b->name, entry.name);
  } else if (!inputParams.empty()) {
    // Keras calls `function(inputs, **arguments)`: the first parameter receives the one tensor
    // or the whole list, and every other one must be an argument or have a default.
    if (inputs.empty())
      return ctx_.fail(DiagKind::MissingInput, inputParams[0]->range, inputParams[0]->name);
    bindParam(inputParams[0], inputs);
    for (size_t i = 1; i < inputParams.size(); ++i)
      ctx_.diags.emit(
          makeDiagnostic(DiagKind::MissingArgument, *ctx_.file, inputParams[i]->range, entry.name,
                         inputParams[i]->name)
              .withLabel(fmt::format("inputs given by position all go to `{}`, as in Keras; "
                                     "give `{}` a default or a value in `arguments`, or name the "
                                     "inputs",
                                     inputParams[0]->name, inputParams[i]->name)));
  } else if (!inputs.empty()) {
    return ctx_.fail(DiagKind::InputCountMismatch, entry.nameRange, entry.name, 0, "s",
                     inputs.size());
  }
  if (ctx_.diags.hasErrors())
    return Value::error(entry.nameRange);
  if (entry.lambda)
    return eval_.evalWith(entry.lambda->body, std::move(bindings));
  return eval_.run(entry.def->body, std::move(bindings), false, entry.nameRange);
}

bool Analyzer::collectOutputs(const Value &result, SourceRange r) {
  if (result.isError())
    return false;
  // `return a, b` and `return [a, b]` are several outputs; a list of numbers (`[1., 2.]`)
  // and a shape are one tensor.
  bool several = result.isSeq() && !result.isShape &&
                 (result.isTuple || !sema::isTensorLike(result) ||
                  std::any_of(result.elements.begin(), result.elements.end(),
                              [](const Value &e) { return e.kind == K::Tensor || e.isSeq(); }));
  return collectParts(several ? result.elements : std::vector<Value>{result}, result, r);
}

// One output per part; `whole` is what the REPL prints when a part is no tensor.
bool Analyzer::collectParts(const std::vector<Value> &parts, const Value &whole, SourceRange r) {
  if (request_.constantResult && std::any_of(parts.begin(), parts.end(),
                                             [](const Value &p) { return !sema::isTensorLike(p); }))
    if (std::optional<std::string> text = sema::repr(whole)) {
      *request_.constantResult = std::move(*text);
      return true;
    }
  if (parts.empty()) {
    ctx_.fail(DiagKind::ExpectedTensor, whole.range.end ? whole.range : r, "an empty tuple");
    return false;
  }
  for (const Value &part : parts) {
    if (!sema::isTensorLike(part)) {
      ctx_.fail(DiagKind::ExpectedTensor, part.range.end ? part.range : r, ctx_.describe(part));
      return false;
    }
    sema::MaybeId t = sema::toTensor(ctx_, part);
    if (!t)
      return false;
    fn_.outputs.push_back(*t);
  }
  return !fn_.outputs.empty();
}

void Analyzer::checkDeclaredOutputs(const Entry *entry, SourceRange r) {
  if (entry && entry->returnAnnotation) {
    std::vector<const ast::Expr *> declared{entry->returnAnnotation};
    if (auto *t = ast::dyn<ast::Tuple>(entry->returnAnnotation))
      declared.assign(t->elements.begin(), t->elements.end());
    if (declared.size() != fn_.outputs.size()) {
      ctx_.fail(DiagKind::OutputShapeMismatch, entry->returnAnnotation->range,
                fmt::format("{} output{}", fn_.outputs.size(), fn_.outputs.size() == 1 ? "" : "s"),
                fmt::format("{} output{}", declared.size(), declared.size() == 1 ? "" : "s"));
      return;
    }
    for (size_t i = 0; i < declared.size(); ++i) {
      auto type = sema::parseAnnotation(ctx_, declared[i]);
      const TensorType &actual = fn_.typeOf(fn_.outputs[i]);
      if (type && !matchesDeclared(actual, *type))
        ctx_.fail(DiagKind::OutputShapeMismatch, declared[i]->range, actual.str(), type->str());
    }
  }
  if (request_.outputShape && !fn_.outputs.empty()) {
    // Keras's output_shape leaves out the batch dimension.
    Value declared = fromConst(*request_.outputShape, r);
    const TensorType &actual = fn_.typeOf(fn_.outputs[0]);
    Shape rest(actual.shape.begin() + (actual.shape.empty() ? 0 : 1), actual.shape.end());
    bool ok = declared.isSeq() && declared.elements.size() == rest.size();
    for (size_t i = 0; ok && i < rest.size(); ++i) {
      const Value &d = declared.elements[i];
      ok = d.kind == K::None || (d.kind == K::Int && (d.i == rest[i] || !rest[i].isConstant()));
    }
    std::string got = actual.shape.empty() ? std::string("a scalar") : shapeString(actual.shape);
    std::string want = "output_shape " + request_.outputShape->repr() + " (without the batch)";
    if (!ok && request_.outputShapeFile)
      ctx_.diags.report(DiagKind::OutputShapeMismatch, *request_.outputShapeFile,
                        request_.outputShapeRange, got, want);
    else if (!ok)
      ctx_.fail(DiagKind::OutputShapeMismatch, entry ? entry->nameRange : r, got, want);
  }
}

// Keras's `output_shape=lambda s: ...`: evaluated at compile time on the input shapes, in a
// scratch function of its own (it may compute with sizes but makes no tensors).
void Analyzer::checkShapeLambda(SourceRange r) {
  const SourceFile &file = *request_.outputShapeLambda->file;
  const ast::Module *module = request_.outputShapeLambda->module.get();
  const ast::Lambda *lambda = nullptr;
  if (module->items.size() == 1)
    if (auto *e = ast::dyn<ast::ExprStmt>(module->items[0]))
      lambda = ast::dyn<ast::Lambda>(e->value);
  if (!lambda)
    lambda = module->items.size() == 1 ? ast::dyn<ast::Lambda>(module->items[0]) : nullptr;
  SourceRange all{0, uint32_t(file.text().size())};
  if (!lambda || lambda->params.size() != 1) {
    ctx_.diags.report(DiagKind::WrongKind, file, all, "output_shape", "a lambda of one parameter",
                      "something else");
    return;
  }
  ir::Function scratch;
  sema::Context shapeCtx(file, ctx_.diags, request_.limits, scratch);
  sema::Evaluator shapeEval(shapeCtx, *module);
  auto shapeOf = [&](const TensorType &t) {
    std::vector<Value> dims;
    for (const Dim &d : t.shape)
      dims.push_back(Value::integer(d, lambda->range));
    Value v = Value::seq(std::move(dims), true, lambda->range);
    v.isShape = true;
    return v;
  };
  Value argument;
  if (fn_.inputs.size() == 1) {
    argument = shapeOf(fn_.inputs[0].type);
  } else {
    std::vector<Value> shapes;
    for (const ir::InputDecl &in : fn_.inputs)
      shapes.push_back(shapeOf(in.type));
    argument = Value::seq(std::move(shapes), false, lambda->range);
  }
  Value declared = shapeEval.evalWith(lambda->body, {{lambda->params[0]->name, argument}});
  if (declared.isError())
    return;
  const TensorType &actual = fn_.typeOf(fn_.outputs[0]);
  bool ok = declared.isSeq() && declared.elements.size() == actual.rank();
  Shape declaredShape;
  for (size_t i = 0; ok && i < actual.rank(); ++i) {
    const Value &d = declared.elements[i];
    ok = d.kind == K::None || (d.kind == K::Int && d.i == actual.shape[i]);
    declaredShape.push_back(d.kind == K::Int ? d.i : Dim::symbol("None"));
  }
  if (!ok)
    ctx_.fail(DiagKind::OutputShapeMismatch, r, shapeString(actual.shape),
              declared.isSeq() ? "output_shape " + shapeString(declaredShape)
                               : "output_shape " + ctx_.describe(declared));
}

std::optional<ir::Function> Analyzer::run() {
  auto [defs, statements, lambda] = moduleItems(module_);
  SourceRange all{0, uint32_t(ctx_.file->text().size())};
  if (defs.empty() && !lambda && statements.empty() && !request_.resultNames) {
    ctx_.fail(DiagKind::NoEntryPoint, all);
    return std::nullopt;
  }
  if (!statements.empty() && (lambda || !defs.empty()) && !request_.resultNames) {
    ctx_.fail(DiagKind::StatementOutsideDef, statements[0]->range);
    return std::nullopt;
  }
  for (const auto &[name, value] : request_.arguments)
    eval_.arguments.insert(name);
  eval_.addSharedDefs(request_.defs);
  Value result;
  std::optional<Entry> entry;
  if (request_.resultNames) {
    auto parts = runStatementsMode(all);
    Value whole = parts && parts->size() == 1 ? parts->front() : Value::seq({}, true, all);
    if (parts && parts->size() != 1)
      whole.elements = *parts;
    if (!parts || ctx_.diags.hasErrors() || !collectParts(*parts, whole, all) ||
        ctx_.diags.hasErrors())
      return std::nullopt;
  } else if (statements.empty()) {
    entry.emplace();
    if (lambda) {
      entry->name = "lambda";
      entry->nameRange = {lambda->range.begin, lambda->range.begin + 6};
      entry->params = &lambda->params;
      entry->lambda = lambda;
    } else {
      auto *def = static_cast<const ast::Def *>(defs.back());
      entry->name = def->name;
      entry->nameRange = def->nameRange;
      entry->params = &def->params;
      entry->def = def;
      entry->returnAnnotation = def->returnAnnotation;
    }
    result = runEntry(*entry);
  } else {
    result = runExpressionMode();
  }
  if (!request_.resultNames &&
      (ctx_.diags.hasErrors() || !collectOutputs(result, all) || ctx_.diags.hasErrors()))
    return std::nullopt;
  if (request_.constantResult && !request_.constantResult->empty())
    return std::move(fn_); // nothing to compute: the REPL prints the value
  checkDeclaredOutputs(entry ? &*entry : nullptr, all);
  if (request_.outputShapeLambda && !ctx_.diags.hasErrors())
    checkShapeLambda(entry ? entry->nameRange : all);
  if (ctx_.diags.hasErrors())
    return std::nullopt;
  // Sema evaluates eagerly: a value computed and then discarded, or a constant folded into a
  // variable, leaves instructions no output reads.
  ir::removeDeadCode(fn_, true);
  if (std::string problem = ir::verify(fn_); !problem.empty()) {
    ctx_.fail(DiagKind::InternalError, all, problem);
    return std::nullopt;
  }
  return std::move(fn_);
}

} // namespace

std::optional<EntrySignature> entrySignature(const ast::Module &module,
                                             const std::vector<std::string> &argumentNames) {
  auto [defs, statements, lambda] = moduleItems(module);
  EntrySignature out;
  if (!statements.empty() && !lambda && defs.empty()) {
    out.expressionMode = true;
    return out;
  }
  const std::vector<ast::Param *> *params = nullptr;
  if (lambda) {
    out.name = "lambda";
    params = &lambda->params;
  } else if (!defs.empty()) {
    auto *def = static_cast<const ast::Def *>(defs.back());
    out.name = def->name;
    params = &def->params;
  } else {
    return std::nullopt;
  }
  // The same classification as runEntry: arguments, `mask`, `training`, then inputs.
  for (const ast::Param *p : *params) {
    bool given =
        std::find(argumentNames.begin(), argumentNames.end(), p->name) != argumentNames.end();
    if (given || (p->defaultValue && p->name != "mask" && p->name != "training"))
      out.arguments.push_back(p->name);
    else if (p->name == "mask")
      out.takesMask = true;
    else if (p->name == "training")
      out.takesTraining = true;
    else
      out.inputs.push_back(p->name);
  }
  return out;
}

std::optional<ir::Function> analyze(const ast::Module &module, const SourceFile &file,
                                    const SemaRequest &request, DiagnosticEngine &diags) {
  size_t errors = diags.errorCount();
  Analyzer analyzer(module, file, request, diags);
  auto fn = analyzer.run();
  // Every failure has a diagnostic: a path that fails silently is a bug, reported as one.
  if (!fn && diags.errorCount() == errors)
    diags.report(DiagKind::InternalError, file, SourceRange{},
                 "the analysis failed without saying why");
  return fn;
}

} // namespace lamina
