#include "compiler/ast/Dump.h"

#include "compiler/ast/Children.h"

#include <fmt/format.h>

namespace lamina::ast {

namespace {

void dumpInto(std::string &out, const Node &node, std::string_view role, int depth,
              const SourceFile *file) {
  out.append(static_cast<size_t>(depth) * 2, ' ');
  if (!role.empty())
    out += fmt::format("{}: ", role);
  out += kindName(node.kind);
  std::string attrs = attributes(node);
  if (!attrs.empty())
    out += " " + attrs;
  if (file) {
    LineColumn b = file->location(node.range.begin);
    LineColumn e = file->location(node.range.end);
    out += fmt::format(" @{}:{}-{}:{}", b.line, b.column, e.line, e.column);
  }
  out += '\n';
  for (const Child &child : children(node))
    dumpInto(out, *child.node, child.role, depth + 1, file);
}

} // namespace

std::string dump(const Module &module, const SourceFile &file) {
  std::string out = "Module\n";
  for (const Node *item : module.items)
    dumpInto(out, *item, "", 1, &file);
  return out;
}

std::string dumpNode(const Node &node) {
  std::string out;
  dumpInto(out, node, "", 0, nullptr);
  return out;
}

bool structurallyEqual(const Node &a, const Node &b) {
  if (a.kind != b.kind || attributes(a) != attributes(b))
    return false;
  std::vector<Child> ca = children(a), cb = children(b);
  if (ca.size() != cb.size())
    return false;
  for (size_t i = 0; i < ca.size(); ++i)
    if (ca[i].role != cb[i].role || !structurallyEqual(*ca[i].node, *cb[i].node))
      return false;
  return true;
}

bool structurallyEqual(const Module &a, const Module &b) {
  if (a.items.size() != b.items.size())
    return false;
  for (size_t i = 0; i < a.items.size(); ++i)
    if (!structurallyEqual(*a.items[i], *b.items[i]))
      return false;
  return true;
}

} // namespace lamina::ast
