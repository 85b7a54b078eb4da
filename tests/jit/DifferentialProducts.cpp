// The differential tables of products: matmul, dot, einsum and batch_dot on every dtype and
// shape kind, the products OpenBLAS computes, einsums run as matrix products, and lamina's
// packed products at several vector widths. Floats within the sum bound of the same product of
// absolute values (the order of accumulation differs); integers exact.

#include "DifferentialDriver.h"

#include <doctest/doctest.h>

#include <fmt/format.h>

using namespace lamina;
using namespace lamina::jitdiff;

namespace {

// A product of `a` and `b` on each pair of operand shapes (as[k], bs[k]): moderate random
// values; floats within the sum bound of `companion` (the same product of |a| and |b|).
KernelCase productCase(std::string label, const std::string &expr, DType t, const char *a,
                       const char *b, const std::string &companion, std::vector<Dims> as,
                       std::vector<Dims> bs) {
  KernelCase k{std::move(label),
               expr,
               {{"a", typeSpec(t, a)}, {"b", typeSpec(t, b)}},
               [t, as, bs](std::mt19937_64 &rng) {
                 std::vector<Call> calls;
                 for (size_t j = 0; j < as.size(); ++j)
                   calls.push_back({fmt::format("shapes [{}] [{}]", fmt::join(as[j], ","),
                                                fmt::join(bs[j], ",")),
                                    {jittest::moderateArray(t, as[j], rng, 4, 0.03),
                                     jittest::moderateArray(t, bs[j], rng, 4, 0.03)}});
                 return calls;
               }};
  k.rules = {Rule::sum(companion)};
  return k;
}

} // namespace

TEST_CASE("matmul, dot and einsum: shapes, broadcast batches, empty and tail sizes") {
  struct MatCase {
    const char *expr;
    const char *a, *b; // dims
    std::vector<Dims> as, bs;
    const char *companion; // the same product of |a| and |b|
  };
  const MatCase rows[] = {
      {"a @ b",
       "M, K",
       "K, N",
       {{3, 4}, {1, 7}, {0, 4}, {3, 0}, {3, 4}, {17, 33}, {8, 9}},
       {{4, 5}, {7, 1}, {4, 5}, {0, 5}, {4, 0}, {33, 19}, {9, 16}},
       "abs(cast(a, 'float64')) @ abs(cast(b, 'float64'))"},
      {"matmul(a, b)",
       "P, M, K",
       "K, N",
       {{2, 3, 4}, {0, 3, 4}},
       {{4, 5}, {4, 5}},
       "matmul(abs(a), abs(b))"},
      {"a @ b", "P, 1, M, K", "Q, K, N", {{2, 1, 3, 4}}, {{5, 4, 6}}, "abs(a) @ abs(b)"},
      {"dot(a, b)",
       "K",
       "K",
       {{7}, {0}, {1}, {100}},
       {{7}, {0}, {1}, {100}},
       "dot(abs(a), abs(b))"},
      {"dot(a, b)", "M, K", "K", {{3, 7}, {9, 17}}, {{7}, {17}}, "dot(abs(a), abs(b))"},
      {"a @ b", "K", "K, N", {{7}, {9}}, {{7, 3}, {9, 17}}, "abs(a) @ abs(b)"},
      {"einsum('ij,kj->ik', a, b)",
       "M, K",
       "N, K",
       {{3, 4}, {5, 9}},
       {{6, 4}, {10, 9}},
       "einsum('ij,kj->ik', abs(a), abs(b))"},
      {"batch_dot(a, b)",
       "B, K",
       "B, K",
       {{3, 4}, {0, 9}, {5, 17}},
       {{3, 4}, {0, 9}, {5, 17}},
       "batch_dot(abs(a), abs(b))"},
      {"batch_dot(a, b, axes=(2, 1))",
       "B, M, K",
       "B, K, N",
       {{2, 3, 4}},
       {{2, 4, 5}},
       "batch_dot(abs(a), abs(b), axes=(2, 1))"},
  };
  // (bool has no `@`: E0401.)
  std::vector<KernelCase> cases;
  for (DType t : {DType::F32, DType::F64, DType::F16, DType::BF16, DType::I32, DType::I8, DType::U8,
                  DType::I64})
    for (const MatCase &c : rows)
      cases.push_back(
          productCase(fmt::format("matmul `{}` {} [{}] x [{}]", c.expr, shortName(t), c.a, c.b),
                      c.expr, t, c.a, c.b, c.companion, c.as, c.bs));
  runCases(cases);
}

TEST_CASE(
    "products OpenBLAS computes: K deeper than lamina's panels, N >= 256, leading axes, batches") {
  struct BlasCase {
    const char *expr, *a, *b, *companion;
    std::vector<Dims> as, bs;
  };
  const BlasCase rows[] = {
      {"a @ b",
       "M, 160",
       "160, 256",
       "abs(a) @ abs(b)",
       {{37, 160}, {0, 160}, {1, 160}},
       {{160, 256}, {160, 256}, {160, 256}}},
      {"matmul(a * 2.0, b)",
       "P, M, 192",
       "192, 256",
       "matmul(abs(a) * 2.0, abs(b))",
       {{3, 7, 192}, {2, 0, 192}},
       {{192, 256}, {192, 256}}},
      {"relu(a @ transpose(b)) + 1.0",
       "M, 136",
       "256, 136",
       "abs(a) @ transpose(abs(b)) + 1.0",
       {{19, 136}},
       {{256, 136}}},
      // A batch of matrices, one call each; the epilogue in the output's buffer.
      {"relu(matmul(a, b) * 0.5 + 1.0)",
       "B, 16, 160",
       "B, 160, 256",
       "matmul(abs(a), abs(b)) * 0.5 + 1.0",
       {{5, 16, 160}, {0, 16, 160}, {1, 16, 160}},
       {{5, 160, 256}, {0, 160, 256}, {1, 160, 256}}},
  };
  std::vector<KernelCase> cases;
  for (DType t : {DType::F32, DType::F64})
    for (const BlasCase &c : rows) {
      KernelCase k =
          productCase(fmt::format("OpenBLAS `{}` {} [{}] x [{}]", c.expr, shortName(t), c.a, c.b),
                      c.expr, t, c.a, c.b, c.companion, c.as, c.bs);
      k.required = true;
      k.planHas = "OpenBLAS";
      cases.push_back(std::move(k));
    }
  runCases(cases);
}

// Two-operand einsums that are batches of matrix products run as matmul (BuiltinsLinalg.cpp):
// the kernel's numbers against the interpreter's for the einsum's definition, a broadcast
// product summed over the contracted index.
TEST_CASE("einsum as matrix products: the numbers of its broadcast-and-sum definition") {
  struct EinsumCase {
    const char *equation, *definition, *companion;
    Dims a, b;
  };
  const EinsumCase rows[] = {
      {"bqd,bkd->bqk",
       "sum(a[:, :, None, :] * b[:, None, :, :], axis=3)",
       "sum(abs(a)[:, :, None, :] * abs(b)[:, None, :, :], axis=3)",
       {3, 5, 4},
       {3, 6, 4}},
      {"ij,jk->ki",
       "transpose(sum(a[:, :, None] * b[None, :, :], axis=1))",
       "transpose(sum(abs(a)[:, :, None] * abs(b)[None, :, :], axis=1))",
       {5, 3},
       {3, 7}},
      {"bhqd,bhkd->bhqk",
       "sum(a[:, :, :, None, :] * b[:, :, None, :, :], axis=4)",
       "sum(abs(a)[:, :, :, None, :] * abs(b)[:, :, None, :, :], axis=4)",
       {2, 3, 4, 5},
       {2, 3, 6, 5}},
      {"i,i->", "sum(a * b)", "sum(abs(a) * abs(b))", {7}, {7}},
      {"ij,j->i", "sum(a * b, axis=1)", "sum(abs(a) * abs(b), axis=1)", {4, 6}, {6}},
      {"ij,ij->i", "sum(a * b, axis=1)", "sum(abs(a) * abs(b), axis=1)", {4, 6}, {4, 6}},
      {"bi,bij->bj",
       "sum(a[:, :, None] * b, axis=1)",
       "sum(abs(a)[:, :, None] * abs(b), axis=1)",
       {3, 4},
       {3, 4, 5}},
      {"kb,bik->ib",
       "transpose(sum(transpose(a)[:, None, :] * b, axis=2))",
       "transpose(sum(transpose(abs(a))[:, None, :] * abs(b), axis=2))",
       {4, 3},
       {3, 5, 4}},
  };
  std::vector<KernelCase> cases;
  for (DType t : {DType::F32, DType::F64, DType::I32}) {
    for (const EinsumCase &c : rows) {
      std::string a = fmt::format("{}", fmt::join(c.a, ", "));
      std::string b = fmt::format("{}", fmt::join(c.b, ", "));
      KernelCase k{fmt::format("einsum '{}' {}", c.equation, shortName(t)),
                   fmt::format("einsum('{}', a, b)", c.equation),
                   {{"a", typeSpec(t, a)}, {"b", typeSpec(t, b)}},
                   [t, c](std::mt19937_64 &rng) {
                     return std::vector<Call>{{"",
                                               {jittest::moderateArray(t, c.a, rng, 4, 0.03),
                                                jittest::moderateArray(t, c.b, rng, 4, 0.03)}}};
                   }};
      k.rules = {Rule::sum(c.companion)};
      k.reference = c.definition;
      k.required = true;
      k.planHas = "matmul";
      cases.push_back(std::move(k));
    }
  }
  runCases(cases);
}

// Products of known depth K (Schedule::packed): the right operand packed in panels, its
// producers computed there, every block shape the columns choose (1 to 4 vectors, tall blocks
// for narrow products), zero-padded last panels of every width, the row halving blocks at the
// bottom edge, and elementwise readers fused as epilogues - at vector widths 4, 8 and 16.
TEST_CASE("packed products: panels, column and row edges, producers and epilogues, widths") {
  struct PackedCase {
    const char *expr, *companion;
    const char *a, *b; // dims: K is a number
    std::vector<Dims> as, bs;
  };
  const PackedCase rows[] = {
      {"a @ b",
       "abs(a) @ abs(b)",
       "M, 7",
       "7, N",
       {{1, 7}, {5, 7}, {13, 7}, {23, 7}, {0, 7}, {4, 7}, {3, 7}},
       {{7, 1}, {7, 5}, {7, 16}, {7, 17}, {7, 5}, {7, 0}, {7, 100}}},
      {"a @ b", "abs(a) @ abs(b)", "M, 24", "24, 48", {{19, 24}, {2, 24}}, {{24, 48}, {24, 48}}},
      {"a @ b", "abs(a) @ abs(b)", "M, 16", "16, 80", {{9, 16}}, {{16, 80}}},
      {"a @ b", "abs(a) @ abs(b)", "M, 3", "3, 10", {{37, 3}, {1, 3}}, {{3, 10}, {3, 10}}},
      // Producers in the panel: a transposed, a reversed and strided, a computed right operand.
      {"a @ transpose(b)", "abs(a) @ transpose(abs(b))", "M, 9", "N, 9", {{6, 9}}, {{21, 9}}},
      {"a @ b[::-1, ::2]", "abs(a) @ abs(b)[::-1, ::2]", "M, 5", "5, 35", {{11, 5}}, {{5, 35}}},
      {"a @ (b * 2.0 + 1.0)", "abs(a) @ (abs(b) * 2.0 + 1.0)", "M, 8", "8, N", {{7, 8}}, {{8, 33}}},
      // Epilogues: computed from the sums in registers, lane by lane at the column edge.
      {"relu(a @ b + 1.0) * 0.5",
       "(abs(a) @ abs(b) + 1.0) * 0.5",
       "M, 6",
       "6, N",
       {{10, 6}, {3, 6}},
       {{6, 19}, {6, 64}}},
      {"(a @ b) / 4.0 - b[0]",
       "(abs(a) @ abs(b)) / 4.0 + abs(b[0])",
       "M, 4",
       "4, N",
       {{9, 4}},
       {{4, 30}}},
      // K deeper than a panel, or unknown: blocks of K, partial sums kept in the output (f32,
      // f64, integers), the last block short; K = 0 stores zeros. f16 and bf16 are unpacked.
      {"a @ b",
       "abs(a) @ abs(b)",
       "M, K",
       "K, N",
       {{9, 300}, {3, 0}, {7, 1}, {20, 700}, {4, 1100}},
       {{300, 70}, {0, 5}, {1, 33}, {700, 17}, {1100, 9}}},
      {"relu(a @ b + 1.0) * 0.5",
       "(abs(a) @ abs(b) + 1.0) * 0.5",
       "M, 300",
       "300, N",
       {{13, 300}, {5, 300}},
       {{300, 70}, {300, 5}}},
      // Batches: attention's scaled scores, and a batch broadcast against one matrix.
      {"matmul(a, transpose(b, (0, 2, 1))) / 3.0",
       "matmul(abs(a), transpose(abs(b), (0, 2, 1))) / 3.0",
       "B, T, 8",
       "B, T, 8",
       {{3, 16, 8}, {2, 5, 8}, {0, 4, 8}},
       {{3, 16, 8}, {2, 5, 8}, {0, 4, 8}}},
      {"matmul(a, b)", "matmul(abs(a), abs(b))", "B, M, 12", "12, N", {{2, 9, 12}}, {{12, 18}}},
  };
  struct Width {
    const char *name;
    unsigned width;
  };
  std::vector<KernelCase> cases;
  for (Width target : {Width{"width 4", 4}, Width{"width 8", 8}, Width{"host", 0}}) {
    driver::CompileOptions options = jittest::testCompileOptions();
    options.vectorWidth = target.width;
    for (DType t : {DType::F32, DType::F64, DType::F16, DType::BF16, DType::I32, DType::I8}) {
      for (const PackedCase &c : rows) {
        if (!isFloat(t) && std::string(c.expr).find('.') != std::string::npos)
          continue; // float constants make the integer cases float
        KernelCase k = productCase(fmt::format("packed {} `{}` {} [{}] x [{}]", target.name, c.expr,
                                               shortName(t), c.a, c.b),
                                   c.expr, t, c.a, c.b, c.companion, c.as, c.bs);
        k.options = options;
        k.required = true;
        cases.push_back(std::move(k));
      }
    }
  }
  // The plan says the right operand is packed and where the epilogue went (no calls).
  KernelCase plan{"packed plan `relu(a @ b + 1.0)`",
                  "relu(a @ b + 1.0)",
                  {{"a", "f32[M, 6]"}, {"b", "f32[6, N]"}},
                  [](std::mt19937_64 &) { return std::vector<Call>{}; }};
  plan.required = true;
  plan.planHas = "epilogue";
  cases.push_back(std::move(plan));
  runCases(cases);
}
