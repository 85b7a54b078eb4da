#include "tools/lamina/repl/Completion.h"

#include "compiler/sema/Sema.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace lamina::cli::repl {

const std::vector<std::string> &commandNames() {
  static const std::vector<std::string> names{
      ":asm",   ":ast",  ":doc", ":help",  ":ir",    ":llvm", ":load", ":opt", ":quit",
      ":reset", ":save", ":set", ":shape", ":stats", ":time", ":type", ":vars"};
  return names;
}

namespace {

bool isWordChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == ':';
}

std::vector<std::string> words(const std::string &text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
    size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i])))
      ++i;
    if (i > start)
      out.push_back(text.substr(start, i - start));
  }
  return out;
}

} // namespace

Completion complete(const std::string &line, size_t cursor, const std::vector<std::string> &names) {
  cursor = std::min(cursor, line.size());
  Completion out;
  size_t begin = cursor;
  while (begin > 0 && isWordChar(line[begin - 1]))
    --begin;
  // A `:` only belongs to the word at the start of a command.
  size_t colon = line.rfind(':', cursor == 0 ? 0 : cursor - 1);
  if (colon != std::string::npos && colon >= begin && colon > 0)
    begin = colon + 1;
  out.wordBegin = begin;
  std::string word = line.substr(begin, cursor - begin);
  std::string before = line.substr(0, begin);
  std::vector<std::string> previous = words(before);
  std::set<std::string> found;
  auto offer = [&](const std::string &name) {
    if (name.starts_with(word))
      found.insert(name);
  };

  bool commandLine = !line.empty() && line.find_first_not_of(" \t") != std::string::npos &&
                     line[line.find_first_not_of(" \t")] == ':';
  if (commandLine && previous.empty()) {
    for (const std::string &c : commandNames())
      offer(c);
    out.addSpace = true;
  } else if (commandLine && previous.size() == 1 && previous[0] == ":set") {
    for (const char *option : {"precision", "threads", "engine"})
      offer(option);
    out.addSpace = true;
  } else if (commandLine && previous.size() == 2 && previous[0] == ":set" &&
             previous[1] == "engine") {
    offer("jit");
    offer("interp");
  } else {
    static const std::vector<std::string> builtins = builtinNames();
    // One namespace level at a time: `tf.nn.relu` is offered as `tf.` until `tf.` is typed.
    for (const std::string &name : builtins) {
      if (!name.starts_with(word))
        continue;
      size_t dot = name.find('.', word.size());
      found.insert(dot == std::string::npos ? name : name.substr(0, dot + 1));
    }
    for (const std::string &name : names)
      offer(name);
    for (const char *keyword : {"and", "def", "else", "False", "if", "is", "lambda", "None", "not",
                                "or", "return", "True"})
      offer(keyword);
  }
  out.candidates.assign(found.begin(), found.end());
  return out;
}

} // namespace lamina::cli::repl
