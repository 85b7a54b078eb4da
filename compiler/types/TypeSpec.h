#pragma once

// Tensor types written as text, as on the command line (`--input x=f32[B,256]`) and in
// configs: `DTYPE[DIM, ...]` where a dimension is an integer, a symbol (`B`, `N`) or `None`
// (see noneSymbol); `f32[]` or plain `f32` is a scalar.

#include "compiler/types/Type.h"

#include <optional>
#include <string>
#include <string_view>

namespace lamina {

/// The symbol an unknown size (`None`) at `axis` stands for. Keras's batch dimension (axis 0)
/// is one size shared by every input: `None`. Any other None is a size of its own, named by
/// its axis (`None2`), so `f32[None, None]` is not square.
Dim noneSymbol(size_t axis);

/// Parses `text`; on failure returns nothing and sets `error` to what is wrong.
std::optional<TensorType> parseTypeSpec(std::string_view text, std::string &error);

} // namespace lamina
