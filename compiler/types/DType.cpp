#include "compiler/types/DType.h"

#include "compiler/support/Unreachable.h"

#include <algorithm>
#include <array>
#include <string>
#include <tuple>

namespace lamina {
namespace {

struct DTypeInfo {
  std::string_view shortName, longName, descr;
  unsigned bytes;
  DTypeKind kind;
};

constexpr std::array<DTypeInfo, kDTypeCount> kInfo = {{
#define LAMINA_DTYPE(Enum, Short, Long, Descr, Bytes, Kind)                                        \
  {Short, Long, Descr, Bytes, DTypeKind::Kind},
#include "compiler/types/DTypes.def"
}};

const DTypeInfo &info(DType t) { return kInfo[static_cast<size_t>(t)]; }

// Rank inside the lattice: which type "holds more". Integers and floats are compared by the
// NumPy rules in promote(); this only orders types of one kind.
int floatBits(DType t) {
  switch (t) {
  case DType::F16:
  case DType::BF16:
    return 16;
  case DType::F32:
    return 32;
  case DType::F64:
    return 64;
  case DType::Bool:
  case DType::I8:
  case DType::U8:
  case DType::I16:
  case DType::U16:
  case DType::I32:
  case DType::U32:
  case DType::I64:
  case DType::U64:
    LAMINA_UNREACHABLE("the bits of a float type, asked of another kind");
  }
  LAMINA_UNREACHABLE("not a dtype");
}

} // namespace

std::string_view shortName(DType t) { return info(t).shortName; }
std::string_view longName(DType t) { return info(t).longName; }
std::string_view npyDescr(DType t) { return info(t).descr; }
unsigned byteSize(DType t) { return info(t).bytes; }
DTypeKind kindOf(DType t) { return info(t).kind; }

const std::array<DType, kDTypeCount> &promotionOrder() {
  static const std::array<DType, kDTypeCount> order = [] {
    std::array<DType, kDTypeCount> out{};
    for (size_t i = 0; i < out.size(); ++i)
      out[i] = static_cast<DType>(i);
    // Kind (bool, integers, floats), then width, then signed before unsigned; ties (f16 and
    // bf16) keep the list's order.
    auto rank = [](DType t) {
      DTypeKind k = kindOf(t);
      int group = k == DTypeKind::Bool ? 0 : k == DTypeKind::Float ? 2 : 1;
      return std::tuple{group, byteSize(t), k == DTypeKind::Unsigned};
    };
    std::stable_sort(out.begin(), out.end(), [&](DType a, DType b) { return rank(a) < rank(b); });
    return out;
  }();
  return order;
}

DType computeType(DType t) { return t == DType::F16 || t == DType::BF16 ? DType::F32 : t; }

std::optional<DType> parseDType(std::string_view name) {
  for (size_t i = 0; i < kInfo.size(); ++i)
    if (kInfo[i].shortName == name || kInfo[i].longName == name)
      return static_cast<DType>(i);
  // Python's and NumPy's other spellings.
  if (name == "float" || name == "double")
    return name == "float" ? DType::F32 : DType::F64;
  if (name == "half")
    return DType::F16;
  if (name == "int")
    return DType::I64;
  if (name == "bool_")
    return DType::Bool;
  return std::nullopt;
}

bool isComplexDTypeName(std::string_view name, bool codes) {
  static constexpr std::string_view kNames[] = {"complex",    "complex64",   "complex128",
                                                "complex256", "complex_",    "csingle",
                                                "cdouble",    "clongdouble", "cfloat"};
  static constexpr std::string_view kCodes[] = {"c8", "c16", "c32", "c64", "c128", "C64", "C128"};
  for (std::string_view c : kNames)
    if (name == c)
      return true;
  if (codes)
    for (std::string_view c : kCodes)
      if (name == c)
        return true;
  return false;
}

DType promote(DType a, DType b) {
  if (a == b)
    return a;
  DTypeKind ka = kindOf(a), kb = kindOf(b);
  if (ka == DTypeKind::Bool)
    return b;
  if (kb == DTypeKind::Bool)
    return a;
  if (ka == DTypeKind::Float && kb == DTypeKind::Float) {
    // f16 and bf16 hold different values; NumPy has no bf16, JAX promotes the pair to f32.
    int bits = std::max(floatBits(a), floatBits(b));
    if (bits == 16)
      return DType::F32;
    return bits == 32 ? DType::F32 : DType::F64;
  }
  if (ka == DTypeKind::Float || kb == DTypeKind::Float) {
    DType f = ka == DTypeKind::Float ? a : b;
    DType i = ka == DTypeKind::Float ? b : a;
    // NumPy: the smallest float, at least as wide as `f`, that holds every value of the
    // integer exactly: 8-bit integers fit in any float (bf16 too: 8 significant bits),
    // 16-bit ones need f32, 32-bit ones f64; 64-bit ones go to f64 (NumPy's choice, though
    // inexact).
    int needed = byteSize(i) == 1 ? 16 : byteSize(i) == 2 ? 32 : 64;
    if (floatBits(f) >= needed)
      return f;
    return needed == 32 ? DType::F32 : DType::F64;
  }
  // Two integers. Same signedness: the wider. Mixed: the signed one when it is wider than
  // the unsigned one, else the signed type twice the unsigned one's width; nothing signed
  // holds every u64, so u64 with a signed integer is f64, as NumPy.
  if (ka == kb)
    return byteSize(a) >= byteSize(b) ? a : b;
  DType s = ka == DTypeKind::Signed ? a : b;
  DType u = ka == DTypeKind::Signed ? b : a;
  if (byteSize(s) > byteSize(u))
    return s;
  switch (byteSize(u)) {
  case 1:
    return DType::I16;
  case 2:
    return DType::I32;
  case 4:
    return DType::I64;
  default:
    return DType::F64;
  }
}

DType promoteWeak(DType strong, WeakKind weak) {
  if (weak == WeakKind::Float && kindOf(strong) != DTypeKind::Float)
    return kDefaultFloat;
  if (weak == WeakKind::Int && strong == DType::Bool)
    return DType::I64; // JAX: a bool tensor meeting a Python int is an int tensor
  return strong;
}

} // namespace lamina
