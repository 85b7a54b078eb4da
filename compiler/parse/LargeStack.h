#pragma once

#include <cstddef>
#include <functional>

namespace lamina::parse_detail {

/// Runs `work` to completion on a fresh thread whose stack is `stackBytes` large, and waits.
/// The parser and the AST builder recurse once per nesting level; running them here makes
/// the nesting limit, not whatever stack the caller's thread happens to have, the bound.
/// Only touched pages of the stack cost memory. An exception thrown by `work` is rethrown.
void runOnLargeStack(const std::function<void()> &work, size_t stackBytes = 64u << 20);

} // namespace lamina::parse_detail
