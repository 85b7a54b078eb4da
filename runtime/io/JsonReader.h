#pragma once

// lamina's one JSON reader. It reads strictly (RFC 8259, strict UTF-8, no duplicate keys) and
// reports what it reads as events, so that each caller keeps only what it needs: the config
// loader builds a Json tree from them (runtime/json), the .safetensors reader checks them
// against its schema as they arrive and stores nothing else. Recursion is bounded by the
// depth limit, checked before descending, and the size limit is checked before anything is
// read: hostile text costs one error, never the stack or memory beyond the text's size.
// Internal to lamina; JsonText.h is the writing side.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lamina::io {

struct JsonLimits {
  size_t maxBytes = size_t(16) << 20; // docs/embedding.md, "Limits"
  unsigned maxDepth = 64;
};

/// How a text is read. The defaults are those of model configs; strict() is RFC 8259 alone,
/// for files from other tools' strict writers.
struct JsonReadOptions {
  JsonLimits limits;
  /// NaN, Infinity and -Infinity as numbers: Python's json module writes them (Keras configs
  /// hold them in `arguments`).
  bool pythonNonFinite = true;
  /// A UTF-8 byte-order mark before the value, as Windows editors write.
  bool byteOrderMark = true;
  /// `\u0000` in strings. Config strings become names that reach C strings, so configs
  /// refuse it; serde_json (the safetensors reference) writes and reads it.
  bool nulEscape = false;
  /// Whether string events carry where each decoded byte came from (for errors located inside
  /// a string, such as a lambda's); it costs four bytes per byte of string.
  bool stringOffsets = true;

  static JsonReadOptions strict(JsonLimits limits) {
    JsonReadOptions o;
    o.limits = limits;
    o.pythonNonFinite = false;
    o.byteOrderMark = false;
    o.nulEscape = true;
    o.stringOffsets = false;
    return o;
  }
};

/// A number as written, with what each reader may need of it.
struct JsonNumber {
  std::string_view text; // as written, e.g. "-0", "1e3", "18446744073709551615"
  double value = 0;      // the nearest double; NaN or an infinity for Python's words
  bool integral = false; // written without a fraction or an exponent
  bool negative = false; // written with a minus sign, "-0" included
  /// The exact absolute value when integral and below 2^64, where a double is exact only up
  /// to 2^53 (safetensors data offsets go up to 2^64 - 1).
  std::optional<uint64_t> magnitude;

  /// The value when integral and within int64's range ("-0" is 0).
  std::optional<int64_t> asInt64() const;
};

/// Receives what the reader reads, in text order. Offsets are byte offsets into the text; a
/// value's `end` is one past its last byte. Each event returns false to stop the reading
/// there (readJson then returns JsonError::Kind::Stopped and the handler knows why).
class JsonHandler {
public:
  virtual ~JsonHandler() = default;
  virtual bool null(size_t begin, size_t end) = 0;
  virtual bool boolean(bool value, size_t begin, size_t end) = 0;
  virtual bool number(const JsonNumber &value, size_t begin, size_t end) = 0;
  /// `offsets`, when the options keep them: the text offset of each byte of `value` (a whole
  /// escape maps to its backslash), then that of the closing quote. Empty otherwise.
  virtual bool string(std::string &&value, std::vector<uint32_t> &&offsets, size_t begin,
                      size_t end) = 0;
  virtual bool beginObject(size_t at) = 0;
  /// A member's key, once the reader knows that its object has no earlier key of that name.
  virtual bool key(std::string &&name, size_t begin, size_t end) = 0;
  virtual bool endObject(size_t end) = 0;
  virtual bool beginArray(size_t at) = 0;
  virtual bool endArray(size_t end) = 0;
};

/// Why reading stopped, if it did.
struct JsonError {
  enum class Kind : uint8_t {
    None,
    TooLarge,     // the text is longer than limits.maxBytes (checked before reading)
    Syntax,       // not JSON, invalid UTF-8 or escapes, a number too large for a double
    TooDeep,      // an array or object deeper than limits.maxDepth
    DuplicateKey, // an object has a key twice
    Stopped,      // the handler returned false
  };
  Kind kind = Kind::None;
  size_t at = 0, length = 0; // the bytes of the text the error is about
  std::string message;       // what is wrong, in words (not for Stopped)
  std::string key;           // DuplicateKey: the key, decoded
  size_t firstAt = 0;        // DuplicateKey: where the object has it first

  explicit operator bool() const { return kind != Kind::None; }
};

/// Reads the whole of `text` (one value, with whitespace around it only), reporting it to
/// `handler`. Stops at the first error.
JsonError readJson(std::string_view text, JsonHandler &handler,
                   const JsonReadOptions &options = {});

} // namespace lamina::io
