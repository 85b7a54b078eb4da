// Linear algebra: matmul (`@`), dot, batch_dot (Keras's axes rules) and a documented subset of
// einsum: explicit or implicit output, `...` and diagonals (a letter twice in one operand).

#include "compiler/sema/Compose.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace lamina::sema {
namespace {

using ir::Op;
using namespace compose;

Value matmul(Context &ctx, const CallArgs &a) {
  return binaryOp(ctx, ast::BinaryOp::MatMul, a[0], a[1], a.range);
}

// tf.matmul(a, b, transpose_a=False, transpose_b=False): swaps the last two axes first.
Value tfMatmul(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]), y = tensorOf(ctx, a[1]);
  auto ta = boolArg(ctx, a, 2), tb = boolArg(ctx, a, 3);
  if (x.isError() || y.isError() || !ta || !tb)
    return Value::error(a.range);
  auto swapLast = [&](Value v) {
    size_t rank = ctx.typeOf(v.tensor).rank();
    if (rank < 2)
      return ctx.fail(DiagKind::RankMismatch, v.range, "transposing", "rank 2 or more", rank);
    std::vector<int64_t> perm;
    for (size_t i = 0; i < rank; ++i)
      perm.push_back(int64_t(i));
    std::swap(perm[rank - 1], perm[rank - 2]);
    return Value::ofTensor(ctx.transpose(v.tensor, perm, a.range), a.range);
  };
  if (*ta)
    x = swapLast(x);
  if (*tb)
    y = swapLast(y);
  return binaryOp(ctx, ast::BinaryOp::MatMul, x, y, a.range);
}

// Sum of products over `axes` after aligning both operands: the generic contraction used by
// batch_dot and einsum. `x` and `y` are already broadcast-compatible.
Value contract(Context &ctx, const Value &x, const Value &y, const std::vector<int64_t> &axes,
               SourceRange r) {
  Value prod = ew(ctx, Op::Mul, {x, y}, r);
  if (prod.isError() || axes.empty())
    return prod;
  return reduce(ctx, Op::ReduceSum, prod, axes, false, r);
}

// Keras batch_dot: x [B, ..., n] and y [B, ..., n] contracted over axes (x_axis, y_axis).
Value batchDot(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]), y = tensorOf(ctx, a[1]);
  if (x.isError() || y.isError())
    return Value::error(a.range);
  auto dtype = promoteValues(ctx, {x, y}, a.calledAs, true, a.range);
  if (!dtype)
    return Value::error(a.range);
  x = Value::ofTensor(ctx.cast(x.tensor, *dtype, a.range), a.range);
  y = Value::ofTensor(ctx.cast(y.tensor, *dtype, a.range), a.range);
  size_t rx = ctx.typeOf(x.tensor).rank(), ry = ctx.typeOf(y.tensor).rank();
  if (rx < 2 || ry < 2)
    return ctx.fail(DiagKind::RankMismatch, a.range, "`batch_dot`", "operands of rank 2 or more",
                    std::min(rx, ry));
  int64_t ax, ay;
  if (a.isNone(2)) {
    ax = int64_t(rx) - 1;
    ay = ry == 2 ? 1 : int64_t(ry) - 2;
  } else {
    auto list = intListArg(ctx, a[2], argName(a, 2));
    if (!list)
      return Value::error(a.range);
    if (list->empty() || list->size() > 2)
      return ctx.fail(DiagKind::WrongKind, a[2].range, argName(a, 2), "one axis or a pair of axes",
                      ctx.describe(a[2]));
    if (list->size() == 1)
      list->push_back((*list)[0]);
    auto nx = ctx.normalizeAxis((*list)[0], rx, a[2].range);
    auto ny = ctx.normalizeAxis((*list)[1], ry, a[2].range);
    if (!nx || !ny)
      return Value::error(a.range);
    if (*nx == 0 || *ny == 0)
      return ctx.fail(DiagKind::Unsupported, a[2].range, "contracting the batch axis",
                      "batch_dot keeps axis 0");
    ax = *nx;
    ay = *ny;
  }
  // Move the contracted axis last in both, then lay them out as [B, xs..., 1..., k] and
  // [B, 1..., ys..., k] so the product broadcasts to [B, xs..., ys..., k].
  auto moveLast = [&](const Value &v, int64_t axis, size_t rank) {
    std::vector<int64_t> perm;
    for (size_t i = 0; i < rank; ++i)
      if (int64_t(i) != axis)
        perm.push_back(int64_t(i));
    perm.push_back(axis);
    return Value::ofTensor(ctx.transpose(v.tensor, perm, a.range), a.range);
  };
  Value xm = moveLast(x, ax, rx), ym = moveLast(y, ay, ry);
  Shape sx = ctx.typeOf(xm.tensor).shape, sy = ctx.typeOf(ym.tensor).shape;
  // The contracted sizes must be equal, as in Keras: the product below would broadcast a 1.
  if (sx.back().isConstant() && sy.back().isConstant() && !(sx.back() == sy.back()))
    return ctx.failWithLabel(fmt::format("axis {} of x has {} elements, axis {} of y has {}", ax,
                                         sx.back().str(), ay, sy.back().str()),
                             DiagKind::MatMulMismatch, a.range, ctx.typeOf(x.tensor).str(),
                             ctx.typeOf(y.tensor).str());
  Shape ex{sx[0]}, ey{sy[0]};
  ex.insert(ex.end(), sx.begin() + 1, sx.end() - 1);
  ex.insert(ex.end(), ry - 2, Dim(1));
  ex.push_back(sx.back());
  ey.insert(ey.end(), rx - 2, Dim(1));
  ey.insert(ey.end(), sy.begin() + 1, sy.end());
  MaybeId xe = ctx.reshape(xm.tensor, ex, a.range), ye = ctx.reshape(ym.tensor, ey, a.range);
  if (!xe || !ye)
    return Value::error(a.range);
  Value out = contract(ctx, Value::ofTensor(*xe, a.range), Value::ofTensor(*ye, a.range),
                       {int64_t(ex.size()) - 1}, a.range);
  if (out.isError() || ctx.typeOf(out.tensor).rank() != 1)
    return out;
  // Keras returns [B, 1] rather than [B] when both inputs are matrices.
  Shape s = ctx.typeOf(out.tensor).shape;
  return tensorValue(ctx.reshape(out.tensor, {s[0], Dim(1)}, a.range), a.range);
}

// A two-operand einsum that is a batch of matrix products runs as one (lamina's packed kernel
// or OpenBLAS) rather than as a broadcast product and a sum, which is as many multiplies but
// no register blocking: every index is a batch index (both operands and the output), free in
// one operand (and in the output), or the one contracted index (both operands, not the
// output), with at most one free index per operand - attention's 'bqd,bkd->bqk', 'ij,jk->ik',
// 'bhqd,bhkd->bhqk'. Anything else (and bool, which has no product) returns nothing.
std::optional<Value> einsumAsMatMul(Context &ctx, const std::vector<std::string> &terms,
                                    const std::string &out, const std::vector<Value> &operands,
                                    SourceRange r) {
  if (terms.size() != 2)
    return std::nullopt;
  std::vector<Value> v;
  for (size_t k = 0; k < 2; ++k) {
    Value t = tensorOf(ctx, operands[k]);
    if (t.isError() || ctx.typeOf(t.tensor).rank() != terms[k].size() ||
        ctx.typeOf(t.tensor).dtype == DType::Bool)
      return std::nullopt;
    v.push_back(t);
  }
  const std::string &ta = terms[0], &tb = terms[1];
  auto has = [](const std::string &s, char c) { return s.find(c) != std::string::npos; };
  std::string batch, left, right, summed, seen;
  for (char c : ta + tb) {
    if (has(seen, c))
      continue;
    seen += c;
    bool a = has(ta, c), b = has(tb, c), o = has(out, c);
    std::string &into = a && b ? (o ? batch : summed) : (o ? (a ? left : right) : summed);
    if (!o && !(a && b))
      return std::nullopt; // summed within one operand
    into += c;
  }
  if (summed.size() != 1 || left.size() > 1 || right.size() > 1)
    return std::nullopt;
  // Each operand transposed into `order` (letters it has), with a size-1 axis where `one` is.
  auto arrange = [&](const Value &x, const std::string &term, const std::string &order,
                     size_t one) -> MaybeId {
    std::vector<int64_t> perm;
    Shape shape;
    const Shape &s = ctx.typeOf(x.tensor).shape;
    for (char c : order) {
      perm.push_back(int64_t(term.find(c)));
      shape.push_back(s[size_t(perm.back())]);
    }
    if (one <= shape.size())
      shape.insert(shape.begin() + std::ptrdiff_t(one), Dim(1));
    return ctx.reshape(ctx.transpose(x.tensor, perm, r), shape, r);
  };
  size_t none = std::string::npos;
  MaybeId a = arrange(v[0], ta, batch + left + summed, left.empty() ? batch.size() : none);
  MaybeId b = arrange(v[1], tb, batch + summed + right, right.empty() ? batch.size() + 1 : none);
  if (!a || !b)
    return Value::error(r);
  Value product =
      binaryOp(ctx, ast::BinaryOp::MatMul, Value::ofTensor(*a, r), Value::ofTensor(*b, r), r);
  if (product.isError())
    return product;
  // [batch..., M or 1, N or 1] -> the letters batch + left + right, then the output's order.
  std::string letters = batch + left + right;
  Shape shape = ctx.typeOf(product.tensor).shape;
  if (right.empty())
    shape.erase(shape.end() - 1);
  if (left.empty())
    shape.erase(shape.end() - (right.empty() ? 1 : 2));
  MaybeId flat = ctx.reshape(product.tensor, shape, r);
  if (!flat)
    return Value::error(r);
  std::vector<int64_t> perm;
  for (char c : out)
    perm.push_back(int64_t(letters.find(c)));
  return Value::ofTensor(ctx.transpose(*flat, perm, r), r);
}

// `...` in einsum: each operand's ellipsis stands for its axes no letter names, aligned from
// the right across operands (NumPy's broadcasting); they get letters the equation does not
// use. Implicit output puts them first, as NumPy does.
bool expandEllipsis(Context &ctx, std::vector<std::string> &terms, std::optional<std::string> &out,
                    std::vector<Value> &operands, SourceRange where) {
  std::string used;
  for (const std::string &t : terms)
    used += t;
  if (out)
    used += *out;
  if (used.find("...") == std::string::npos)
    return true;
  std::vector<size_t> widths(terms.size(), 0);
  size_t widest = 0;
  for (size_t k = 0; k < terms.size(); ++k) {
    size_t at = terms[k].find("...");
    if (at == std::string::npos)
      continue;
    Value v = tensorOf(ctx, operands[k]);
    if (v.isError())
      return false;
    operands[k] = v;
    size_t rank = ctx.typeOf(v.tensor).rank(), named = terms[k].size() - 3;
    if (rank < named) {
      ctx.fail(DiagKind::RankMismatch, operands[k].range, fmt::format("einsum term `{}`", terms[k]),
               fmt::format("rank {} or more", named), rank);
      return false;
    }
    widths[k] = rank - named;
    widest = std::max(widest, widths[k]);
  }
  std::string letters;
  for (char c = 'A'; letters.size() < widest && c <= 'z'; ++c)
    if (std::isalpha(static_cast<unsigned char>(c)) && used.find(c) == std::string::npos)
      letters += c;
  if (letters.size() < widest) {
    ctx.fail(DiagKind::Unsupported, where, "this many axes under `...`", "52 letters at most");
    return false;
  }
  for (size_t k = 0; k < terms.size(); ++k)
    if (size_t at = terms[k].find("..."); at != std::string::npos)
      terms[k].replace(at, 3, letters.substr(widest - widths[k]));
  if (out) {
    if (size_t at = out->find("..."); at != std::string::npos)
      out->replace(at, 3, letters);
  } else { // NumPy: the broadcast axes, then the indices that appear once, in order
    std::map<char, int> counts;
    for (const std::string &t : terms)
      for (char c : t)
        ++counts[c];
    std::string implicit = letters;
    for (auto [c, n] : counts)
      if (n == 1 && letters.find(c) == std::string::npos)
        implicit += c;
    out = implicit;
  }
  return true;
}

// A letter twice in one term (`ii->i`, `bii->bi`) takes that diagonal: the operand summed over
// its second axis against an equality mask of the two, which then lose one letter.
bool takeDiagonals(Context &ctx, std::string &term, Value &operand, SourceRange r) {
  for (size_t q = 0; q < term.size(); ++q) {
    size_t p = term.find(term[q]);
    if (p == q)
      continue;
    Value x = tensorOf(ctx, operand);
    if (x.isError())
      return false;
    const Shape shape = ctx.typeOf(x.tensor).shape;
    if (shape.size() != term.size()) {
      ctx.fail(DiagKind::RankMismatch, operand.range, fmt::format("einsum term `{}`", term),
               fmt::format("rank {}", term.size()), shape.size());
      return false;
    }
    Value same = ew(ctx, Op::Eq,
                    {Value::ofTensor(ctx.iota(shape, int64_t(p), DType::I64, r), r),
                     Value::ofTensor(ctx.iota(shape, int64_t(q), DType::I64, r), r)},
                    r);
    Value zero = Value::ofTensor(ctx.scalarInt(ctx.typeOf(x.tensor).dtype, 0, r), r);
    operand =
        reduce(ctx, Op::ReduceSum, ew(ctx, Op::Select, {same, x, zero}, r), {int64_t(q)}, false, r);
    if (operand.isError())
      return false;
    term.erase(q, 1);
    return takeDiagonals(ctx, term, operand, r);
  }
  return true;
}

Value einsum(Context &ctx, const CallArgs &a) {
  SourceRange r = a.range;
  if (a[0].kind != Value::Kind::String)
    return ctx.fail(DiagKind::WrongKind, a[0].range, argName(a, 0), "a string", ctx.describe(a[0]));
  std::string eq;
  for (char c : a[0].s)
    if (c != ' ')
      eq += c;
  size_t arrow = eq.find("->");
  std::string lhs = eq.substr(0, arrow);
  std::vector<std::string> terms;
  for (size_t start = 0;;) {
    size_t comma = lhs.find(',', start);
    terms.push_back(lhs.substr(start, comma - start));
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  std::vector<Value> operands = a[1].elements;
  if (terms.size() != operands.size())
    return ctx.fail(DiagKind::WrongKind, a[0].range, "the einsum equation",
                    fmt::format("one term per operand ({})", operands.size()),
                    fmt::format("{} terms", terms.size()));
  std::optional<std::string> explicitOut;
  if (arrow != std::string::npos)
    explicitOut = eq.substr(arrow + 2);
  if (!expandEllipsis(ctx, terms, explicitOut, operands, a[0].range))
    return Value::error(r);
  if (!explicitOut) { // NumPy's implicit output: the letters used once, in order
    std::map<char, int> uses;
    for (const std::string &t : terms)
      for (char c : t)
        ++uses[c];
    explicitOut.emplace();
    for (auto [c, n] : uses)
      if (n == 1)
        *explicitOut += c;
  }
  for (size_t k = 0; k < operands.size(); ++k)
    if (!takeDiagonals(ctx, terms[k], operands[k], r))
      return Value::error(r);
  std::map<char, int> counts;
  for (const std::string &t : terms)
    for (char c : t) {
      if (!std::isalpha(static_cast<unsigned char>(c)))
        return ctx.fail(DiagKind::WrongKind, a[0].range, "an einsum index", "a letter",
                        fmt::format("`{}`", c));
      ++counts[c];
    }
  const std::string &out = *explicitOut;
  for (char c : out)
    if (std::count(out.begin(), out.end(), c) > 1)
      return ctx.fail(DiagKind::Unsupported, a[0].range, "a repeated output index",
                      "an output takes each index once");
  for (char c : out)
    if (!counts.count(c))
      return ctx.fail(DiagKind::WrongKind, a[0].range, "an output index",
                      "an index of some operand", fmt::format("`{}`", c));
  if (auto product = einsumAsMatMul(ctx, terms, out, operands, r))
    return *product;
  // Layout: output letters, then contracted letters; every operand is transposed into that
  // order with size-1 axes for letters it lacks, the product broadcasts, and the contracted
  // axes are summed.
  std::string order = out;
  for (auto [c, n] : counts)
    if (out.find(c) == std::string::npos)
      order += c;
  std::vector<Value> aligned;
  for (size_t k = 0; k < operands.size(); ++k) {
    Value v = tensorOf(ctx, operands[k]);
    if (v.isError())
      return v;
    const Shape &s = ctx.typeOf(v.tensor).shape;
    if (s.size() != terms[k].size())
      return ctx.fail(DiagKind::RankMismatch, operands[k].range,
                      fmt::format("einsum term `{}`", terms[k]),
                      fmt::format("rank {}", terms[k].size()), s.size());
    std::vector<int64_t> perm;
    Shape expanded;
    for (char c : order) {
      size_t pos = terms[k].find(c);
      if (pos == std::string::npos) {
        expanded.push_back(1);
      } else {
        perm.push_back(int64_t(pos));
        expanded.push_back(s[pos]);
      }
    }
    ValueId t = ctx.transpose(v.tensor, perm, r);
    MaybeId e = ctx.reshape(t, expanded, r);
    if (!e)
      return Value::error(r);
    aligned.push_back(Value::ofTensor(*e, r));
  }
  Value prod = aligned[0];
  for (size_t k = 1; k < aligned.size(); ++k)
    prod = ew(ctx, Op::Mul, {prod, aligned[k]}, r);
  std::vector<int64_t> summed;
  for (size_t i = out.size(); i < order.size(); ++i)
    summed.push_back(int64_t(i));
  if (prod.isError() || summed.empty())
    return prod;
  return reduce(ctx, Op::ReduceSum, prod, summed, false, r);
}

// np.dot / K.dot: a matrix product for ranks 1 and 2; beyond, the last axis of `a` against the
// second-to-last of `b`, giving a.shape[:-1] + b.shape[:-2] + b.shape[-1:] (not matmul's
// batching). Written as the einsum it is.
Value dot(Context &ctx, const CallArgs &a) {
  Value x = tensorOf(ctx, a[0]), y = tensorOf(ctx, a[1]);
  if (x.isError() || y.isError())
    return Value::error(a.range);
  size_t rx = ctx.typeOf(x.tensor).rank(), ry = ctx.typeOf(y.tensor).rank();
  if (rx == 0 || ry == 0)
    return ew(ctx, Op::Mul, {x, y}, a.range);
  if (rx <= 2 && ry <= 2)
    return binaryOp(ctx, ast::BinaryOp::MatMul, x, y, a.range);
  std::string left, right, out;
  char next = 'a';
  for (size_t i = 0; i + 1 < rx; ++i)
    left += next++;
  for (size_t i = 0; i < ry; ++i)
    right += i + 2 == ry || ry == 1 ? 'z' : next++;
  left += 'z';
  out = left.substr(0, rx - 1) + (ry >= 2 ? right.substr(0, ry - 2) + right.back() : "");
  auto dtype = promoteValues(ctx, {x, y}, a.calledAs, true, a.range);
  if (!dtype)
    return Value::error(a.range);
  CallArgs e = a;
  e.values = {Value::string(left + "," + right + "->" + out, a.range),
              Value::seq({Value::ofTensor(ctx.cast(x.tensor, *dtype, a.range), a.range),
                          Value::ofTensor(ctx.cast(y.tensor, *dtype, a.range), a.range)},
                         true, a.range)};
  return einsum(ctx, e);
}

constexpr BuiltinDef kLinalg[] = {
    {"matmul", "x|a|x1, y|b|x2", matmul, "matrix product, batched and broadcast (`@`)"},
    {"_tf_matmul", "a, b, transpose_a=False, transpose_b=False", tfMatmul,
     "matrix product with optional transposes of the last two axes"},
    {"dot", "x|a, y|b", dot,
     "NumPy's dot: matmul for ranks 1 and 2, else the last axis of x against the second-to-last "
     "of y"},
    {"batch_dot", "x, y, axes=None", batchDot, "per-sample dot product over axes (Keras's rules)"},
    {"einsum", "subscripts|equation, *operands", einsum,
     "Einstein summation: letters only, no `...`, no repeated index in one operand"},
};

} // namespace

std::span<const BuiltinDef> linalgBuiltins() { return kLinalg; }

} // namespace lamina::sema
