#include "runtime/tensor/TensorBridge.h"

#include "runtime/support/Report.h"

#include <cstring>

namespace lamina {

Array toArray(const Tensor &t) {
  Tensor c = t.contiguousCopy();
  Array a;
  a.dtype = c.dtype();
  a.shape = c.shape();
  a.bytes.resize(c.nbytes());
  if (!a.bytes.empty())
    std::memcpy(a.bytes.data(), c.data(), a.bytes.size());
  return a;
}

std::vector<Array> toArrays(const std::vector<Tensor> &ts) {
  std::vector<Array> out;
  for (const Tensor &t : ts)
    out.push_back(toArray(t));
  return out;
}

Tensor fromArray(const Array &a) { return Tensor::copyOf(a.dtype, a.shape, a.bytes.data()); }

std::vector<TensorRef> refs(const std::vector<Tensor> &ts) {
  std::vector<TensorRef> out;
  for (const Tensor &t : ts) {
    if (!t.contiguous())
      raise("internal error: a kernel was given a strided tensor");
    out.push_back(TensorRef{t.dtype(), t.shape(), const_cast<void *>(t.data())});
  }
  return out;
}

} // namespace lamina
