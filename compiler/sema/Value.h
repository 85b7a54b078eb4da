#pragma once

// The values sema computes with. Tensors are IR values; everything else (numbers, strings,
// lists, shapes, dtypes, names of builtins and helpers) is known at compile time.

#include "compiler/ast/Ast.h"
#include "compiler/ir/Ir.h"

#include <memory>
#include <string>
#include <vector>

namespace lamina::sema {

struct BuiltinDef;

struct Value {
  enum class Kind : uint8_t {
    Error, // an error was reported; everything computed from it is silently an error
    None,
    Bool,  // Python bool (weak)
    Int,   // Python int (weak), possibly symbolic: `x.shape[0]` is `B`
    Float, // Python float (weak)
    String,
    Tensor,
    Seq, // list or tuple; a shape is a Seq of Ints
    DType,
    Namespace, // `tf`, `tf.math`, `K`
    Function,  // a helper `def`
    Builtin,
    Method, // a bound method such as `x.astype` or `s.as_list`
    Init,   // an initialiser (`random_normal(...)`) waiting for `variable(...)`
  };

  Kind kind = Kind::None;
  SourceRange range; // the expression that produced it
  bool b = false;
  Dim i;
  double f = 0;
  std::string s; // String; Namespace path; Method name; Init: the initialiser called
  ir::ValueId tensor = 0;
  std::vector<Value> elements;
  bool isTuple = false;
  bool isShape = false; // a shape (`x.shape`, `tf.shape(x)`) or a size from one: tensors of
                        // them are i32, as in TensorFlow
  DType dtype = DType::F32;
  const ast::Def *def = nullptr;
  const BuiltinDef *builtin = nullptr;
  std::shared_ptr<Value> receiver; // Method
  /// A named tuple's field names, one per element (`top_k(...).values`, as TensorFlow's).
  std::shared_ptr<const std::vector<std::string>> fields;
  std::shared_ptr<ir::Initializer> init;
  TensorType initType; // Init

  bool isError() const { return kind == Kind::Error; }
  bool isNumber() const { return kind == Kind::Bool || kind == Kind::Int || kind == Kind::Float; }
  bool isSeq() const { return kind == Kind::Seq; }

  static Value error(SourceRange r) { return make(Kind::Error, r); }
  static Value none(SourceRange r) { return make(Kind::None, r); }
  static Value boolean(bool v, SourceRange r) {
    Value out = make(Kind::Bool, r);
    out.b = v;
    return out;
  }
  static Value integer(Dim v, SourceRange r) {
    Value out = make(Kind::Int, r);
    out.i = std::move(v);
    return out;
  }
  static Value real(double v, SourceRange r) {
    Value out = make(Kind::Float, r);
    out.f = v;
    return out;
  }
  static Value string(std::string v, SourceRange r) {
    Value out = make(Kind::String, r);
    out.s = std::move(v);
    return out;
  }
  static Value ofTensor(ir::ValueId id, SourceRange r) {
    Value out = make(Kind::Tensor, r);
    out.tensor = id;
    return out;
  }
  static Value seq(std::vector<Value> elements, bool tuple, SourceRange r) {
    Value out = make(Kind::Seq, r);
    out.elements = std::move(elements);
    out.isTuple = tuple;
    return out;
  }
  static Value ofDType(DType t, SourceRange r) {
    Value out = make(Kind::DType, r);
    out.dtype = t;
    return out;
  }
  static Value make(Kind k, SourceRange r) {
    Value out;
    out.kind = k;
    out.range = r;
    return out;
  }
};

/// "a tensor f32[B, 256]", "the int 3", "a list of 2 values": for "expected X, got Y".
std::string describe(const Value &value, const ir::Function &function);
/// A compile-time value as Python prints it (`None`, `'a'`, `(1, 2.5)`, `f32`, `<builtin
/// sum>`); nothing when it holds a tensor.
std::optional<std::string> repr(const Value &value);

} // namespace lamina::sema
