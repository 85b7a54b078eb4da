#pragma once

// Element types and their promotion rules (docs/language.md, "Types").

#include "lamina/Export.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lamina {

// The enum, from the one list. The public lamina/DType.h is generated from the same list
// (cmake/PublicDType.cmake) with the same tokens under the same guard.
#ifndef LAMINA_DTYPE_ENUM_DEFINED
#define LAMINA_DTYPE_ENUM_DEFINED
enum class DType : uint8_t {
#define LAMINA_DTYPE(Enum, Short, Long, Descr, Bytes, Kind) Enum,
#include "compiler/types/DTypes.def"
};
#endif

enum class DTypeKind : uint8_t { Bool, Signed, Unsigned, Float };

inline constexpr DType kDefaultFloat = DType::F32;
// Counted from the list, so a row added there cannot be missed here.
inline constexpr int kDTypeCount = 0
#define LAMINA_DTYPE(Enum, Short, Long, Descr, Bytes, Kind) +1
#include "compiler/types/DTypes.def"
    ;

LAMINA_API std::string_view shortName(DType type); // "f32"
LAMINA_API std::string_view longName(DType type);  // "float32"
/// The `descr` field of a little-endian `.npy` header ("<f4"); empty for bf16, which NumPy
/// does not have.
std::string_view npyDescr(DType type);
LAMINA_API unsigned byteSize(DType type);
DTypeKind kindOf(DType type);
inline bool isFloat(DType t) { return kindOf(t) == DTypeKind::Float; }
inline bool isInteger(DType t) {
  return kindOf(t) == DTypeKind::Signed || kindOf(t) == DTypeKind::Unsigned;
}
/// Unsigned integers: zero-extended, compared, divided and shifted right as unsigned.
inline bool isUnsigned(DType t) { return kindOf(t) == DTypeKind::Unsigned; }
/// Every dtype in the order tables show them: bool, the integers by width (signed before
/// unsigned), the floats by width (f16 before bf16). Not the enum's order (DTypes.def).
const std::array<DType, kDTypeCount> &promotionOrder();
/// The type arithmetic is carried out in: f32 for the storage types f16 and bf16.
DType computeType(DType type);

/// Accepts short and long names ("f32", "float32", "float", "int", "double", "half").
LAMINA_API std::optional<DType> parseDType(std::string_view name);

/// Whether `name` spells a complex dtype (NumPy's and TensorFlow's "complex64", "complex128",
/// "complex", the `.npy` codes "c8" and "c16", safetensors' "C64"). lamina has none; every
/// place that reads a dtype name refuses these with diagnostic E0417 (ComplexDType), which
/// says what to do instead, rather than calling them unknown.
/// `codes` also counts the short codes ("c8", "c64", "C64"), which in a program's text may
/// well be a variable's name.
bool isComplexDTypeName(std::string_view name, bool codes = true);

/// NumPy's promotion of two *strong* types (arrays): the smallest type that holds both, e.g.
/// i8 + u8 -> i16, u32 + i32 -> i64, u64 + any signed integer -> f64, i16 + f16 -> f32,
/// i32 + f32 -> f64, bool + x -> x. The table is in docs/language.md and tested pair by pair
/// against NumPy's np.promote_types.
DType promote(DType a, DType b);

/// A Python scalar is *weak*: it takes the tensor's type unless its kind is higher
/// (`int_tensor * 0.5` -> the default float; `bool_tensor + 1` is an error reported by the
/// caller).
enum class WeakKind : uint8_t { Bool, Int, Float };
DType promoteWeak(DType strong, WeakKind weak);

} // namespace lamina
