// The REPL's `:` commands. Those that take an expression run it through the same program
// assembly as any input (Evaluation.cpp), with the command's words blanked out of the text
// that is parsed, so carets still point at the columns the user typed.

#include "compiler/ast/Dump.h"
#include "compiler/sema/Builtins.h"
#include "compiler/sema/Evaluator.h"
#include "tools/lamina/repl/Completion.h"
#include "tools/lamina/repl/Session.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <map>
#include <thread>
#include <unistd.h>

namespace lamina::cli::repl {
namespace {

constexpr const char *kHelp =
    R"(Type a lamina expression to see its value, `name = expr` to bind a name (`ans` is
the last value), or a def (its body on the following lines, ended by an empty line).
Bound tensors are the inputs of what you type next, so every type and shape is concrete.

Making tensors: randn(shape, seed=, dtype=), rand(shape, seed=, dtype=) (REPL helpers),
  zeros, ones, full, eye, arange, linspace, [[1, 2], [3, 4]] (the language's own).
A literal number, string or tuple (`k = 3`, `shape = (4, 8)`) is bound as a constant.

Commands:
  :type EXPR        type and shape, without running     :shape EXPR   the shape only
  :ast EXPR         the syntax tree                     :ir EXPR      the typed IR
  :opt EXPR         optimized IR and fusion plan        :llvm EXPR    optimized LLVM IR
  :asm EXPR         the kernel's assembly               :time EXPR [N] compile time, and
                                                          the median of N runs (default 100)
  :vars             bound names: dtype, shape, bytes    :reset        forget names and defs
  :load NAME FILE   bind the array of a .npy file     :save NAME FILE   write a .npy or .npz file
  :set              show the settings                   :set precision N | threads N |
  :stats            memory and kernels in use                engine jit|interp
  :doc NAME, ?NAME  a builtin's or alias's signature and meaning
  :help             this text                           :quit         leave (or Ctrl-D)
Keys: Tab completes, Up/Down and Ctrl-R search the history, Ctrl-C abandons the line or
the computation.
)";

std::string trim(const std::string &s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos)
    return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

bool isIdentifier(const std::string &s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0])))
    return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      return false;
  return true;
}

std::optional<int64_t> parseInt(const std::string &s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    return std::nullopt;
  return v;
}

// Resident memory of this process, from /proc (0 where there is none).
uint64_t residentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  if (!(statm >> size >> resident))
    return 0;
  return resident * uint64_t(::sysconf(_SC_PAGESIZE));
}

} // namespace

Session::Outcome Session::command(const std::string &text) {
  size_t colon = text.find(':');
  size_t wordEnd = colon + 1;
  while (wordEnd < text.size() && !std::isspace(static_cast<unsigned char>(text[wordEnd])))
    ++wordEnd;
  std::string word = text.substr(colon, wordEnd - colon);
  size_t argBegin = wordEnd;
  while (argBegin < text.size() && std::isspace(static_cast<unsigned char>(text[argBegin])))
    ++argBegin;
  std::string args = text.substr(argBegin);

  static const std::map<std::string, Mode> kExpressionCommands = {
      {":type", Mode::Type}, {":shape", Mode::Shape}, {":ir", Mode::Ir},    {":opt", Mode::Opt},
      {":llvm", Mode::Llvm}, {":asm", Mode::Asm},     {":time", Mode::Time}};
  if (auto it = kExpressionCommands.find(word); it != kExpressionCommands.end()) {
    if (trim(args).empty()) {
      error(fmt::format("{} needs an expression: {} EXPR", word, word));
      return {false, false};
    }
    size_t argEnd = text.size();
    int runs = std::min(100, settings_.maxTimeRuns);
    if (it->second == Mode::Time) {
      // `:time EXPR N`: a trailing count, when what precedes it is an expression by itself.
      size_t space = text.find_last_of(" \t");
      if (space != std::string::npos && space >= argBegin) {
        auto n = parseInt(text.substr(space + 1));
        SourceFile probe("<repl>", text.substr(argBegin, space - argBegin));
        CollectingConsumer ignored;
        DiagnosticEngine diags(ignored);
        if (n && parse(probe, diags, settings_.limits)) {
          if (*n < 1 || *n > settings_.maxTimeRuns) {
            error(fmt::format(":time runs an expression 1 to {} times", settings_.maxTimeRuns));
            return {false, false};
          }
          runs = int(*n);
          argEnd = space;
        }
      }
    }
    return expressionCommand(it->second, text, argBegin, argEnd, runs);
  }
  if (word == ":ast") {
    if (trim(args).empty()) {
      error(":ast needs a source: :ast EXPR");
      return {false, false};
    }
    return astCommand(text, argBegin);
  }
  if (word == ":help" || word == ":h" || word == ":?") {
    std::fputs(kHelp, stdout);
    return {};
  }
  if (word == ":doc")
    return docCommand(args);
  if (word == ":quit" || word == ":q" || word == ":exit")
    return {true, true};
  if (word == ":vars")
    return varsCommand();
  if (word == ":load")
    return loadCommand(args);
  if (word == ":save")
    return saveCommand(args);
  if (word == ":set")
    return setCommand(args);
  if (word == ":stats")
    return statsCommand();
  if (word == ":reset") {
    resetState();
    return {};
  }
  std::string known;
  for (const std::string &c : commandNames())
    known += (known.empty() ? "" : " ") + c;
  error(fmt::format("unknown command `{}`; the commands are {}", word, known));
  return {false, false};
}

Session::Outcome Session::expressionCommand(Mode mode, const std::string &text, size_t argBegin,
                                            size_t argEnd, int timeRuns) {
  auto display = std::make_shared<const SourceFile>("<repl>", text);
  // The same text with everything but the expression blanked: same offsets, same columns.
  std::string blanked = text;
  for (size_t i = 0; i < blanked.size(); ++i)
    if ((i < argBegin || i >= argEnd) && blanked[i] != '\n')
      blanked[i] = ' ';
  SourceFile parsed("<repl>", blanked);
  std::shared_ptr<const ast::Module> module = parseInput(parsed, display);
  if (!module)
    return {false, false};
  for (const ast::Node *item : module->items)
    if (ast::dyn<ast::Def>(item)) {
      error("commands take an expression; type the def on its own first");
      return {false, false};
    }
  return evaluate(mode, display, module, timeRuns);
}

Session::Outcome Session::astCommand(const std::string &text, size_t argBegin) {
  auto display = std::make_shared<const SourceFile>("<repl>", text);
  std::string blanked = text;
  for (size_t i = 0; i < argBegin; ++i)
    blanked[i] = ' ';
  SourceFile parsed("<repl>", blanked);
  std::shared_ptr<const ast::Module> module = parseInput(parsed, display);
  if (!module)
    return {false, false};
  std::fputs(ast::dump(*module, *display).c_str(), stdout);
  return {};
}

Session::Outcome Session::varsCommand() {
  std::vector<std::array<std::string, 4>> rows{{"name", "dtype", "shape", "bytes"}};
  for (const auto &[name, binding] : values_) {
    if (binding.tensor) {
      const Array &a = *binding.tensor;
      TensorType type = arrayType(a);
      rows.push_back({name, std::string(shortName(a.dtype)), shapeString(type.shape),
                      std::to_string(a.bytes.size())});
    } else {
      rows.push_back({name, "constant", binding.constant->repr(), "-"});
    }
  }
  std::array<size_t, 4> width{};
  for (const auto &row : rows)
    for (size_t c = 0; c < 4; ++c)
      width[c] = std::max(width[c], row[c].size());
  std::string out;
  for (const auto &row : rows)
    out += fmt::format("{:<{}}  {:<{}}  {:<{}}  {:>{}}\n", row[0], width[0], row[1], width[1],
                       row[2], width[2], row[3], width[3]);
  std::vector<std::string> defNames;
  for (const auto &[name, def] : defs_)
    if (def.file->name() == "<repl>")
      defNames.push_back(name);
  if (!defNames.empty()) {
    out += "defs:";
    for (const std::string &n : defNames)
      out += " " + n;
    out += "\n";
  }
  std::fputs(out.c_str(), stdout);
  return {};
}

Session::Outcome Session::loadCommand(const std::string &args) {
  if (!settings_.files) {
    error(":load is off in this session (it reads and writes no files)");
    return {false, false};
  }
  std::string a = trim(args);
  size_t space = a.find_first_of(" \t");
  std::string name = a.substr(0, space);
  std::string path = space == std::string::npos ? "" : trim(a.substr(space));
  if (!isIdentifier(name) || path.empty()) {
    error(":load NAME FILE.npy binds NAME to the array in the file");
    return {false, false};
  }
  std::string problem;
  std::optional<Array> read = readNpyArray(path, problem);
  if (!read) {
    error(problem);
    return {false, false};
  }
  bind(name, {std::make_shared<const Array>(std::move(*read)), std::nullopt});
  return {};
}

// `:doc mean`, `?K.mean`: the registry's row - the signature as sema binds it, what the builtin
// computes and, for an alias, the builtin it calls.
Session::Outcome Session::docCommand(const std::string &typed) {
  std::string name = trim(typed);
  if (name.empty()) {
    error(":doc needs a name: :doc mean, :doc tf.reduce_sum, or ?mean");
    return {false, false};
  }
  const sema::BuiltinDef *def = sema::findBuiltin(name);
  if (!def) {
    size_t dot = name.rfind('.');
    std::string prefix = dot == std::string::npos ? "" : name.substr(0, dot);
    std::string last = dot == std::string::npos ? name : name.substr(dot + 1);
    auto guess = sema::closestName(last, sema::namesUnder(prefix));
    error(fmt::format(
        "`{}` is not a lamina builtin or alias{}", name,
        guess ? fmt::format("; did you mean `{}{}`?", prefix.empty() ? "" : prefix + ".", *guess)
              : ""));
    return {false, false};
  }
  std::string text = fmt::format("{}({})\n    {}\n", def->name, def->signature, def->summary);
  if (const sema::BuiltinDef *target = sema::aliasTarget(*def))
    text += fmt::format("    an alias of `{}({})`\n", target->name, target->signature);
  std::fputs(text.c_str(), stdout);
  return {};
}

Session::Outcome Session::saveCommand(const std::string &args) {
  if (!settings_.files) {
    error(":save is off in this session (it reads and writes no files)");
    return {false, false};
  }
  std::string a = trim(args);
  size_t space = a.find_first_of(" \t");
  std::string name = a.substr(0, space);
  std::string path = space == std::string::npos ? "" : trim(a.substr(space));
  if (!isIdentifier(name) || path.empty()) {
    error(":save NAME FILE.npy|FILE.npz writes the tensor NAME");
    return {false, false};
  }
  auto it = values_.find(name);
  if (it == values_.end() || !it->second.tensor) {
    error(fmt::format("`{}` is not a bound tensor (see :vars)", name));
    return {false, false};
  }
  // The extension says the format: an .npz holds the tensor under its name, as np.savez does.
  std::string problem;
  if (path.ends_with(".npz"))
    problem = writeNpzArrays(path, {{name, *it->second.tensor}});
  else if (path.ends_with(".npy"))
    problem = writeNpyArray(path, *it->second.tensor);
  else
    problem = fmt::format("{}: name the file .npy (or .npz)", path);
  if (!problem.empty()) {
    error(problem);
    return {false, false};
  }
  return {};
}

Session::Outcome Session::setCommand(const std::string &args) {
  std::string a = trim(args);
  size_t space = a.find_first_of(" \t");
  std::string key = a.substr(0, space);
  std::string value = space == std::string::npos ? "" : trim(a.substr(space));
  if (key.empty()) {
    std::fputs(
        fmt::format("precision {}\nthreads {}\nengine {}\n", settings_.print.precision,
                    settings_.eval.threads
                        ? std::to_string(settings_.eval.threads)
                        : "default (" +
                              std::to_string(std::max(1u, std::thread::hardware_concurrency())) +
                              ")",
                    settings_.eval.interpreter ? "interp" : "jit")
            .c_str(),
        stdout);
    return {};
  }
  auto n = parseInt(value);
  if (key == "precision" && n && *n >= 0 && *n <= 16) {
    settings_.print.precision = int(*n);
    return {};
  }
  if (key == "threads" && n && *n >= 1 && *n <= 256) {
    settings_.eval.threads = unsigned(*n);
    return {};
  }
  if (key == "engine" && (value == "jit" || value == "interp")) {
    settings_.eval.interpreter = value == "interp";
    return {};
  }
  error(":set precision N (0 to 16), :set threads N (1 to 256) or :set engine jit|interp");
  return {false, false};
}

Session::Outcome Session::statsCommand() {
  uint64_t bytes = 0;
  for (const auto &[name, binding] : values_)
    bytes += binding.tensor ? binding.tensor->bytes.size() : 0;
  driver::Driver &engine = driver::Driver::shared();
  std::fputs(fmt::format("values {} ({} bytes)\ndefs {}\nlive_kernels {}\ncached_kernels {}\n"
                         "resident_kib {}\n",
                         values_.size(), bytes, defs_.size(), engine.liveKernels(),
                         engine.memoryCacheSize(), residentBytes() / 1024)
                 .c_str(),
             stdout);
  return {};
}

} // namespace lamina::cli::repl
