#pragma once

// A JSON value, as model configs are written in: objects keep their members in file order
// (configs are diffed and read by people), numbers keep whether they were integers, and a
// value parsed from a file remembers where it was so that errors point at it.

#include "lamina/Export.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lamina {

class LAMINA_API Json {
public:
  enum class Kind : uint8_t { Null, Bool, Number, String, Array, Object };

  Json() = default; // null
  static Json boolean(bool value);
  static Json number(double value);
  static Json integer(int64_t value);
  static Json string(std::string value);
  static Json array(std::vector<Json> items = {});
  static Json object();

  /// Parses `text`; throws lamina::Error (code E0801–E0803, with `name:line:col`) when it is
  /// not JSON, is larger than 16 MiB or nests deeper than 64 levels.
  static Json parse(std::string_view text, std::string_view name = "<json>");

  Kind kind() const { return kind_; }
  bool isNull() const { return kind_ == Kind::Null; }
  bool isBool() const { return kind_ == Kind::Bool; }
  bool isNumber() const { return kind_ == Kind::Number; }
  bool isString() const { return kind_ == Kind::String; }
  bool isArray() const { return kind_ == Kind::Array; }
  bool isObject() const { return kind_ == Kind::Object; }

  bool asBool() const { return bool_; }
  double asDouble() const { return number_; }
  /// Whether the number was written (or built) as an integer: `2`, not `2.0`.
  bool isInteger() const { return kind_ == Kind::Number && isInteger_; }
  /// The value when it is a number that is an integer in int64's range.
  std::optional<int64_t> asInt() const;
  const std::string &asString() const { return string_; }
  const std::vector<Json> &items() const { return items_; }
  const std::vector<std::pair<std::string, Json>> &members() const { return members_; }

  /// The member named `key` of an object, or nullptr.
  const Json *find(std::string_view key) const;
  /// Adds or replaces a member (objects); returns *this.
  Json &set(std::string key, Json value);
  /// Appends an item (arrays); returns *this.
  Json &push(Json value);

  /// Text with `indent` spaces per level (arrays of scalars stay on one line), or compact
  /// text when `indent` is negative. Integers print as integers, other numbers as the
  /// shortest text that reads back as the same double.
  std::string dump(int indent = 2) const;

  /// Where a parsed value was: byte offsets into the parsed text (0, 0 for built values).
  uint32_t begin() const { return begin_; }
  uint32_t end() const { return end_; }
  /// For a parsed string: the offset in the text of each byte of asString(), and one past
  /// the last (escapes make the two differ). Empty for built values.
  const std::vector<uint32_t> &stringOffsets() const { return offsets_; }

  friend bool operator==(const Json &a, const Json &b); // by value, ignoring positions

private:
  friend class JsonParser;
  Kind kind_ = Kind::Null;
  bool bool_ = false;
  bool isInteger_ = false;
  int64_t integer_ = 0;
  double number_ = 0;
  std::string string_;
  std::vector<Json> items_;
  std::vector<std::pair<std::string, Json>> members_;
  uint32_t begin_ = 0, end_ = 0;
  std::vector<uint32_t> offsets_;
};

} // namespace lamina
