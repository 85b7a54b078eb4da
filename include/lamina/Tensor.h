#pragma once

// Tensor: an n-dimensional array of one dtype. A tensor either owns 64-byte-aligned storage
// (shared between copies of the Tensor object: copying a Tensor never copies data) or views
// memory its caller owns. Strides are in elements; a fresh tensor is C-contiguous.
//
// Owned storage of 64 KiB and more comes from a process-wide pool of released buffers, so a
// layer called in a loop writes into memory that is already mapped: faulting in fresh pages
// costs several times the kernel itself (docs/embedding.md, "Memory").

#include "lamina/DType.h"
#include "lamina/Export.h"

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace lamina {

LAMINA_API std::string_view shortName(DType type);                 // "f32"
LAMINA_API std::string_view longName(DType type);                  // "float32"
LAMINA_API unsigned byteSize(DType type);                          // 4
LAMINA_API std::optional<DType> parseDType(std::string_view name); // "f32", "float32", "float", ...

using TensorShape = std::vector<int64_t>;

class LAMINA_API Tensor {
public:
  /// A tensor with no data (`valid()` is false), as a default-constructed slot.
  Tensor() = default;

  /// Uninitialised storage (from the pool when large).
  static Tensor empty(DType dtype, TensorShape shape);
  static Tensor zeros(DType dtype, TensorShape shape);
  /// Every element `value`, converted to `dtype` as a cast would.
  static Tensor full(DType dtype, TensorShape shape, double value);
  /// A copy of `count` contiguous elements at `data`; count must equal the shape's product.
  static Tensor copyOf(DType dtype, TensorShape shape, const void *data);
  template <class T> static Tensor fromValues(TensorShape shape, const std::vector<T> &values);
  /// A view of memory the caller owns and keeps alive; `strides` in elements (empty: C order).
  static Tensor view(DType dtype, TensorShape shape, void *data, TensorShape strides = {});

  bool valid() const { return data_ != nullptr || (storage_ && count() == 0); }
  DType dtype() const { return dtype_; }
  const TensorShape &shape() const { return shape_; }
  const TensorShape &strides() const { return strides_; }
  size_t rank() const { return shape_.size(); }
  int64_t dim(int64_t axis) const; // negative axes count from the end
  int64_t count() const;           // elements
  size_t nbytes() const { return size_t(count()) * byteSize(dtype_); }
  bool contiguous() const;
  /// Whether the tensor holds (a share of) its storage rather than viewing a caller's memory.
  bool owning() const { return storage_ != nullptr; }

  void *data() { return data_; }
  const void *data() const { return data_; }
  /// Typed access; throws lamina::Error when T does not match the dtype.
  template <class T> T *data();
  template <class T> const T *data() const;
  /// One element as a double, by index (checked).
  double at(std::initializer_list<int64_t> index) const;

  /// This tensor if it is contiguous and owning, else an owning C-ordered copy.
  Tensor contiguousCopy() const;
  /// A deep copy.
  Tensor clone() const;
  /// The same data with another shape of the same element count (contiguous tensors only).
  Tensor reshaped(TensorShape shape) const;

  /// `f32[2, 3]`.
  std::string typeString() const;

private:
  struct Storage;
  std::shared_ptr<Storage> storage_;
  void *data_ = nullptr;
  DType dtype_ = DType::F32;
  TensorShape shape_, strides_;
  void checkType(DType expected) const;
  [[noreturn]] void countMismatch(size_t given) const;
  template <class T> static constexpr DType dtypeOf();
};

/// Same dtype, shape and bytes (NaN payloads included).
LAMINA_API bool bitEqual(const Tensor &a, const Tensor &b);

/// The buffer pool (process-wide): what it holds and how much it may keep.
struct BufferPoolStats {
  size_t cachedBytes = 0;
  size_t cachedBuffers = 0;
  uint64_t hits = 0, misses = 0;
};
LAMINA_API BufferPoolStats bufferPoolStats();
/// The most bytes of released buffers kept for reuse (default 1 GiB); 0 turns pooling off.
LAMINA_API void setBufferPoolLimit(size_t bytes);
LAMINA_API void clearBufferPool();

template <class T> constexpr DType Tensor::dtypeOf() {
  if constexpr (std::is_same_v<T, bool>)
    return DType::Bool;
  else if constexpr (std::is_same_v<T, int8_t>)
    return DType::I8;
  else if constexpr (std::is_same_v<T, uint8_t>)
    return DType::U8;
  else if constexpr (std::is_same_v<T, int16_t>)
    return DType::I16;
  else if constexpr (std::is_same_v<T, uint16_t>)
    return DType::U16;
  else if constexpr (std::is_same_v<T, int32_t>)
    return DType::I32;
  else if constexpr (std::is_same_v<T, uint32_t>)
    return DType::U32;
  else if constexpr (std::is_same_v<T, int64_t>)
    return DType::I64;
  else if constexpr (std::is_same_v<T, uint64_t>)
    return DType::U64;
  else if constexpr (std::is_same_v<T, float>)
    return DType::F32;
  else if constexpr (std::is_same_v<T, double>)
    return DType::F64;
  else
    static_assert(sizeof(T) == 0, "no lamina dtype for this C++ type");
}

template <class T> Tensor Tensor::fromValues(TensorShape shape, const std::vector<T> &values) {
  Tensor t = empty(dtypeOf<T>(), std::move(shape));
  if (int64_t(values.size()) != t.count())
    t.countMismatch(values.size());
  for (size_t k = 0; k < values.size(); ++k)
    static_cast<T *>(t.data_)[k] = values[k];
  return t;
}

template <class T> T *Tensor::data() {
  checkType(dtypeOf<T>());
  return static_cast<T *>(data_);
}

template <class T> const T *Tensor::data() const {
  checkType(dtypeOf<T>());
  return static_cast<const T *>(data_);
}

} // namespace lamina
