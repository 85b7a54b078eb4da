#include "runtime/layers/TensorJson.h"

#include "compiler/types/Elements.h"
#include "runtime/tensor/TensorBridge.h"

#include <fmt/format.h>

namespace lamina {

Json tensorToJson(const Tensor &t) {
  Array a = toArray(t);
  Json values = Json::array();
  for (int64_t k = 0; k < a.elementCount(); ++k) {
    if (a.dtype == DType::Bool)
      values.push(Json::boolean(loadInt(a, k) != 0));
    else if (isInteger(a.dtype))
      values.push(Json::integer(loadInt(a, k)));
    else
      values.push(Json::number(loadFloat(a, k)));
  }
  Json shape = Json::array();
  for (int64_t d : a.shape)
    shape.push(Json::integer(d));
  Json out = Json::object();
  out.set("dtype", Json::string(std::string(longName(a.dtype))));
  out.set("shape", std::move(shape));
  out.set("values", std::move(values));
  return out;
}

std::optional<Tensor> tensorFromJson(const Json &value, std::string &error) {
  const Json *dtype = value.isObject() ? value.find("dtype") : nullptr;
  const Json *shape = value.isObject() ? value.find("shape") : nullptr;
  const Json *values = value.isObject() ? value.find("values") : nullptr;
  if (!dtype || !dtype->isString() || !shape || !shape->isArray() || !values ||
      !values->isArray()) {
    error = "an object with `dtype`, `shape` and `values`";
    return std::nullopt;
  }
  auto type = parseDType(dtype->asString());
  if (!type) {
    error = isComplexDTypeName(dtype->asString())
                ? "a real dtype: lamina has no complex dtypes; keep the real and imaginary parts "
                  "as two real tensors"
                : "a dtype name such as \"bool\" or \"float32\"";
    return std::nullopt;
  }
  std::vector<int64_t> dims;
  int64_t count = 1;
  for (const Json &d : shape->items()) {
    auto n = d.asInt();
    if (!n || *n < 0 || *n > kMaxConfigTensorElements || dims.size() >= 8) {
      error = fmt::format("a shape of at most 8 sizes, each 0..{}", kMaxConfigTensorElements);
      return std::nullopt;
    }
    dims.push_back(*n);
    count *= *n;
    if (count > kMaxConfigTensorElements) {
      error = fmt::format("a constant of at most {} elements", kMaxConfigTensorElements);
      return std::nullopt;
    }
  }
  if (int64_t(values->items().size()) != count) {
    error = fmt::format("{} values for shape [{}]", count, fmt::join(dims, ", "));
    return std::nullopt;
  }
  Array a = makeArray(*type, dims);
  for (int64_t k = 0; k < count; ++k) {
    const Json &v = values->items()[size_t(k)];
    if (v.isBool())
      storeInt(a, k, v.asBool());
    else if (v.isNumber() && isFloat(*type))
      storeFloat(a, k, v.asDouble());
    else if (v.isNumber() && v.asInt() && fitsIn(*type, *v.asInt()))
      storeInt(a, k, *v.asInt());
    else {
      error = fmt::format("values that fit {}", longName(*type));
      return std::nullopt;
    }
  }
  return fromArray(a);
}

} // namespace lamina
