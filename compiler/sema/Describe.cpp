// Words for values in diagnostics ("expected a tensor, got a string"), and ConstValue's repr.

#include "compiler/sema/ConstValue.h"
#include "compiler/sema/Value.h"

#include <fmt/format.h>

namespace lamina {
namespace sema {

std::string describe(const Value &v, const ir::Function &fn) {
  switch (v.kind) {
  case Value::Kind::Error:
    return "an invalid value";
  case Value::Kind::None:
    return "None";
  case Value::Kind::Bool:
    return fmt::format("the bool {}", v.b ? "True" : "False");
  case Value::Kind::Int:
    return v.i.isConstant() ? fmt::format("the int {}", v.i.constant())
                            : fmt::format("the size `{}`", v.i.str());
  case Value::Kind::Float:
    return fmt::format("the float {}", v.f);
  case Value::Kind::String:
    return fmt::format("the string '{}'", v.s);
  case Value::Kind::Tensor:
    return fmt::format("a tensor `{}`", fn.typeOf(v.tensor).str());
  case Value::Kind::Seq:
    if (v.isShape)
      return fmt::format("a shape of {} dimension{}", v.elements.size(),
                         v.elements.size() == 1 ? "" : "s");
    return fmt::format("a {} of {} value{}", v.isTuple ? "tuple" : "list", v.elements.size(),
                       v.elements.size() == 1 ? "" : "s");
  case Value::Kind::DType:
    return fmt::format("the dtype `{}`", shortName(v.dtype));
  case Value::Kind::Namespace:
    return fmt::format("the module `{}`", v.s);
  case Value::Kind::Function:
    return fmt::format("the function `{}`", v.def->name);
  case Value::Kind::Builtin:
    return fmt::format("the builtin `{}`", v.s);
  case Value::Kind::Method:
    return fmt::format("the method `{}`", v.s);
  case Value::Kind::Init:
    return "an initialiser";
  }
  return "a value";
}

std::optional<std::string> repr(const Value &v) {
  switch (v.kind) {
  case Value::Kind::Error:
  case Value::Kind::Tensor:
  case Value::Kind::Init:
    return std::nullopt;
  case Value::Kind::None:
    return "None";
  case Value::Kind::Bool:
    return v.b ? "True" : "False";
  case Value::Kind::Int:
    return v.i.str();
  case Value::Kind::Float:
    return fmt::format("{}", v.f);
  case Value::Kind::String:
    return fmt::format("'{}'", v.s);
  case Value::Kind::Seq: {
    std::string out;
    for (const Value &e : v.elements) {
      std::optional<std::string> part = repr(e);
      if (!part)
        return std::nullopt;
      out += (out.empty() ? "" : ", ") + *part;
    }
    if (v.isTuple || v.isShape)
      return "(" + out + (v.elements.size() == 1 ? ",)" : ")");
    return "[" + out + "]";
  }
  case Value::Kind::DType:
    return std::string(shortName(v.dtype));
  case Value::Kind::Namespace:
    return fmt::format("<module '{}'>", v.s);
  case Value::Kind::Function:
    return fmt::format("<function {}>", v.def->name);
  case Value::Kind::Builtin:
    return fmt::format("<builtin {}>", v.s);
  case Value::Kind::Method:
    return fmt::format("<method {}>", v.s);
  }
  return std::nullopt;
}

} // namespace sema

std::string ConstValue::repr() const {
  switch (kind) {
  case Kind::None:
    return "None";
  case Kind::Bool:
    return b ? "True" : "False";
  case Kind::Int:
    return std::to_string(i);
  case Kind::Float:
    return fmt::format("{}", f);
  case Kind::String:
    return fmt::format("'{}'", s);
  case Kind::List:
  case Kind::Tuple: {
    std::string out;
    for (const ConstValue &e : elements)
      out += (out.empty() ? "" : ", ") + e.repr();
    if (kind == Kind::Tuple)
      return "(" + out + (elements.size() == 1 ? ",)" : ")");
    return "[" + out + "]";
  }
  }
  return "?";
}

} // namespace lamina
