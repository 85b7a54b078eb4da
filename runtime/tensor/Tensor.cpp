#include "lamina/Tensor.h"

#include "compiler/types/Array.h"
#include "compiler/types/Elements.h"
#include "runtime/support/Boundary.h"
#include "runtime/support/Report.h"
#include "runtime/tensor/BufferPool.h"

#include <cstring>
#include <fmt/format.h>

namespace lamina {

struct Tensor::Storage {
  void *data = nullptr;
  size_t capacity = 0;
  Storage(size_t bytes) { data = pool::acquire(bytes, capacity); }
  ~Storage() { pool::release(data, capacity); }
  Storage(const Storage &) = delete;
  Storage &operator=(const Storage &) = delete;
};

namespace {

TensorShape contiguousStrides(const TensorShape &shape) {
  TensorShape strides(shape.size());
  int64_t step = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    strides[d] = step;
    step *= shape[d] > 0 ? shape[d] : 1;
  }
  return strides;
}

// The element count with every dimension checked: no negative size and no 64-bit overflow
// (shapes come from files and configs).
int64_t checkedCount(const TensorShape &shape, DType dtype) {
  if (shape.size() > 8)
    raise(fmt::format("a tensor has at most 8 dimensions, not {}", shape.size()));
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0)
      raise(fmt::format("dimension {} is negative", d));
    if (d != 0 && n > INT64_MAX / d)
      raise("the shape has more elements than 64 bits can count");
    n *= d;
  }
  if (n != 0 && uint64_t(n) > UINT64_MAX / 16 / byteSize(dtype))
    raise("the shape has more bytes than memory can hold");
  return n;
}

// One element of `dtype` holding `value`, with the IR's cast rules.
std::vector<std::byte> encodeElement(DType dtype, double value) {
  Array one = makeArray(dtype, {});
  storeFloat(one, 0, value);
  return one.bytes;
}

} // namespace

Tensor Tensor::empty(DType dtype, TensorShape shape) {
  return guarded("Tensor::empty", [&]() -> Tensor {
    int64_t n = checkedCount(shape, dtype);
    Tensor t;
    t.storage_ = std::make_shared<Storage>(size_t(n) * byteSize(dtype));
    t.data_ = t.storage_->data;
    t.dtype_ = dtype;
    t.strides_ = contiguousStrides(shape);
    t.shape_ = std::move(shape);
    return t;
  });
}

Tensor Tensor::zeros(DType dtype, TensorShape shape) {
  return guarded("Tensor::zeros", [&]() -> Tensor {
    Tensor t = empty(dtype, std::move(shape));
    std::memset(t.data_, 0, t.nbytes());
    return t;
  });
}

Tensor Tensor::full(DType dtype, TensorShape shape, double value) {
  return guarded("Tensor::full", [&]() -> Tensor {
    Tensor t = empty(dtype, std::move(shape));
    std::vector<std::byte> element = encodeElement(dtype, value);
    auto *out = static_cast<std::byte *>(t.data_);
    for (int64_t k = 0; k < t.count(); ++k)
      std::memcpy(out + size_t(k) * element.size(), element.data(), element.size());
    return t;
  });
}

Tensor Tensor::copyOf(DType dtype, TensorShape shape, const void *data) {
  return guarded("Tensor::copyOf", [&]() -> Tensor {
    Tensor t = empty(dtype, std::move(shape));
    if (t.nbytes())
      std::memcpy(t.data_, data, t.nbytes());
    return t;
  });
}

Tensor Tensor::view(DType dtype, TensorShape shape, void *data, TensorShape strides) {
  return guarded("Tensor::view", [&]() -> Tensor {
    checkedCount(shape, dtype);
    if (!strides.empty() && strides.size() != shape.size())
      raise(fmt::format("a view of rank {} needs {} strides, not {}", shape.size(), shape.size(),
                        strides.size()));
    if (!data)
      raise("a view needs memory (data is null)");
    Tensor t;
    t.data_ = data;
    t.dtype_ = dtype;
    t.strides_ = strides.empty() ? contiguousStrides(shape) : std::move(strides);
    t.shape_ = std::move(shape);
    return t;
  });
}

int64_t Tensor::dim(int64_t axis) const {
  return guarded("Tensor::dim", [&]() -> int64_t {
    int64_t r = int64_t(rank());
    if (axis < -r || axis >= r)
      raise(fmt::format("axis {} is out of range for a tensor of rank {}", axis, r));
    return shape_[size_t(axis < 0 ? axis + r : axis)];
  });
}

int64_t Tensor::count() const {
  int64_t n = 1;
  for (int64_t d : shape_)
    n *= d;
  return n;
}

// Compares with C order stride by stride: a check this frequent should not allocate.
bool Tensor::contiguous() const {
  if (count() == 0)
    return true;
  int64_t step = 1;
  for (size_t d = shape_.size(); d-- > 0;) {
    if (strides_[d] != step)
      return false;
    step *= shape_[d] > 0 ? shape_[d] : 1;
  }
  return true;
}

void Tensor::checkType(DType expected) const {
  return guarded("Tensor::data", [&] {
    if (expected != dtype_)
      raise(fmt::format("the tensor holds {}, not {}", longName(dtype_), longName(expected)));
  });
}

// A function-try-block rather than guarded(): the body and the handler both never return,
// as the declaration promises.
void Tensor::countMismatch(size_t given) const try {
  raise(fmt::format("{} values given for a tensor of shape {} ({} elements)", given, typeString(),
                    count()));
} catch (...) {
  rethrowAtBoundary("Tensor::fromValues");
}

double Tensor::at(std::initializer_list<int64_t> index) const {
  return guarded("Tensor::at", [&]() -> double {
    if (index.size() != rank())
      raise(fmt::format("{} indices for a tensor of rank {}", index.size(), rank()));
    int64_t offset = 0;
    size_t d = 0;
    for (int64_t i : index) {
      if (i < 0 || i >= shape_[d])
        raise(fmt::format("index {} is out of range for a dimension of size {}", i, shape_[d]));
      offset += i * strides_[d++];
    }
    Array one = makeArray(dtype_, {});
    std::memcpy(one.bytes.data(), static_cast<const std::byte *>(data_) + offset * byteSize(dtype_),
                byteSize(dtype_));
    return loadFloat(one, 0);
  });
}

Tensor Tensor::contiguousCopy() const {
  return guarded("Tensor::contiguousCopy", [&]() -> Tensor {
    if (owning() && contiguous())
      return *this;
    Tensor out = empty(dtype_, shape_);
    if (contiguous()) {
      if (nbytes())
        std::memcpy(out.data_, data_, nbytes());
      return out;
    }
    // Gather element by element in C order (views with arbitrary strides).
    size_t width = byteSize(dtype_);
    std::vector<int64_t> idx(rank(), 0);
    auto *dst = static_cast<std::byte *>(out.data_);
    const auto *src = static_cast<const std::byte *>(data_);
    for (int64_t k = 0; k < count(); ++k) {
      int64_t offset = 0;
      for (size_t d = 0; d < rank(); ++d)
        offset += idx[d] * strides_[d];
      std::memcpy(dst + size_t(k) * width, src + offset * int64_t(width), width);
      for (size_t d = rank(); d-- > 0;) {
        if (++idx[d] < shape_[d])
          break;
        idx[d] = 0;
      }
    }
    return out;
  });
}

Tensor Tensor::clone() const {
  return guarded("Tensor::clone", [&]() -> Tensor {
    if (owning() && contiguous())
      return copyOf(dtype_, shape_, data_);
    return contiguousCopy();
  });
}

Tensor Tensor::reshaped(TensorShape shape) const {
  return guarded("Tensor::reshaped", [&]() -> Tensor {
    if (!contiguous())
      raise("only a contiguous tensor can be reshaped without a copy");
    if (checkedCount(shape, dtype_) != count())
      raise(fmt::format("cannot reshape {} into {} elements", typeString(),
                        checkedCount(shape, dtype_)));
    Tensor t = *this;
    t.strides_ = contiguousStrides(shape);
    t.shape_ = std::move(shape);
    return t;
  });
}

std::string Tensor::typeString() const {
  return guarded("Tensor::typeString", [&]() -> std::string {
    return fmt::format("{}[{}]", shortName(dtype_), fmt::join(shape_, ", "));
  });
}

bool bitEqual(const Tensor &a, const Tensor &b) {
  return guarded("bitEqual", [&]() -> bool {
    if (a.dtype() != b.dtype() || a.shape() != b.shape())
      return false;
    Tensor ca = a.contiguousCopy(), cb = b.contiguousCopy();
    return ca.nbytes() == 0 || std::memcmp(ca.data(), cb.data(), ca.nbytes()) == 0;
  });
}

} // namespace lamina
