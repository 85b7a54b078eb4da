#include "runtime/io/JsonReader.h"

#include "compiler/diag/Utf8.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <unordered_map>

namespace lamina::io {

std::optional<int64_t> JsonNumber::asInt64() const {
  if (!magnitude)
    return std::nullopt;
  if (negative && *magnitude <= uint64_t(INT64_MAX) + 1)
    return int64_t(0 - *magnitude); // two's complement: 2^63 becomes INT64_MIN
  if (!negative && *magnitude <= uint64_t(INT64_MAX))
    return int64_t(*magnitude);
  return std::nullopt;
}

namespace {

// A recursive-descent reader over the raw bytes. Every method that reads returns false at the
// first error, which it has recorded in error_.
class Reader {
public:
  Reader(std::string_view text, JsonHandler &handler, const JsonReadOptions &options)
      : text_(text), handler_(handler), options_(options) {}

  JsonError read() {
    if (text_.size() > options_.limits.maxBytes) {
      error_.kind = JsonError::Kind::TooLarge;
      error_.message = "the text is " + std::to_string(text_.size()) +
                       " bytes, more than the limit of " + std::to_string(options_.limits.maxBytes);
      return std::move(error_);
    }
    if (options_.byteOrderMark && text_.substr(0, 3) == "\xEF\xBB\xBF")
      pos_ = 3;
    skipSpace();
    if (!readValue(0))
      return std::move(error_);
    skipSpace();
    if (pos_ != text_.size()) {
      fail(pos_, "unexpected text after the value");
      return std::move(error_);
    }
    return {};
  }

private:
  bool fail(size_t at, std::string what, size_t length = 1,
            JsonError::Kind kind = JsonError::Kind::Syntax) {
    error_.kind = kind;
    error_.at = std::min(at, text_.size());
    error_.length = std::min(at + length, text_.size()) - error_.at;
    error_.message = std::move(what);
    return false;
  }

  /// An event's answer: false stops the reading.
  bool handled(bool ok) {
    if (!ok)
      error_.kind = JsonError::Kind::Stopped;
    return ok;
  }

  void skipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }

  std::string describe(size_t at) const {
    unsigned char c = static_cast<unsigned char>(text_[at]);
    char out[16];
    if (c >= 0x20 && c < 0x7f)
      std::snprintf(out, sizeof out, "`%c`", c);
    else
      std::snprintf(out, sizeof out, "byte 0x%02x", c);
    return out;
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word)
      return false;
    pos_ += word.size();
    return true;
  }

  bool readValue(unsigned depth) {
    if (pos_ >= text_.size())
      return fail(pos_, "unexpected end of input; expected a value", 0);
    size_t start = pos_;
    char c = text_[pos_];
    if (c == '{' || c == '[') {
      if (depth + 1 > options_.limits.maxDepth)
        return fail(pos_,
                    "nests deeper than the limit of " + std::to_string(options_.limits.maxDepth) +
                        " levels",
                    1, JsonError::Kind::TooDeep);
      return c == '{' ? readObject(depth + 1) : readArray(depth + 1);
    }
    if (c == '"') {
      std::string value;
      std::vector<uint32_t> offsets;
      if (!readString(value, options_.stringOffsets ? &offsets : nullptr))
        return false;
      return handled(handler_.string(std::move(value), std::move(offsets), start, pos_));
    }
    if (options_.pythonNonFinite &&
        (literal("NaN") || literal("Infinity") || literal("-Infinity"))) {
      JsonNumber n;
      n.text = text_.substr(start, pos_ - start);
      n.negative = c == '-';
      n.value = c == 'N'     ? std::numeric_limits<double>::quiet_NaN()
                : n.negative ? -std::numeric_limits<double>::infinity()
                             : std::numeric_limits<double>::infinity();
      return handled(handler_.number(n, start, pos_));
    }
    if (c == '-' || (c >= '0' && c <= '9'))
      return readNumber();
    if (literal("true"))
      return handled(handler_.boolean(true, start, pos_));
    if (literal("false"))
      return handled(handler_.boolean(false, start, pos_));
    if (literal("null"))
      return handled(handler_.null(start, pos_));
    return fail(pos_, describe(pos_) + " is not the start of a JSON value");
  }

  bool readNumber() {
    size_t start = pos_;
    auto digits = [&] {
      size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9')
        ++pos_;
      return pos_ > from;
    };
    JsonNumber n;
    n.negative = text_[pos_] == '-';
    if (n.negative)
      ++pos_;
    size_t intStart = pos_;
    if (!digits())
      return fail(start, "a number needs digits");
    size_t intEnd = pos_;
    if (text_[intStart] == '0' && intEnd - intStart > 1)
      return fail(start, "numbers do not start with 0", pos_ - start);
    n.integral = true;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      n.integral = false;
      if (!digits())
        return fail(start, "a `.` must be followed by digits", pos_ - start);
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      n.integral = false;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-'))
        ++pos_;
      if (!digits())
        return fail(start, "an exponent needs digits", pos_ - start);
    }
    n.text = text_.substr(start, pos_ - start);
    const char *first = n.text.data(), *last = first + n.text.size();
    auto [p, ec] = std::from_chars(first, last, n.value);
    if (ec == std::errc::result_out_of_range) {
      // from_chars reports underflow the same way; a tiny number is just 0 or subnormal.
      if (!isTiny(n.text))
        return fail(start, "`" + std::string(n.text) + "` is too large for a double", pos_ - start);
      n.value = std::strtod(std::string(n.text).c_str(), nullptr);
    } else if (ec != std::errc() || p != last) {
      return fail(start, "not a number", pos_ - start);
    }
    if (n.integral) {
      uint64_t magnitude = 0;
      auto [q, uec] = std::from_chars(text_.data() + intStart, text_.data() + intEnd, magnitude);
      if (uec == std::errc() && q == text_.data() + intEnd)
        n.magnitude = magnitude;
    }
    return handled(handler_.number(n, start, pos_));
  }

  static bool isTiny(std::string_view number) {
    size_t e = number.find_first_of("eE");
    return e != std::string_view::npos && e + 1 < number.size() && number[e + 1] == '-';
  }

  bool hex4(size_t at, unsigned &value) const {
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

  // A string at pos_ (the opening quote).
  bool readString(std::string &out, std::vector<uint32_t> *offsets) {
    size_t open = pos_++;
    while (true) {
      if (pos_ >= text_.size())
        return fail(open, "string is not closed");
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      size_t at = pos_;
      if (c == '"') {
        ++pos_;
        if (offsets)
          offsets->push_back(uint32_t(at));
        return true;
      }
      if (c < 0x20)
        return fail(at, describe(at) + " must be escaped inside a string");
      size_t before = out.size();
      if (c == '\\') {
        if (!readEscape(out))
          return false;
      } else {
        size_t n = utf8SequenceLength(text_, at);
        if (n == 0)
          return fail(at, "the string is not valid UTF-8");
        out.append(text_.substr(at, n));
        pos_ += n;
      }
      if (offsets)
        offsets->insert(offsets->end(), out.size() - before, uint32_t(at));
    }
  }

  bool readEscape(std::string &out) {
    size_t at = pos_;
    if (at + 1 >= text_.size())
      return fail(at, "string is not closed");
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
      return fail(at, "`\\" + std::string(1, e) + "` is not a JSON escape", 2);
    }
    unsigned cp = 0;
    if (!hex4(pos_, cp))
      return fail(at, "`\\u` needs four hexadecimal digits", 2);
    pos_ += 4;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
      return fail(at, "a low surrogate without a high one", 6);
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      unsigned low = 0;
      if (text_.substr(pos_, 2) != "\\u" || !hex4(pos_ + 2, low) || low < 0xDC00 || low > 0xDFFF)
        return fail(at, "a high surrogate must be followed by a low one", 6);
      pos_ += 6;
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (cp == 0 && !options_.nulEscape)
      return fail(at, "`\\u0000` (NUL) is not allowed in strings", 6);
    appendUtf8(out, cp);
    return true;
  }

  bool readArray(unsigned depth) {
    size_t open = pos_++;
    if (!handled(handler_.beginArray(open)))
      return false;
    skipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']')
      return handled(handler_.endArray(++pos_));
    while (true) {
      skipSpace();
      if (!readValue(depth))
        return false;
      skipSpace();
      if (pos_ >= text_.size())
        return fail(open, "`[` is never closed");
      if (text_[pos_] == ']')
        return handled(handler_.endArray(++pos_));
      if (text_[pos_] != ',')
        return fail(pos_, "expected `,` or `]`, found " + describe(pos_));
      ++pos_;
    }
  }

  bool readObject(unsigned depth) {
    size_t open = pos_++;
    if (!handled(handler_.beginObject(open)))
      return false;
    skipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}')
      return handled(handler_.endObject(++pos_));
    // Key to where it was: a hash map, so that a hostile object of many keys stays linear.
    std::unordered_map<std::string, size_t> seen;
    while (true) {
      skipSpace();
      if (pos_ >= text_.size())
        return fail(open, "`{` is never closed");
      if (text_[pos_] != '"')
        return fail(pos_, "expected a key in quotes, found " + describe(pos_));
      size_t keyAt = pos_;
      std::string key;
      if (!readString(key, nullptr))
        return false;
      auto [first, inserted] = seen.emplace(key, keyAt);
      if (!inserted) {
        fail(keyAt, "key \"" + key + "\" appears twice", pos_ - keyAt,
             JsonError::Kind::DuplicateKey);
        error_.key = std::move(key);
        error_.firstAt = first->second;
        return false;
      }
      if (!handled(handler_.key(std::move(key), keyAt, pos_)))
        return false;
      skipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':')
        return fail(pos_, "expected `:` after the key");
      ++pos_;
      skipSpace();
      if (!readValue(depth))
        return false;
      skipSpace();
      if (pos_ >= text_.size())
        return fail(open, "`{` is never closed");
      if (text_[pos_] == '}')
        return handled(handler_.endObject(++pos_));
      if (text_[pos_] != ',')
        return fail(pos_, "expected `,` or `}`, found " + describe(pos_));
      ++pos_;
    }
  }

  std::string_view text_;
  JsonHandler &handler_;
  const JsonReadOptions &options_;
  size_t pos_ = 0;
  JsonError error_;
};

} // namespace

JsonError readJson(std::string_view text, JsonHandler &handler, const JsonReadOptions &options) {
  return Reader(text, handler, options).read();
}

} // namespace lamina::io
