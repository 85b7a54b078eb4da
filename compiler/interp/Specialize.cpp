#include "compiler/interp/Specialize.h"

#include <fmt/format.h>

#include <limits>

namespace lamina::interp_detail {
namespace {

std::string listText(const std::vector<int64_t> &dims) {
  std::string out;
  for (int64_t d : dims)
    out += fmt::format("{}{}", out.empty() ? "" : ", ", d);
  return "[" + out + "]";
}

std::vector<int64_t> concrete(const Shape &shape) {
  std::vector<int64_t> out;
  for (const Dim &d : shape)
    out.push_back(d.constant());
  return out;
}

// NumPy broadcasting of `from` to `to`: right-aligned, each dimension equal or 1.
bool fits(const std::vector<int64_t> &from, const std::vector<int64_t> &to) {
  if (from.size() > to.size())
    return false;
  for (size_t i = 0; i < from.size(); ++i) {
    int64_t f = from[i], t = to[to.size() - from.size() + i];
    if (f != t && f != 1)
      return false;
  }
  return true;
}

} // namespace

std::optional<Bindings> bindSymbols(const ir::Function &fn, const std::vector<Array> &inputs,
                                    const SourceFile &file, DiagnosticEngine &diags) {
  Bindings symbols;
  std::map<std::string, std::string> boundBy;
  SourceRange none{};
  auto mismatch = [&](const std::string &what, const std::string &name, const Array &a,
                      const TensorType &want) {
    TensorType got{a.dtype, {}};
    for (int64_t d : a.shape)
      got.shape.push_back(d);
    diags.report(DiagKind::InputMismatch, file, none, what, name, got.str(), want.str());
    return std::nullopt;
  };
  if (inputs.size() != fn.inputs.size()) {
    diags.report(DiagKind::InputCountMismatch, file, none, fn.name, fn.inputs.size(),
                 fn.inputs.size() == 1 ? "" : "s", inputs.size());
    return std::nullopt;
  }
  // Single symbols bind first; compound sizes (`2*B`) are checked once all are bound.
  for (size_t k = 0; k < inputs.size(); ++k) {
    const TensorType &want = fn.inputs[k].type;
    const Array &a = inputs[k];
    if (a.dtype != want.dtype || a.shape.size() != want.rank())
      return mismatch("input", fn.inputs[k].name, a, want);
    for (size_t i = 0; i < want.rank(); ++i) {
      std::vector<std::string> names = want.shape[i].symbols();
      if (names.size() != 1 || !(want.shape[i] == Dim::symbol(names[0])))
        continue;
      auto [it, fresh] = symbols.emplace(names[0], a.shape[i]);
      if (fresh) {
        boundBy[names[0]] = fn.inputs[k].name;
      } else if (it->second != a.shape[i]) {
        diags.report(DiagKind::SymbolMismatch, file, none, names[0], it->second, boundBy[names[0]],
                     a.shape[i], fn.inputs[k].name);
        return std::nullopt;
      }
    }
  }
  for (size_t k = 0; k < inputs.size(); ++k)
    for (size_t i = 0; i < inputs[k].shape.size(); ++i)
      if (fn.inputs[k].type.shape[i].evaluate(symbols) != inputs[k].shape[i])
        return mismatch("input", fn.inputs[k].name, inputs[k], fn.inputs[k].type);
  return symbols;
}

std::optional<std::vector<ir::Instr>> specialize(const ir::Function &fn, const Bindings &symbols,
                                                 const SourceFile &file, DiagnosticEngine &diags) {
  std::vector<ir::Instr> out;
  out.reserve(fn.instrs.size());
  auto value = [&](const Dim &d, SourceRange r) -> std::optional<int64_t> {
    auto v = d.evaluate(symbols);
    if (!v)
      diags.report(DiagKind::ShapeOverflow, file, r, d.str());
    return v;
  };
  for (const ir::Instr &in : fn.instrs) {
    ir::Instr c = in;
    for (Dim &d : c.type.shape) {
      auto v = value(d, in.range);
      if (!v)
        return std::nullopt;
      if (*v < 0) { // a symbolic slice of a dimension that turned out too small
        diags.report(DiagKind::IndexOutOfRange, file, in.range, -*v, 0);
        return std::nullopt;
      }
      d = *v;
    }
    if (auto *window = std::get_if<ir::WindowAttrs>(&c.attributes))
      for (Dim &d : window->begins) {
        auto v = value(d, in.range);
        if (!v)
          return std::nullopt;
        d = *v;
      }
    if (in.op == ir::Op::DimValue) {
      auto v = value(in.get<ir::SizeAttrs>().size, in.range);
      if (!v)
        return std::nullopt;
      c.get<ir::SizeAttrs>().size = *v;
    }
    std::vector<int64_t> result = concrete(c.type.shape);
    auto operandShape = [&](size_t i) { return concrete(out[in.operands[i]].type.shape); };
    auto fail = [&](const std::vector<int64_t> &a, const std::vector<int64_t> &b,
                    const std::string &why) {
      diags.report(DiagKind::RuntimeShapeMismatch, file, in.range, listText(a), listText(b), why);
      return std::nullopt;
    };
    switch (ir::categoryOf(in.op)) {
    case ir::OpCategory::Binary:
    case ir::OpCategory::Compare:
    case ir::OpCategory::Select:
      for (size_t i = 0; i < in.operands.size(); ++i)
        if (!fits(operandShape(i), result))
          return fail(operandShape(i), result, "each dimension must match or be 1");
      break;
    case ir::OpCategory::Reduce:
      // The index of the largest of no elements does not exist.
      if ((in.op == ir::Op::ArgMax || in.op == ir::Op::ArgMin) &&
          operandShape(0)[size_t(in.get<ir::ReduceAttrs>().axes[0])] == 0) {
        int64_t count = 1;
        for (int64_t d : result)
          count *= d;
        if (count > 0)
          return fail(operandShape(0), result, "argmax and argmin need a non-empty axis");
      }
      break;
    case ir::OpCategory::Other:
      if (in.op == ir::Op::Broadcast && !fits(operandShape(0), result))
        return fail(operandShape(0), result, "each dimension must match or be 1");
      if (in.op == ir::Op::MatMul) {
        std::vector<int64_t> a = operandShape(0), b = operandShape(1);
        if (a.back() != b[b.size() - 2])
          return fail(a, b, "the columns of the left must equal the rows of the right");
        // The batch dimensions broadcast like an elementwise operation's.
        std::vector<int64_t> batch(result.begin(), result.end() - 2);
        for (const std::vector<int64_t> *s : {&a, &b})
          if (!fits(std::vector<int64_t>(s->begin(), s->end() - 2), batch))
            return fail(a, b, "the batch dimensions must match or be 1");
      }
      if (in.op == ir::Op::Concat) {
        size_t axis = size_t(in.get<ir::AxisAttrs>().axis);
        int64_t total = 0;
        for (size_t i = 0; i < in.operands.size(); ++i) {
          std::vector<int64_t> s = operandShape(i);
          for (size_t a = 0; a < s.size(); ++a)
            if (a != axis && s[a] != result[a])
              return fail(s, result, "sizes off the joined axis must be equal");
          total += s[axis];
        }
        if (total != result[axis])
          return fail(operandShape(0), result, "the joined sizes do not add up");
      }
      if (in.op == ir::Op::Gather) {
        // Indices are clamped into range, which needs a range: an empty axis has none.
        std::vector<int64_t> data = operandShape(0), idx = operandShape(1);
        int64_t count = 1;
        for (int64_t d : idx)
          count *= d;
        if (count > 0 && data[size_t(in.get<ir::AxisAttrs>().axis)] == 0) {
          diags.report(DiagKind::IndexOutOfRange, file, in.range, 0, 0);
          return std::nullopt;
        }
      }
      if (in.op == ir::Op::Slice) {
        std::vector<int64_t> s = operandShape(0);
        for (size_t a = 0; a < s.size(); ++a) {
          int64_t first = c.get<ir::WindowAttrs>().begins[a].constant();
          int64_t last = first + (result[a] - 1) * in.get<ir::WindowAttrs>().steps[a];
          if (result[a] > 0 && (first < 0 || first >= s[a] || last < 0 || last >= s[a])) {
            diags.report(DiagKind::IndexOutOfRange, file, in.range,
                         first < 0 || first >= s[a] ? first : last, s[a]);
            return std::nullopt;
          }
        }
      }
      break;
    case ir::OpCategory::Leaf:
    case ir::OpCategory::Unary:
      break; // nothing to check at run time
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<std::pair<SourceRange, uint64_t>> footprint(const std::vector<ir::Instr> &concrete,
                                                        const std::vector<ir::ValueId> &outputs) {
  auto bytesOf = [](const ir::Instr &in) {
    uint64_t bytes = 8; // the interpreter's element, whatever the dtype: its memory is bounded
    for (const Dim &d : in.type.shape)
      if (__builtin_mul_overflow(bytes, uint64_t(d.constant()), &bytes))
        return std::numeric_limits<uint64_t>::max();
    return bytes;
  };
  auto owned = [](const ir::Instr &in) {
    return in.op == ir::Op::Input || in.op == ir::Op::Variable;
  };
  std::vector<std::pair<SourceRange, uint64_t>> out;
  for (const ir::Instr &in : concrete)
    if (!owned(in))
      out.emplace_back(in.range, bytesOf(in));
  for (ir::ValueId o : outputs) // an input returned as it is is still a new output
    if (owned(concrete[o]))
      out.emplace_back(concrete[o].range, bytesOf(concrete[o]));
  return out;
}

bool withinBudget(const std::vector<std::pair<SourceRange, uint64_t>> &footprint, uint64_t budget,
                  const SourceFile &file, DiagnosticEngine &diags) {
  uint64_t total = 0;
  for (const auto &[range, bytes] : footprint)
    if (__builtin_add_overflow(total, bytes, &total) || total > budget) {
      diags.report(DiagKind::BudgetExceeded, file, range,
                   bytes == std::numeric_limits<uint64_t>::max() ? std::string("too many")
                                                                 : std::to_string(total),
                   budget);
      return false;
    }
  return true;
}

} // namespace lamina::interp_detail
