#include "compiler/ir/Ir.h"

#include "compiler/support/Unreachable.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace lamina::ir {
namespace {

enum class OperandClass : uint8_t { Any, Float, Bits, Int }; // IrOps.def's Operands
enum class GradientRule : uint8_t { Chain, Zero, Leaf };     // IrOps.def's Gradient

// IrOps.def's Attributes names, in the order of the Attributes variant's alternatives.
enum class AttributeSet : uint8_t {
  None,
  Index,
  Value,
  Size,
  Axis,
  Permutation,
  Reduce,
  Window,
  Padding
};
static_assert(size_t(AttributeSet::Padding) + 1 == std::variant_size_v<Attributes>);
static_assert(std::is_same_v<std::variant_alternative_t<size_t(AttributeSet::Value), Attributes>,
                             ValueAttrs>);
static_assert(std::is_same_v<std::variant_alternative_t<size_t(AttributeSet::Padding), Attributes>,
                             PaddingAttrs>);

struct OpInfo {
  std::string_view spelling;
  OpCategory category;
  OpCost cost;
  OperandClass operands;
  AttributeSet attributes;
  GradientRule gradient;
};

constexpr OpInfo kOps[] = {
#define LAMINA_IR_OP(Enum, Spelling, Category, Cost, Operands, Attributes, Gradient)               \
  {Spelling,                                                                                       \
   OpCategory::Category,                                                                           \
   OpCost::Cost,                                                                                   \
   OperandClass::Operands,                                                                         \
   AttributeSet::Attributes,                                                                       \
   GradientRule::Gradient},
#include "compiler/ir/IrOps.def"
};

std::string operandList(const Instr &in) {
  std::string out;
  for (ValueId v : in.operands)
    out += fmt::format("{}%{}", out.empty() ? "" : ", ", v);
  return out;
}

std::string intList(const std::vector<int64_t> &values) {
  std::string out;
  for (int64_t v : values)
    out += fmt::format("{}{}", out.empty() ? "" : ", ", v);
  return "[" + out + "]";
}

std::string attributes(const Function &f, const Instr &in) {
  static constexpr std::array<std::string_view, 3> kModes = {"constant", "reflect", "symmetric"};
  struct Printer {
    const Function &f;
    const Instr &in;
    std::string operator()(const NoAttrs &) const { return ""; }
    std::string operator()(const ValueAttrs &) const { return ""; } // after the type: constantText
    std::string operator()(const IndexAttrs &a) const {
      if (in.op == Op::Input)
        return fmt::format(" {}", f.inputs[size_t(a.index)].name);
      return fmt::format(" \"{}\"", f.variables[size_t(a.index)].name);
    }
    std::string operator()(const SizeAttrs &a) const { return " " + a.size.str(); }
    std::string operator()(const AxisAttrs &a) const { return fmt::format(" axis={}", a.axis); }
    std::string operator()(const PermutationAttrs &a) const { return " perm=" + intList(a.perm); }
    std::string operator()(const ReduceAttrs &a) const {
      return " axes=" + intList(a.axes) + (a.keepdims ? " keepdims" : "");
    }
    std::string operator()(const WindowAttrs &a) const {
      std::string out;
      for (size_t i = 0; i < a.begins.size(); ++i)
        out += fmt::format("{}{}:{}", i ? ", " : "", a.begins[i].str(), a.steps[i]);
      return " begin:step=[" + out + "]";
    }
    std::string operator()(const PaddingAttrs &a) const {
      std::string out;
      for (auto [lo, hi] : a.pads)
        out += fmt::format("{}({}, {})", out.empty() ? "" : ", ", lo, hi);
      return fmt::format(" pads=[{}] mode={} value={}", out, kModes[size_t(a.mode)], a.value);
    }
  };
  return std::visit(Printer{f, in}, in.attributes);
}

// Formats the value of a small constant; large ones print only their type.
std::string constantText(const Instr &in) {
  const Array &a = *in.get<ValueAttrs>().value;
  if (a.elementCount() != 1)
    return fmt::format(" <{} elements>", a.elementCount());
  const std::byte *p = a.bytes.data();
  auto load = [p]<class T>(T) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
  };
  switch (a.dtype) {
  case DType::Bool:
    return load(uint8_t{}) ? " true" : " false";
  case DType::I8:
    return fmt::format(" {}", load(int8_t{}));
  case DType::U8:
    return fmt::format(" {}", load(uint8_t{}));
  case DType::I16:
    return fmt::format(" {}", load(int16_t{}));
  case DType::U16:
    return fmt::format(" {}", load(uint16_t{}));
  case DType::I32:
    return fmt::format(" {}", load(int32_t{}));
  case DType::U32:
    return fmt::format(" {}", load(uint32_t{}));
  case DType::I64:
    return fmt::format(" {}", load(int64_t{}));
  case DType::U64:
    return fmt::format(" {}", load(uint64_t{}));
  case DType::F32:
    return fmt::format(" {}", load(float{}));
  case DType::F64:
    return fmt::format(" {}", load(double{}));
  case DType::F16: // the bits: their value is printed by the dtype's own rounding elsewhere
  case DType::BF16:
    return fmt::format(" 0x{:04x}", load(uint16_t{}));
  }
  LAMINA_UNREACHABLE("not a dtype");
}

} // namespace

std::string_view spelling(Op op) { return kOps[size_t(op)].spelling; }
OpCategory categoryOf(Op op) { return kOps[size_t(op)].category; }

OpCost costOf(Op op) { return kOps[size_t(op)].cost; }

size_t attributesIndex(Op op) { return size_t(kOps[size_t(op)].attributes); }

bool isDifferentiable(Op op) { return kOps[size_t(op)].gradient == GradientRule::Chain; }

void Instr::wrongAttributes() const {
  LAMINA_UNREACHABLE("an instruction read as carrying attributes of another kind");
}

bool takesFloatsOnly(Op op) { return kOps[size_t(op)].operands == OperandClass::Float; }

bool takesOperand(Op op, DType dtype) {
  switch (kOps[size_t(op)].operands) {
  case OperandClass::Any:
    return true;
  case OperandClass::Float:
    return isFloat(dtype);
  case OperandClass::Bits:
    return !isFloat(dtype);
  case OperandClass::Int:
    return !isFloat(dtype) && dtype != DType::Bool;
  }
  LAMINA_UNREACHABLE("not an operand class");
}

namespace {

// One instruction as the printer shows it, without its number: `mul %0, %1 : f32[B, 4]`.
std::string instrText(const Function &f, const Instr &in) {
  std::string operands = operandList(in);
  return fmt::format("{}{}{}{} : {}", spelling(in.op), operands.empty() ? "" : " " + operands,
                     attributes(f, in), in.op == Op::Constant ? constantText(in) : "",
                     in.type.str());
}

// A constant's bytes, length-prefixed: the printer shows only small values.
void appendConstant(std::string &key, const Instr &in) {
  const ValueAttrs *constant = std::get_if<ValueAttrs>(&in.attributes);
  if (!constant || !constant->value)
    return;
  const std::vector<std::byte> &bytes = constant->value->bytes;
  key += fmt::format(" #{}:", bytes.size());
  key.append(reinterpret_cast<const char *>(bytes.data()), bytes.size());
}

} // namespace

std::string keyOf(const Function &f, const Instr &in) {
  std::string key = instrText(f, in);
  appendConstant(key, in);
  return key;
}

std::string keyOf(const Function &f) {
  std::string key = print(f);
  for (const Instr &in : f.instrs)
    appendConstant(key, in);
  for (const InputDecl &in : f.inputs)
    key += fmt::format("\ninput {} {} {}", in.name, in.type.str(), in.binding);
  return key;
}

std::string print(const Function &f) {
  std::string out = fmt::format("func {}(", f.name);
  for (size_t i = 0; i < f.inputs.size(); ++i)
    out += fmt::format("{}{}: {}", i ? ", " : "", f.inputs[i].name, f.inputs[i].type.str());
  out += ")";
  if (!f.variables.empty()) {
    out += " vars(";
    for (size_t i = 0; i < f.variables.size(); ++i)
      out += fmt::format("{}\"{}\": {}{}", i ? ", " : "", f.variables[i].name,
                         f.variables[i].type.str(), f.variables[i].trainable ? "" : " frozen");
    out += ")";
  }
  out += " {\n";
  for (size_t id = 0; id < f.instrs.size(); ++id) {
    out += fmt::format("  %{} = {}\n", id, instrText(f, f.instrs[id]));
  }
  std::string results;
  for (ValueId v : f.outputs)
    results += fmt::format("{}%{}", results.empty() ? "" : ", ", v);
  return out + "  return " + results + "\n}\n";
}

void removeDeadCode(Function &fn, bool keepInputs) {
  std::vector<bool> live(fn.instrs.size(), false);
  for (ValueId o : fn.outputs)
    live[o] = true;
  for (size_t v = fn.instrs.size(); v-- > 0;)
    if (live[v])
      for (ValueId o : fn.instrs[v].operands)
        live[o] = true;
  std::vector<ValueId> renumber(fn.instrs.size(), 0);
  std::vector<Instr> kept;
  kept.reserve(fn.instrs.size());
  for (size_t v = 0; v < fn.instrs.size(); ++v) {
    if (!live[v] && !(keepInputs && fn.instrs[v].op == Op::Input))
      continue;
    renumber[v] = ValueId(kept.size());
    kept.push_back(std::move(fn.instrs[v]));
    for (ValueId &o : kept.back().operands)
      o = renumber[o];
  }
  fn.instrs = std::move(kept);
  for (ValueId &o : fn.outputs)
    o = renumber[o];
}

} // namespace lamina::ir
