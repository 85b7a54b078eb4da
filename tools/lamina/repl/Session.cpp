#include "tools/lamina/repl/Session.h"

#include "compiler/ast/Children.h"
#include "compiler/driver/Frontend.h"
#include "tools/lamina/repl/Helpers.h"

#include <fmt/format.h>

#include <cstdio>

namespace lamina::cli::repl {

namespace {

// Sends each diagnostic through `forward` (which maps and renders it).
class ForwardingConsumer final : public DiagnosticConsumer {
public:
  explicit ForwardingConsumer(std::function<void(const Diagnostic &)> forward)
      : forward_(std::move(forward)) {}
  void consume(const Diagnostic &d) override { forward_(d); }

private:
  std::function<void(const Diagnostic &)> forward_;
};

bool isLiteral(const ast::Node *node) {
  if (ast::dyn<ast::Number>(node) || ast::dyn<ast::String>(node) || ast::dyn<ast::Bool>(node) ||
      ast::dyn<ast::NoneLit>(node))
    return true;
  if (auto *u = ast::dyn<ast::Unary>(node))
    return u->op != ast::UnaryOp::Not && ast::dyn<ast::Number>(u->operand);
  if (auto *t = ast::dyn<ast::Tuple>(node)) {
    for (const ast::Node *e : t->elements)
      if (!isLiteral(e))
        return false;
    return true;
  }
  return false;
}

} // namespace

void collectNames(const ast::Node &node, std::set<std::string> &out) {
  if (auto *name = ast::dyn<ast::Name>(&node))
    out.insert(name->id);
  for (const ast::Child &child : ast::children(node))
    collectNames(*child.node, out);
}

Session::Session(SessionSettings settings) : settings_(std::move(settings)) { resetState(); }

void Session::resetState() {
  values_.clear();
  defs_.clear();
  // The helpers are defs like the user's (a user def of the same name replaces one).
  std::shared_ptr<const SourceFile> helpers = helperSource();
  CollectingConsumer ignored;
  DiagnosticEngine diags(ignored);
  std::shared_ptr<const ast::Module> module = parse(*helpers, diags, settings_.limits);
  if (module)
    storeDefs(module, helpers);
}

std::vector<std::string> Session::names() const {
  std::vector<std::string> out;
  for (const auto &[name, binding] : values_)
    out.push_back(name);
  for (const auto &[name, def] : defs_)
    out.push_back(name);
  return out;
}

void Session::error(const std::string &message) {
  std::fflush(stdout);
  std::fputs(fmt::format("error: {}\n", message).c_str(), settings_.errors);
  std::fflush(settings_.errors);
}

void Session::render(const Diagnostic &diagnostic) {
  std::fflush(stdout);
  std::string text = renderDiagnostic(diagnostic, settings_.render);
  std::fwrite(text.data(), 1, text.size(), settings_.errors);
  std::fflush(settings_.errors);
}

void Session::bind(const std::string &name, Binding binding) {
  defs_.erase(name); // one namespace, as in Python: a value replaces a def of its name
  values_[name] = std::move(binding);
}

std::shared_ptr<const ast::Module>
Session::parseInput(const SourceFile &parsed, const std::shared_ptr<const SourceFile> &display) {
  ForwardingConsumer consumer([&](const Diagnostic &d) {
    Diagnostic shown = d;
    if (shown.file == &parsed)
      shown.file = display.get();
    for (DiagNote &note : shown.notes)
      if (note.file == &parsed)
        note.file = display.get();
    render(shown);
  });
  DiagnosticEngine diags(consumer);
  return parse(parsed, diags, settings_.limits);
}

Session::Outcome Session::submit(const std::string &input) {
  std::string text = input;
  while (!text.empty() &&
         (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' || text.back() == '\t'))
    text.pop_back();
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos)
    return {};
  if (text[first] == ':')
    return command(text);
  if (text[first] == '?') // ?mean: the builtin's documentation, as IPython's ?name
    return docCommand(text.substr(first + 1));
  return evaluateInput(std::make_shared<const SourceFile>("<repl>", text));
}

// `k = 3`, `name = "same"`, `shape = (4, 8)`: a constant, usable where the language wants
// one (a shape, an axis, an option). Lists stay tensors (`v = [1, 2, 3]`).
bool Session::bindLiteral(const ast::Module &module, const SourceFile &file) {
  if (module.items.size() != 1)
    return false;
  auto *assign = ast::dyn<ast::Assign>(module.items[0]);
  if (!assign || assign->unpack || !isLiteral(assign->value))
    return false;
  SourceRange r = assign->value->range;
  SourceFile literal("<repl>", file.text().substr(r.begin, r.end - r.begin));
  CollectingConsumer ignored;
  DiagnosticEngine diags(ignored);
  std::optional<ConstValue> value = driver::parseConstValue(literal, diags);
  if (!value)
    return false;
  for (const ast::Name *target : assign->targets)
    bind(target->id, {nullptr, *value});
  return true;
}

void Session::storeDefs(const std::shared_ptr<const ast::Module> &module,
                        const std::shared_ptr<const SourceFile> &display) {
  for (const ast::Node *item : module->items) {
    auto *def = ast::dyn<ast::Def>(item);
    if (!def)
      continue;
    StoredDef stored{display, module, def, {}};
    collectNames(*def, stored.mentions);
    values_.erase(def->name);
    defs_[def->name] = std::move(stored);
  }
}

Session::Outcome Session::evaluateInput(const std::shared_ptr<const SourceFile> &display) {
  std::shared_ptr<const ast::Module> module = parseInput(*display, display);
  if (!module)
    return {false, false};
  for (const ast::Node *item : module->items) {
    const ast::Node *value = item;
    if (auto *e = ast::dyn<ast::ExprStmt>(item))
      value = e->value;
    if (ast::dyn<ast::Lambda>(value)) {
      error("a lambda cannot be kept at the prompt; write it as a def (def f(x): return ...)");
      return {false, false};
    }
  }
  storeDefs(module, display);
  bool statements = false;
  for (const ast::Node *item : module->items)
    statements = statements || !ast::dyn<ast::Def>(item);
  if (!statements || bindLiteral(*module, *display))
    return {};
  return evaluate(Mode::Eval, display, module);
}

} // namespace lamina::cli::repl
