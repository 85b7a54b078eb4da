#pragma once

// Element types of lamina tensors. This is the public spelling of the one list in
// compiler/types/DTypes.def (the compiler checks, at compile time, that the two agree).

#include <cstdint>

namespace lamina {

enum class DType : uint8_t { Bool, I8, U8, I32, I64, F16, BF16, F32, F64 };

} // namespace lamina
