#include "compiler/sema/Random.h"

#include "compiler/sema/Compose.h"
#include "compiler/types/Elements.h"

#include <fmt/format.h>

#include <array>
#include <numbers>

namespace lamina::sema {
namespace {

using ir::Op;
using namespace compose;

constexpr int64_t kMask32 = 0xFFFFFFFF;
constexpr uint64_t kPhiloxM0 = 0xD2511F53, kPhiloxM1 = 0xCD9E8D57;
constexpr uint64_t kPhiloxW0 = 0x9E3779B9, kPhiloxW1 = 0xBB67AE85;

// SplitMix64: spreads a seed and an op's ordinal over the 64 bits of a Philox key.
uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

Value i64(int64_t v, SourceRange r) { return Value::integer(v, r); }

Value low32(Context &ctx, const Value &x, SourceRange r) {
  return ew(ctx, Op::And, {x, i64(kMask32, r)}, r);
}

Value high32(Context &ctx, const Value &x, SourceRange r) {
  return low32(ctx, ew(ctx, Op::Shr, {x, i64(32, r)}, r), r);
}

// The call counter: a non-trainable i64 scalar the runtime adds one to after every call.
ValueId callCounter(Context &ctx, SourceRange r) {
  for (size_t k = 0; k < ctx.fn.variables.size(); ++k)
    if (ctx.fn.variables[k].callCounter)
      for (ValueId id = 0; id < ctx.fn.instrs.size(); ++id)
        if (ctx.fn.instrs[id].op == Op::Variable &&
            ctx.fn.instrs[id].get<ir::IndexAttrs>().index == int64_t(k))
          return id;
  ir::VariableDecl decl;
  decl.name = "seed_generator_state";
  for (int k = 1; ctx.variableNames.count(decl.name); ++k)
    decl.name = fmt::format("seed_generator_state_{}", k);
  ctx.variableNames.insert(decl.name);
  decl.type = {DType::I64, {}};
  decl.trainable = false;
  decl.callCounter = true;
  Array zero = makeArray(DType::I64, {});
  storeInt(zero, 0, 0);
  decl.init.value = std::make_shared<const Array>(std::move(zero));
  decl.range = r;
  ir::Instr in{Op::Variable, decl.type, {}, r, ir::IndexAttrs{int64_t(ctx.fn.variables.size())}};
  ctx.fn.variables.push_back(std::move(decl));
  return ctx.append(std::move(in));
}

// The four 32-bit words Philox4x32-10 makes for every element of `shape`: the counter is
// (flat index, call number), the key comes from the seed and the op's ordinal.
std::optional<std::array<Value, 4>> philox(Context &ctx, const Shape &shape,
                                           std::optional<int64_t> seed, int64_t ordinal,
                                           SourceRange r) {
  // The flat index of each element, from one iota per axis and the (maybe symbolic) strides.
  Value index = i64(0, r);
  Dim stride = 1;
  for (size_t k = shape.size(); k-- > 0;) {
    Value along = Value::ofTensor(ctx.iota(shape, int64_t(k), DType::I64, r), r);
    Value scaled =
        stride == Dim(1) ? along : ew(ctx, Op::Mul, {along, Value::integer(stride, r)}, r);
    index = k + 1 == shape.size() ? scaled : ew(ctx, Op::Add, {index, scaled}, r);
    auto next = Dim::mul(stride, shape[k]);
    if (!next)
      return std::nullopt;
    stride = *next;
  }
  if (shape.empty())
    index = Value::ofTensor(ctx.scalarInt(DType::I64, 0, r), r);
  Value calls = Value::ofTensor(callCounter(ctx, r), r);
  std::array<Value, 4> c = {low32(ctx, index, r), high32(ctx, index, r), low32(ctx, calls, r),
                            high32(ctx, calls, r)};
  uint64_t key = mix(uint64_t(seed.value_or(0x5EED)) ^ mix(uint64_t(ordinal)));
  if (!seed && ctx.randomSeed) // the layer's seed: each layer draws its own samples
    key = mix(key ^ ctx.randomSeed);
  uint64_t k0 = key & kMask32, k1 = key >> 32;
  for (int round = 0; round < 10; ++round) {
    Value p0 = ew(ctx, Op::Mul, {i64(int64_t(kPhiloxM0), r), c[0]}, r);
    Value p1 = ew(ctx, Op::Mul, {i64(int64_t(kPhiloxM1), r), c[2]}, r);
    Value n0 =
        ew(ctx, Op::Xor, {ew(ctx, Op::Xor, {high32(ctx, p1, r), c[1]}, r), i64(int64_t(k0), r)}, r);
    Value n2 =
        ew(ctx, Op::Xor, {ew(ctx, Op::Xor, {high32(ctx, p0, r), c[3]}, r), i64(int64_t(k1), r)}, r);
    c = {n0, low32(ctx, p1, r), n2, low32(ctx, p0, r)};
    k0 = (k0 + kPhiloxW0) & kMask32;
    k1 = (k1 + kPhiloxW1) & kMask32;
  }
  for (const Value &w : c)
    if (w.isError())
      return std::nullopt;
  return c;
}

// Uniform in [0, 1) from the words: 24 bits for f32 and narrower (exact in f32), 53 bits of
// two words for f64.
Value unitInterval(Context &ctx, const Value &a, const Value &b, DType t, SourceRange r) {
  if (t == DType::F64) {
    Value bits =
        ew(ctx, Op::Add,
           {ew(ctx, Op::Shl, {a, i64(21, r)}, r), ew(ctx, Op::Shr, {b, i64(11, r)}, r)}, r);
    Value f = Value::ofTensor(ctx.cast(bits.tensor, DType::F64, r), r);
    return ew(ctx, Op::Mul, {f, Value::real(0x1.0p-53, r)}, r);
  }
  Value bits = ew(ctx, Op::Shr, {a, i64(8, r)}, r);
  Value f = Value::ofTensor(ctx.cast(bits.tensor, DType::F32, r), r);
  return ew(ctx, Op::Mul, {f, Value::real(0x1.0p-24, r)}, r);
}

// The samples themselves, drawn anew.
MaybeId drawFresh(Context &ctx, const Value &init) {
  SourceRange r = init.range;
  const ir::Initializer &spec = *init.init;
  if (spec.kind != ir::Initializer::RandomNormal && spec.kind != ir::Initializer::RandomUniform) {
    ctx.fail(DiagKind::RandomOutsideVariable, r, init.s);
    return std::nullopt;
  }
  const TensorType &type = init.initType;
  auto it = ctx.randomOrdinal.find(init.init);
  auto words =
      philox(ctx, type.shape, spec.seed, it == ctx.randomOrdinal.end() ? 0 : it->second, r);
  if (!words)
    return std::nullopt;
  Value out;
  if (spec.kind == ir::Initializer::RandomUniform) {
    Value u = unitInterval(ctx, (*words)[0], (*words)[1], type.dtype, r);
    out = ew(ctx, Op::Add, {num(spec.a, r), ew(ctx, Op::Mul, {u, num(spec.b - spec.a, r)}, r)}, r);
  } else { // Box-Muller: sqrt(-2 log u1) cos(2 pi u2), u1 in (0, 1]
    Value u1 = ew(ctx, Op::Sub,
                  {num(1, r), unitInterval(ctx, (*words)[0], (*words)[1], type.dtype, r)}, r);
    Value u2 = unitInterval(ctx, (*words)[2], (*words)[3], type.dtype, r);
    Value radius =
        fun(ctx, Op::Sqrt, ew(ctx, Op::Mul, {num(-2, r), fun(ctx, Op::Log, u1, r)}, r), r);
    Value z = ew(
        ctx, Op::Mul,
        {radius, fun(ctx, Op::Cos, ew(ctx, Op::Mul, {num(2 * std::numbers::pi, r), u2}, r), r)}, r);
    out = ew(ctx, Op::Add, {num(spec.a, r), ew(ctx, Op::Mul, {num(spec.b, r), z}, r)}, r);
  }
  return out.isError() ? std::nullopt : std::optional(ctx.cast(out.tensor, type.dtype, r));
}

} // namespace

MaybeId uniformSamples(Context &ctx, const TensorType &type, std::optional<int64_t> seed,
                       int64_t ordinal, SourceRange r) {
  auto words = philox(ctx, type.shape, seed, ordinal, r);
  if (!words)
    return std::nullopt;
  Value u = unitInterval(ctx, (*words)[0], (*words)[1], type.dtype, r);
  return u.isError() ? std::nullopt : std::optional(ctx.cast(u.tensor, type.dtype, r));
}

MaybeId drawSamples(Context &ctx, const Value &init) {
  if (auto it = ctx.drawn.find(init.init); it != ctx.drawn.end())
    return it->second;
  MaybeId samples = drawFresh(ctx, init);
  if (samples)
    ctx.drawn.emplace(init.init, *samples);
  return samples;
}

} // namespace lamina::sema
