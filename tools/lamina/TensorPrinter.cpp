// NumPy's array2string (numpy/core/arrayprint.py), re-expressed: the format of every element
// is chosen from the elements that are shown, then _formatArray's layout nests and wraps them.

#include "tools/lamina/TensorPrinter.h"

#include "compiler/types/Elements.h"
#include "compiler/types/Type.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>

namespace lamina::cli {
namespace {

// Display columns of UTF-8 text: every code point here (digits, `…`) is one column wide.
size_t columns(const std::string &s) {
  size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  return n;
}

std::string rstrip(std::string s) {
  while (!s.empty() && s.back() == ' ')
    s.pop_back();
  return s;
}

// Whether decimal text reads back as exactly `v` in `dtype` (f32 parsed directly, so no
// double rounding; f16/bf16 through the compiler's own rounding).
bool readsBackAs(const std::string &text, double v, DType dtype) {
  if (dtype == DType::F32)
    return double(std::strtof(text.c_str(), nullptr)) == v;
  double parsed = std::strtod(text.c_str(), nullptr);
  return dtype == DType::F64 ? parsed == v : roundToFloat(dtype, parsed) == v;
}

// NumPy's dragon4 with unique=True, a precision cap and trim='.': the fewest digits (at most
// `precision`) after the point that identify the value, else the value rounded to `precision`
// digits with trailing zeros removed. The point is always kept (`1.`).
std::string uniqueDigits(double v, DType dtype, int precision, bool scientific) {
  std::string s;
  bool found = false;
  for (int d = 0; d <= precision && !found; ++d) {
    s = scientific ? fmt::format("{:.{}e}", v, d) : fmt::format("{:.{}f}", v, d);
    found = readsBackAs(s, v, dtype);
  }
  size_t e = scientific ? s.find('e') : s.size();
  std::string mantissa = s.substr(0, e), exponent = s.substr(e);
  if (mantissa.find('.') == std::string::npos) {
    mantissa += '.';
  } else if (!found) {
    while (mantissa.back() == '0')
      mantissa.pop_back();
  }
  return mantissa + exponent;
}

using ElementFormat = std::function<std::string(int64_t)>;

ElementFormat floatFormat(const Array &a, const std::vector<int64_t> &shown, int precision) {
  std::vector<double> finite;
  bool anyNonFinite = false, negInf = false;
  for (int64_t k : shown) {
    double v = loadFloat(a, k);
    if (std::isfinite(v))
      finite.push_back(v);
    else
      anyNonFinite = true, negInf = negInf || (std::isinf(v) && v < 0);
  }
  // NumPy's rule for exponent notation, on the non-zero finite values.
  bool scientific = false;
  double maxAbs = 0, minAbs = INFINITY;
  for (double v : finite)
    if (v != 0)
      maxAbs = std::max(maxAbs, std::fabs(v)), minAbs = std::min(minAbs, std::fabs(v));
  if (maxAbs > 0)
    scientific = maxAbs >= 1e8 || minAbs < 0.0001 || maxAbs / minAbs > 1000.;

  size_t padLeft = 0, padRight = 0, expSize = 0;
  int digits = precision;
  for (double v : finite) {
    std::string s = uniqueDigits(v, a.dtype, precision, scientific);
    size_t point = s.find('.'), e = s.find('e');
    padLeft = std::max(padLeft, point);
    size_t frac = (e == std::string::npos ? s.size() : e) - point - 1;
    padRight = std::max(padRight, frac);
    if (e != std::string::npos)
      expSize = std::max(expSize, s.size() - e - 2); // digits after "e+"
  }
  if (scientific) {
    digits = int(padRight); // every mantissa gets as many digits as the longest one needs
    padRight = expSize + 2 + size_t(digits);
  }
  if (anyNonFinite) {
    size_t offset = padRight + 1;
    size_t infLen = 3 + (negInf ? 1 : 0);
    padLeft =
        std::max({padLeft, 3 > offset ? 3 - offset : 0, infLen > offset ? infLen - offset : 0});
  }
  DType dtype = a.dtype;
  return [&a, dtype, precision, scientific, padLeft, padRight, expSize, digits](int64_t k) {
    double v = loadFloat(a, k);
    std::string s;
    if (!std::isfinite(v)) {
      s = std::isnan(v) ? "nan" : v < 0 ? "-inf" : "inf";
      return std::string(padLeft + padRight + 1 - std::min(s.size(), padLeft + padRight + 1), ' ') +
             s;
    }
    s = uniqueDigits(v, dtype, precision, scientific);
    size_t point = s.find('.');
    std::string intPart = s.substr(0, point);
    std::string out = std::string(padLeft - std::min(padLeft, intPart.size()), ' ') + intPart;
    if (scientific) {
      size_t e = s.find('e');
      std::string frac = s.substr(point + 1, e - point - 1);
      frac.resize(size_t(digits), '0'); // NumPy pads the unique digits with zeros
      std::string sign = s.substr(e + 1, 1), exp = s.substr(e + 2);
      if (exp.size() < expSize)
        exp.insert(0, expSize - exp.size(), '0');
      return out + "." + frac + "e" + sign + exp;
    }
    std::string frac = s.substr(point + 1);
    return out + "." + frac + std::string(padRight - std::min(padRight, frac.size()), ' ');
  };
}

ElementFormat intFormat(const Array &a, const std::vector<int64_t> &shown) {
  // A u64 at or above 2^63 is carried as a negative int64: print it unsigned.
  auto text = [&a](int64_t k) {
    int64_t v = loadInt(a, k);
    return a.dtype == DType::U64 ? fmt::format("{}", uint64_t(v)) : fmt::format("{}", v);
  };
  size_t width = 0;
  for (int64_t k : shown)
    width = std::max(width, text(k).size());
  return [text, width](int64_t k) { return fmt::format("{:>{}}", text(k), width); };
}

ElementFormat boolFormat(const Array &a) {
  std::string truth = a.shape.empty() ? "True" : " True";
  return [&a, truth](int64_t k) { return loadInt(a, k) ? truth : std::string("False"); };
}

class Layout {
public:
  Layout(const Array &a, const PrintOptions &options, bool summarize, ElementFormat format)
      : a_(a), options_(options), summarize_(summarize), format_(std::move(format)),
        strides_(a.shape.size(), 1) {
    for (size_t d = a.shape.size(); d-- > 1;)
      strides_[d - 1] = strides_[d] * a.shape[d];
  }

  std::string render() { return recurse(0, 0, " ", options_.lineWidth); }

private:
  // _extendLine: wrap before `word` when the line would overflow, unless wrapping cannot help.
  void extend(std::string &s, std::string &line, const std::string &word, size_t width,
              const std::string &prefix) const {
    bool wrap = columns(line) + columns(word) > width && columns(line) > columns(prefix);
    if (wrap) {
      s += rstrip(line) + "\n";
      line = prefix;
    }
    line += word;
  }

  std::string recurse(size_t axis, int64_t offset, const std::string &hanging, size_t width) {
    if (axis == a_.shape.size())
      return format_(offset);
    std::string nextHanging = hanging + " ";
    size_t nextWidth = width - 1;
    int64_t n = a_.shape[axis];
    bool summary = summarize_ && 2 * options_.edgeItems < n;
    int64_t leading = summary ? options_.edgeItems : 0;
    int64_t trailing = summary ? options_.edgeItems : n;
    auto child = [&](int64_t i) {
      return recurse(axis + 1, offset + i * strides_[axis], nextHanging, nextWidth);
    };
    const std::string separator = ", ";
    std::string s;
    size_t axesLeft = a_.shape.size() - axis;
    if (axesLeft == 1) {
      size_t elementWidth = width - 1; // room for the `,` or the `]`
      std::string line = hanging;
      for (int64_t i = 0; i < leading; ++i) {
        extend(s, line, child(i), elementWidth, hanging);
        line += separator;
      }
      if (summary) {
        extend(s, line, "…", elementWidth, hanging);
        line += separator;
      }
      for (int64_t i = trailing; i > 1; --i) {
        extend(s, line, child(n - i), elementWidth, hanging);
        line += separator;
      }
      extend(s, line, child(n - 1), elementWidth, hanging);
      s += line;
    } else {
      std::string lineSeparator = "," + std::string(axesLeft - 1, '\n');
      for (int64_t i = 0; i < leading; ++i)
        s += hanging + child(i) + lineSeparator;
      if (summary)
        s += hanging + "…" + lineSeparator;
      for (int64_t i = trailing; i > 1; --i)
        s += hanging + child(n - i) + lineSeparator;
      s += hanging + child(n - 1);
    }
    return "[" + s.substr(hanging.size()) + "]";
  }

  const Array &a_;
  const PrintOptions &options_;
  bool summarize_;
  ElementFormat format_;
  std::vector<int64_t> strides_;
};

// The flat indices of the elements a summarized print shows (all of them otherwise).
std::vector<int64_t> shownElements(const Array &a, bool summarize, int64_t edge) {
  std::vector<int64_t> out{0};
  for (int64_t n : a.shape) {
    std::vector<int64_t> keep;
    for (int64_t i = 0; i < n; ++i)
      if (!summarize || 2 * edge >= n || i < edge || i >= n - edge)
        keep.push_back(i);
    std::vector<int64_t> next;
    for (int64_t base : out)
      for (int64_t i : keep)
        next.push_back(base * n + i);
    out = std::move(next);
  }
  return out;
}

} // namespace

std::string formatValues(const Array &a, const PrintOptions &options) {
  int64_t n = a.elementCount();
  if (n == 0)
    return "[]";
  bool summarize = n > options.threshold;
  std::vector<int64_t> shown = shownElements(a, summarize, options.edgeItems);
  ElementFormat format = a.dtype == DType::Bool ? boolFormat(a)
                         : isFloat(a.dtype)     ? floatFormat(a, shown, options.precision)
                                                : intFormat(a, shown);
  return Layout(a, options, summarize, std::move(format)).render();
}

std::string formatTensor(const Array &a, const PrintOptions &options) {
  TensorType type{a.dtype, {}};
  for (int64_t d : a.shape)
    type.shape.push_back(d);
  return type.str() + "\n" + formatValues(a, options);
}

} // namespace lamina::cli
