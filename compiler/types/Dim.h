#pragma once

// A dimension: a known integer or an expression over *symbols* (`B`, `N`, the batch
// dimension). Symbolic dimensions are integer polynomials — sums of products of symbols with
// integer coefficients — so `concat` along `B` and `N` gives `B + N`, `flatten` of
// `[B, 4, 8]` gives `[B, 32]` and `reshape(x, (-1,))` of `[B, N]` gives `[B*N]`, and two
// dimensions are equal exactly when their canonical forms are. All arithmetic is checked:
// an operation that would overflow 64 bits (or make a product of more than 64 terms) returns
// nothing and the caller reports it.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lamina {

class Dim {
public:
  Dim() = default;
  Dim(int64_t value); // NOLINT(google-explicit-constructor): a dimension is usually a number
  static Dim symbol(std::string name);

  bool isConstant() const {
    return terms_.empty() || (terms_.size() == 1 && terms_[0].symbols.empty());
  }
  /// The value of a constant dimension (0 for the empty polynomial).
  int64_t constant() const;
  std::optional<int64_t> asConstant() const;
  std::string str() const;
  /// Substitutes values for the symbols; nothing when a symbol is unbound or it overflows.
  std::optional<int64_t> evaluate(const std::map<std::string, int64_t> &bindings) const;
  /// The symbols it mentions, sorted and unique.
  std::vector<std::string> symbols() const;
  /// The polynomial's terms: coefficient and factors (code generators evaluate it).
  std::vector<std::pair<int64_t, std::vector<std::string>>> terms() const;

  friend bool operator==(const Dim &, const Dim &) = default;

  static std::optional<Dim> add(const Dim &a, const Dim &b);
  static std::optional<Dim> sub(const Dim &a, const Dim &b);
  static std::optional<Dim> mul(const Dim &a, const Dim &b);
  /// Exact division: a constant divisor that divides every coefficient, or a monomial divisor
  /// that every term contains. Nothing otherwise (including division by zero).
  static std::optional<Dim> divExact(const Dim &a, const Dim &b);

private:
  struct Term {
    int64_t coeff = 0;
    std::vector<std::string> symbols; // sorted, with repetition (B*B)
    friend bool operator==(const Term &, const Term &) = default;
  };
  static std::optional<Dim> normalize(std::vector<Term> terms);
  std::vector<Term> terms_; // canonical: sorted by symbols, constant term last, no zero coeff
};

using Shape = std::vector<Dim>;

std::string shapeString(const Shape &shape); // "[B, 512]"
/// The element count, when every dimension is known and the product fits in 64 bits.
std::optional<int64_t> knownElementCount(const Shape &shape);
/// The element count as a dimension (symbolic when the shape is); nothing on overflow.
std::optional<Dim> elementCount(const Shape &shape);

} // namespace lamina
