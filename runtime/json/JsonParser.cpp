#include "runtime/json/JsonParser.h"

#include "compiler/diag/Utf8.h"

#include <charconv>
#include <cstring>
#include <fmt/format.h>
#include <limits>
#include <unordered_map>

namespace lamina {

// A recursive-descent reader over the raw bytes. Recursion is bounded by limits.maxDepth,
// checked before descending, so hostile nesting costs one diagnostic, not the stack.
class JsonParser {
public:
  JsonParser(const SourceFile &file, DiagnosticEngine &diags, const JsonLimits &limits)
      : file_(file), text_(file.text()), diags_(diags), limits_(limits) {}

  std::optional<Json> parseDocument() {
    if (text_.size() > limits_.maxBytes) {
      diags_.report(DiagKind::ConfigTooLarge, file_, SourceRange{0, 0}, limits_.maxBytes);
      return std::nullopt;
    }
    if (text_.substr(0, 3) == "\xEF\xBB\xBF")
      pos_ = 3; // a UTF-8 byte-order mark, as Windows editors write
    skipSpace();
    Json value;
    if (!parseValue(value, 0))
      return std::nullopt;
    skipSpace();
    if (pos_ != text_.size())
      return fail(pos_, "unexpected text after the value");
    return value;
  }

private:
  std::nullopt_t fail(size_t at, const std::string &what, size_t length = 1) {
    uint32_t begin = uint32_t(std::min(at, text_.size()));
    uint32_t end = uint32_t(std::min(at + length, text_.size()));
    diags_.report(DiagKind::JsonSyntax, file_, SourceRange{begin, end}, what);
    return std::nullopt;
  }

  void skipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }

  bool parseValue(Json &out, unsigned depth) {
    if (pos_ >= text_.size()) {
      fail(pos_, "unexpected end of input; expected a value", 0);
      return false;
    }
    size_t start = pos_;
    char c = text_[pos_];
    bool ok = false;
    if (c == '{' || c == '[') {
      if (depth + 1 > limits_.maxDepth) {
        diags_.report(DiagKind::JsonTooDeep, file_, SourceRange{uint32_t(pos_), uint32_t(pos_ + 1)},
                      limits_.maxDepth);
        return false;
      }
      ok = c == '{' ? parseObject(out, depth + 1) : parseArray(out, depth + 1);
    } else if (c == '"') {
      out.kind_ = Json::Kind::String;
      ok = parseString(out.string_, &out.offsets_);
    } else if (literal("NaN") || literal("Infinity") || literal("-Infinity")) {
      // Python's json module writes these (allow_nan=True, its default): Keras configs hold
      // them in `arguments`.
      out.kind_ = Json::Kind::Number;
      out.number_ = text_[start] == 'N'   ? std::numeric_limits<double>::quiet_NaN()
                    : text_[start] == '-' ? -std::numeric_limits<double>::infinity()
                                          : std::numeric_limits<double>::infinity();
      ok = true;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      ok = parseNumber(out);
    } else if (literal("true")) {
      out.kind_ = Json::Kind::Bool;
      out.bool_ = true;
      ok = true;
    } else if (literal("false")) {
      out.kind_ = Json::Kind::Bool;
      ok = true;
    } else if (literal("null")) {
      ok = true;
    } else {
      fail(pos_, describe(pos_) + " is not the start of a JSON value");
    }
    out.begin_ = uint32_t(start);
    out.end_ = uint32_t(pos_);
    return ok;
  }

  std::string describe(size_t at) const {
    unsigned char c = static_cast<unsigned char>(text_[at]);
    if (c >= 0x20 && c < 0x7f)
      return fmt::format("`{}`", char(c));
    return fmt::format("byte 0x{:02x}", c);
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word)
      return false;
    pos_ += word.size();
    return true;
  }

  bool parseNumber(Json &out) {
    size_t start = pos_;
    auto digits = [&] {
      size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9')
        ++pos_;
      return pos_ > from;
    };
    if (text_[pos_] == '-')
      ++pos_;
    size_t intStart = pos_;
    if (!digits()) {
      fail(start, "a number needs digits");
      return false;
    }
    if (text_[intStart] == '0' && pos_ - intStart > 1) {
      fail(start, "numbers do not start with 0", pos_ - start);
      return false;
    }
    bool integral = true;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      integral = false;
      if (!digits()) {
        fail(start, "a `.` must be followed by digits", pos_ - start);
        return false;
      }
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      integral = false;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-'))
        ++pos_;
      if (!digits()) {
        fail(start, "an exponent needs digits", pos_ - start);
        return false;
      }
    }
    const char *first = text_.data() + start, *last = text_.data() + pos_;
    out.kind_ = Json::Kind::Number;
    auto [p, ec] = std::from_chars(first, last, out.number_);
    if (ec == std::errc::result_out_of_range) {
      // from_chars reports underflow the same way; a tiny number is just 0 or subnormal.
      if (!isTiny(std::string_view(first, size_t(last - first)))) {
        fail(start, fmt::format("`{}` is too large for a double", std::string_view(first, last)),
             pos_ - start);
        return false;
      }
      out.number_ = std::strtod(std::string(first, last).c_str(), nullptr);
    } else if (ec != std::errc() || p != last) {
      fail(start, "not a number", pos_ - start);
      return false;
    }
    if (integral) {
      int64_t value = 0;
      auto [q, iec] = std::from_chars(first, last, value);
      if (iec == std::errc() && q == last) {
        out.isInteger_ = true;
        out.integer_ = value;
      }
    }
    return true;
  }

  static bool isTiny(std::string_view number) {
    size_t e = number.find_first_of("eE");
    return e != std::string_view::npos && e + 1 < number.size() && number[e + 1] == '-';
  }

  bool hex4(size_t at, unsigned &value) {
    if (at + 4 > text_.size())
      return false;
    value = 0;
    for (size_t k = at; k < at + 4; ++k) {
      char h = text_[k];
      unsigned d = h >= '0' && h <= '9'   ? unsigned(h - '0')
                   : h >= 'a' && h <= 'f' ? unsigned(h - 'a' + 10)
                   : h >= 'A' && h <= 'F' ? unsigned(h - 'A' + 10)
                                          : 16u;
      if (d == 16)
        return false;
      value = value * 16 + d;
    }
    return true;
  }

  static void appendUtf8(std::string &out, unsigned cp) {
    if (cp < 0x80) {
      out += char(cp);
    } else if (cp < 0x800) {
      out += char(0xC0 | (cp >> 6));
      out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += char(0xE0 | (cp >> 12));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    } else {
      out += char(0xF0 | (cp >> 18));
      out += char(0x80 | ((cp >> 12) & 0x3F));
      out += char(0x80 | ((cp >> 6) & 0x3F));
      out += char(0x80 | (cp & 0x3F));
    }
  }

  // A string at pos_ (the opening quote). `offsets` receives, for every decoded byte, the
  // offset of the text it came from: a whole escape maps to its backslash.
  bool parseString(std::string &out, std::vector<uint32_t> *offsets) {
    size_t open = pos_++;
    while (true) {
      if (pos_ >= text_.size()) {
        fail(open, "string is not closed");
        return false;
      }
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      size_t at = pos_;
      if (c == '"') {
        ++pos_;
        if (offsets)
          offsets->push_back(uint32_t(at));
        return true;
      }
      if (c < 0x20) {
        fail(at, fmt::format("{} must be escaped inside a string", describe(at)));
        return false;
      }
      size_t before = out.size();
      if (c == '\\') {
        if (!parseEscape(out))
          return false;
      } else {
        size_t n = utf8SequenceLength(text_, at);
        if (n == 0) {
          fail(at, "the string is not valid UTF-8");
          return false;
        }
        out.append(text_.substr(at, n));
        pos_ += n;
      }
      if (offsets)
        offsets->insert(offsets->end(), out.size() - before, uint32_t(at));
    }
  }

  bool parseEscape(std::string &out) {
    size_t at = pos_;
    if (at + 1 >= text_.size()) {
      fail(at, "string is not closed");
      return false;
    }
    char e = text_[at + 1];
    pos_ += 2;
    switch (e) {
    case '"':
    case '\\':
    case '/':
      out += e;
      return true;
    case 'b':
      out += '\b';
      return true;
    case 'f':
      out += '\f';
      return true;
    case 'n':
      out += '\n';
      return true;
    case 'r':
      out += '\r';
      return true;
    case 't':
      out += '\t';
      return true;
    case 'u':
      break;
    default:
      fail(at, fmt::format("`\\{}` is not a JSON escape", e), 2);
      return false;
    }
    unsigned cp = 0;
    if (!hex4(pos_, cp)) {
      fail(at, "`\\u` needs four hexadecimal digits", 2);
      return false;
    }
    pos_ += 4;
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
      fail(at, "a low surrogate without a high one", 6);
      return false;
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      unsigned low = 0;
      if (text_.substr(pos_, 2) != "\\u" || !hex4(pos_ + 2, low) || low < 0xDC00 || low > 0xDFFF) {
        fail(at, "a high surrogate must be followed by a low one", 6);
        return false;
      }
      pos_ += 6;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (cp == 0) {
      fail(at, "`\\u0000` (NUL) is not allowed in strings", 6);
      return false;
    }
    appendUtf8(out, cp);
    return true;
  }

  bool parseArray(Json &out, unsigned depth) {
    out.kind_ = Json::Kind::Array;
    size_t open = pos_++;
    skipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      skipSpace();
      Json item;
      if (!parseValue(item, depth))
        return false;
      out.items_.push_back(std::move(item));
      skipSpace();
      if (pos_ >= text_.size()) {
        fail(open, "`[` is never closed");
        return false;
      }
      if (text_[pos_] == ']') {
        ++pos_;
        return true;
      }
      if (text_[pos_] != ',') {
        fail(pos_, fmt::format("expected `,` or `]`, found {}", describe(pos_)));
        return false;
      }
      ++pos_;
    }
  }

  bool parseObject(Json &out, unsigned depth) {
    out.kind_ = Json::Kind::Object;
    size_t open = pos_++;
    skipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return true;
    }
    // Key to where it was: a hash map, so that a hostile object of many keys stays linear.
    std::unordered_map<std::string, uint32_t> seen;
    while (true) {
      skipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') {
        if (pos_ >= text_.size())
          fail(open, "`{` is never closed");
        else
          fail(pos_, fmt::format("expected a key in quotes, found {}", describe(pos_)));
        return false;
      }
      uint32_t keyAt = uint32_t(pos_);
      std::string key;
      if (!parseString(key, nullptr))
        return false;
      auto [first, inserted] = seen.emplace(key, keyAt);
      if (!inserted) {
        diags_.emit(makeDiagnostic(DiagKind::JsonSyntax, file_, SourceRange{keyAt, uint32_t(pos_)},
                                   fmt::format("key \"{}\" appears twice", key))
                        .withNote(SourceRange{first->second, first->second + 1}, "first here"));
        return false;
      }
      skipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':') {
        fail(pos_, "expected `:` after the key");
        return false;
      }
      ++pos_;
      skipSpace();
      Json value;
      if (!parseValue(value, depth))
        return false;
      out.members_.emplace_back(std::move(key), std::move(value));
      skipSpace();
      if (pos_ >= text_.size()) {
        fail(open, "`{` is never closed");
        return false;
      }
      if (text_[pos_] == '}') {
        ++pos_;
        return true;
      }
      if (text_[pos_] != ',') {
        fail(pos_, fmt::format("expected `,` or `}}`, found {}", describe(pos_)));
        return false;
      }
      ++pos_;
    }
  }

  const SourceFile &file_;
  std::string_view text_;
  DiagnosticEngine &diags_;
  JsonLimits limits_;
  size_t pos_ = 0;
};

std::optional<Json> parseJson(const SourceFile &file, DiagnosticEngine &diags,
                              const JsonLimits &limits) {
  return JsonParser(file, diags, limits).parseDocument();
}

} // namespace lamina
