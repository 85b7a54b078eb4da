// The generated parts of docs/language.md, printed from the registry (Builtins.h) and the
// dtype rules (DType.h) themselves. tests/unit/DocsTest.cpp checks that the page holds exactly
// this text between its markers; `lamina doc builtins|promotion` prints it. `lamina doc
// aliases` prints the alias rows as a table for scripts (the library fixtures' coverage test).

#include "compiler/sema/Reference.h"

#include "compiler/sema/Builtins.h"
#include "compiler/types/DType.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string_view>
#include <vector>

namespace lamina {
namespace {

using sema::BuiltinArea;
using sema::BuiltinDef;

// A table cell: a `|` would end the cell, even inside a code span (GitHub's tables).
std::string cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += '\\';
    out += c;
  }
  return out;
}

std::string code(std::string_view text) { return "`" + cell(text) + "`"; }

std::string signatureCell(const BuiltinDef &def) {
  return code(fmt::format("({})", def.signature));
}

std::string_view prefixOf(std::string_view name) {
  size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : name.substr(0, dot + 1);
}

std::string_view rootOf(std::string_view name) { return name.substr(0, name.find('.') + 1); }

std::vector<std::string> otherSpellings(std::string_view prefix,
                                        const std::vector<const BuiltinDef *> &rows) {
  std::vector<std::string> out;
  for (auto [canonical, synonym] : sema::modulePrefixSynonyms()) {
    if (!prefix.starts_with(canonical))
      continue;
    std::string spelled = std::string(synonym) + std::string(prefix.substr(canonical.size()));
    bool resolves = std::all_of(rows.begin(), rows.end(), [&](const BuiltinDef *def) {
      return sema::findBuiltin(spelled + std::string(def->name.substr(prefix.size()))) == def;
    });
    if (resolves)
      out.push_back(spelled);
  }
  return out;
}

} // namespace

std::string builtinReference() {
  std::string out;
  for (const BuiltinArea &area : sema::builtinAreas()) {
    out += fmt::format("### {}\n\n| builtin | signature | meaning |\n|---|---|---|\n", area.title);
    for (const BuiltinDef &def : area.rows)
      if (!def.name.starts_with("_"))
        out += fmt::format("| {} | {} | {} |\n", code(def.name), signatureCell(def),
                           cell(def.summary));
    out += "\n";
  }

  // Aliases, by module prefix: roots in the order the registry first lists them, a prefix
  // before the prefixes nested in it (`tf.` before `tf.linalg.`), names sorted.
  std::vector<std::string_view> roots;
  std::map<std::string_view, std::vector<const BuiltinDef *>> byPrefix;
  for (const BuiltinDef *def : sema::allBuiltins()) {
    if (!sema::aliasTarget(*def))
      continue;
    if (std::find(roots.begin(), roots.end(), rootOf(def->name)) == roots.end())
      roots.push_back(rootOf(def->name));
    byPrefix[prefixOf(def->name)].push_back(def);
  }
  std::vector<std::string_view> prefixes;
  for (const auto &[prefix, rows] : byPrefix)
    prefixes.push_back(prefix);
  auto rootIndex = [&](std::string_view prefix) {
    return std::find(roots.begin(), roots.end(), rootOf(prefix)) - roots.begin();
  };
  std::stable_sort(prefixes.begin(), prefixes.end(), [&](std::string_view a, std::string_view b) {
    return rootIndex(a) < rootIndex(b);
  });

  out += "### Aliases\n";
  for (std::string_view prefix : prefixes) {
    std::vector<const BuiltinDef *> &rows = byPrefix[prefix];
    std::sort(rows.begin(), rows.end(),
              [](const BuiltinDef *a, const BuiltinDef *b) { return a->name < b->name; });
    out += fmt::format("\n#### {}", code(prefix));
    std::vector<std::string> spellings = otherSpellings(prefix, rows);
    for (size_t k = 0; k < spellings.size(); ++k)
      out += fmt::format("{}{}", k == 0 ? " (also " : ", ", code(spellings[k]));
    out += spellings.empty() ? "\n\n" : ")\n\n";
    out += "| alias | signature | calls |\n|---|---|---|\n";
    for (const BuiltinDef *def : rows) {
      const BuiltinDef &target = *sema::aliasTarget(*def);
      std::string calls = target.name.starts_with("_") ? cell(target.summary) : code(target.name);
      out += fmt::format("| {} | {} | {} |\n", code(def->name), signatureCell(*def), calls);
    }
  }
  return out;
}

std::string aliasListing() {
  std::string out = "alias\ttarget\tsignature\tspellings\n";
  for (const sema::AliasDef &alias : sema::aliasTable()) {
    const BuiltinDef *def = sema::findBuiltin(alias.name);
    if (!def || !sema::aliasTarget(*def))
      continue; // a broken row: tests/unit/AliasTest.cpp names it
    std::string spellings(alias.name);
    for (auto [canonical, synonym] : sema::modulePrefixSynonyms()) {
      if (!alias.name.starts_with(canonical))
        continue;
      std::string spelled = std::string(synonym) + std::string(alias.name.substr(canonical.size()));
      if (sema::findBuiltin(spelled) == def)
        spellings += "," + spelled;
    }
    out += fmt::format("{}\t{}\t{}\t{}\n", alias.name, sema::aliasTarget(*def)->name,
                       def->signature, spellings);
  }
  return out;
}

std::string promotionTable() {
  const auto &types = promotionOrder(); // bool, integers by width, floats by width
  auto header = [&](std::string_view corner) {
    std::string line = fmt::format("| {} |", corner), rule = "|---|";
    for (DType t : types) {
      line += fmt::format(" {} |", shortName(t));
      rule += "---|";
    }
    return line + "\n" + rule + "\n";
  };

  std::string out = header("a \\ b");
  for (DType a : types) {
    out += fmt::format("| **{}** |", shortName(a));
    for (DType b : types)
      out += fmt::format(" {} |", shortName(promote(a, b)));
    out += "\n";
  }

  out += "\n" + header("scalar \\ tensor");
  constexpr std::pair<WeakKind, std::string_view> kWeak[] = {
      {WeakKind::Bool, "**bool** (`True`)"},
      {WeakKind::Int, "**int** (`2`)"},
      {WeakKind::Float, "**float** (`0.5`)"},
  };
  for (auto [weak, label] : kWeak) {
    out += fmt::format("| {} |", label);
    for (DType t : types)
      out += fmt::format(" {} |", shortName(promoteWeak(t, weak)));
    out += "\n";
  }
  return out;
}

} // namespace lamina
