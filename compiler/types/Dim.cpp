#include "compiler/types/Dim.h"

#include <algorithm>
#include <fmt/format.h>

namespace lamina {

Dim::Dim(int64_t value) {
  if (value != 0)
    terms_.push_back({value, {}});
}

Dim Dim::symbol(std::string name) {
  Dim d;
  d.terms_.push_back({1, {std::move(name)}});
  return d;
}

int64_t Dim::constant() const {
  return terms_.empty() ? 0 : terms_.back().symbols.empty() ? terms_.back().coeff : 0;
}

std::optional<int64_t> Dim::asConstant() const {
  if (!isConstant())
    return std::nullopt;
  return constant();
}

std::optional<Dim> Dim::normalize(std::vector<Term> terms) {
  // Symbolic terms sorted by their symbols, the constant (no symbols) last.
  std::sort(terms.begin(), terms.end(), [](const Term &a, const Term &b) {
    if (a.symbols.empty() != b.symbols.empty())
      return b.symbols.empty();
    return a.symbols < b.symbols;
  });
  Dim out;
  for (Term &t : terms) {
    if (!out.terms_.empty() && out.terms_.back().symbols == t.symbols) {
      if (__builtin_add_overflow(out.terms_.back().coeff, t.coeff, &out.terms_.back().coeff))
        return std::nullopt;
    } else {
      out.terms_.push_back(std::move(t));
    }
  }
  std::erase_if(out.terms_, [](const Term &t) { return t.coeff == 0; });
  return out;
}

std::optional<Dim> Dim::add(const Dim &a, const Dim &b) {
  std::vector<Term> terms = a.terms_;
  terms.insert(terms.end(), b.terms_.begin(), b.terms_.end());
  return normalize(std::move(terms));
}

std::optional<Dim> Dim::sub(const Dim &a, const Dim &b) {
  std::vector<Term> terms = a.terms_;
  for (Term t : b.terms_) {
    if (t.coeff == INT64_MIN)
      return std::nullopt;
    t.coeff = -t.coeff;
    terms.push_back(std::move(t));
  }
  return normalize(std::move(terms));
}

std::optional<Dim> Dim::mul(const Dim &a, const Dim &b) {
  // A product of sums multiplies their term counts; a size that needs more terms than this
  // is refused like an overflow, so `(B + C) * (D + E) * ...` cannot grow without bound.
  constexpr size_t kMaxTerms = 64;
  if (a.terms_.size() * b.terms_.size() > kMaxTerms)
    return std::nullopt;
  std::vector<Term> terms;
  for (const Term &x : a.terms_)
    for (const Term &y : b.terms_) {
      Term t;
      if (__builtin_mul_overflow(x.coeff, y.coeff, &t.coeff))
        return std::nullopt;
      t.symbols = x.symbols;
      t.symbols.insert(t.symbols.end(), y.symbols.begin(), y.symbols.end());
      std::sort(t.symbols.begin(), t.symbols.end());
      terms.push_back(std::move(t));
    }
  return normalize(std::move(terms));
}

std::optional<Dim> Dim::divExact(const Dim &a, const Dim &b) {
  if (b.terms_.size() != 1 || b.terms_[0].coeff == 0)
    return std::nullopt;
  const Term &d = b.terms_[0];
  std::vector<Term> terms;
  for (Term t : a.terms_) {
    if (d.coeff == -1 && t.coeff == INT64_MIN)
      return std::nullopt;
    if (t.coeff % d.coeff != 0)
      return std::nullopt;
    t.coeff /= d.coeff;
    // Remove each symbol of the divisor once (both lists are sorted).
    std::vector<std::string> rest;
    if (!std::includes(t.symbols.begin(), t.symbols.end(), d.symbols.begin(), d.symbols.end()))
      return std::nullopt;
    std::set_difference(t.symbols.begin(), t.symbols.end(), d.symbols.begin(), d.symbols.end(),
                        std::back_inserter(rest));
    t.symbols = std::move(rest);
    terms.push_back(std::move(t));
  }
  return normalize(std::move(terms));
}

std::string Dim::str() const {
  if (terms_.empty())
    return "0";
  std::string out;
  for (size_t i = 0; i < terms_.size(); ++i) {
    const Term &t = terms_[i];
    int64_t c = t.coeff;
    bool negative = c < 0;
    if (i > 0)
      out += negative ? " - " : " + ";
    else if (negative)
      out += "-";
    uint64_t magnitude = negative ? 0 - uint64_t(c) : uint64_t(c);
    std::string product;
    for (const std::string &s : t.symbols)
      product += (product.empty() ? "" : "*") + s;
    if (product.empty())
      out += std::to_string(magnitude);
    else if (magnitude == 1)
      out += product;
    else
      out += fmt::format("{}*{}", magnitude, product);
  }
  return out;
}

std::optional<int64_t> Dim::evaluate(const std::map<std::string, int64_t> &bindings) const {
  int64_t total = 0;
  for (const Term &t : terms_) {
    int64_t value = t.coeff;
    for (const std::string &s : t.symbols) {
      auto it = bindings.find(s);
      if (it == bindings.end() || __builtin_mul_overflow(value, it->second, &value))
        return std::nullopt;
    }
    if (__builtin_add_overflow(total, value, &total))
      return std::nullopt;
  }
  return total;
}

std::vector<std::string> Dim::symbols() const {
  std::vector<std::string> out;
  for (const Term &t : terms_)
    out.insert(out.end(), t.symbols.begin(), t.symbols.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string shapeString(const Shape &shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    out += (i ? ", " : "") + shape[i].str();
  return out + "]";
}

std::optional<int64_t> knownElementCount(const Shape &shape) {
  int64_t n = 1;
  for (const Dim &d : shape) {
    auto c = d.asConstant();
    if (!c || __builtin_mul_overflow(n, *c, &n))
      return std::nullopt;
  }
  return n;
}

std::optional<Dim> elementCount(const Shape &shape) {
  Dim n = 1;
  for (const Dim &d : shape) {
    auto next = Dim::mul(n, d);
    if (!next)
      return std::nullopt;
    n = *next;
  }
  return n;
}

std::vector<std::pair<int64_t, std::vector<std::string>>> Dim::terms() const {
  std::vector<std::pair<int64_t, std::vector<std::string>>> out;
  for (const Term &t : terms_)
    out.emplace_back(t.coeff, t.symbols);
  return out;
}

} // namespace lamina
