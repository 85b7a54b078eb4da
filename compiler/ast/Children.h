#pragma once

#include "compiler/ast/Ast.h"

#include <string>
#include <string_view>
#include <vector>

namespace lamina::ast {

/// One child of a node. `role` names a fixed field ("callee", "lower"); it is empty for the
/// members of a list (operands, arguments, statements). Absent optional children are left out.
struct Child {
  std::string_view role;
  const Node *node;
};

/// The children of `node` in source order: the one place that knows each node's layout, used
/// by the dumper, the structural comparison and generic walks.
std::vector<Child> children(const Node &node);

/// The node's own fields that are not children (a name, an operator list, a literal value), as
/// text that is equal exactly when the fields are equal.
std::string attributes(const Node &node);

} // namespace lamina::ast
