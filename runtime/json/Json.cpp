#include "lamina/Json.h"

#include "runtime/io/JsonText.h"
#include "runtime/json/JsonParser.h"
#include "runtime/support/Boundary.h"
#include "runtime/support/Report.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>

namespace lamina {

Json Json::boolean(bool value) {
  Json j;
  j.kind_ = Kind::Bool;
  j.bool_ = value;
  return j;
}

Json Json::number(double value) {
  Json j;
  j.kind_ = Kind::Number;
  j.number_ = value;
  return j;
}

Json Json::integer(int64_t value) {
  Json j = number(double(value));
  j.isInteger_ = true;
  j.integer_ = value;
  return j;
}

Json Json::string(std::string value) {
  Json j;
  j.kind_ = Kind::String;
  j.string_ = std::move(value);
  return j;
}

Json Json::array(std::vector<Json> items) {
  Json j;
  j.kind_ = Kind::Array;
  j.items_ = std::move(items);
  return j;
}

Json Json::object() {
  Json j;
  j.kind_ = Kind::Object;
  return j;
}

Json Json::parse(std::string_view text, std::string_view name) {
  return guarded("Json::parse", [&]() -> Json {
    SourceFile file{std::string(name), std::string(text)};
    ReportCollector collector;
    DiagnosticEngine diags(collector);
    std::optional<Json> value = parseJson(file, diags);
    if (!value)
      collector.raise();
    return std::move(*value);
  });
}

std::optional<int64_t> Json::asInt() const {
  if (kind_ != Kind::Number)
    return std::nullopt;
  if (isInteger_)
    return integer_;
  // 2.0 or 1e3 written as a float is still an integer, as Python's json reads it after int().
  if (std::isfinite(number_) && std::trunc(number_) == number_ && std::fabs(number_) < 9.2e18)
    return int64_t(number_);
  return std::nullopt;
}

const Json *Json::find(std::string_view key) const {
  for (const auto &[name, value] : members_)
    if (name == key)
      return &value;
  return nullptr;
}

Json &Json::set(std::string key, Json value) {
  return guarded("Json::set", [&]() -> Json & {
    for (auto &[name, existing] : members_)
      if (name == key) {
        existing = std::move(value);
        return *this;
      }
    members_.emplace_back(std::move(key), std::move(value));
    return *this;
  });
}

Json &Json::push(Json value) {
  return guarded("Json::push", [&]() -> Json & {
    items_.push_back(std::move(value));
    return *this;
  });
}

namespace {

bool isScalar(const Json &j) { return !j.isArray() && !j.isObject(); }

void dumpTo(std::string &out, const Json &j, int indent, int level) {
  auto newline = [&](int depth) {
    if (indent >= 0) {
      out += '\n';
      out.append(size_t(indent * depth), ' ');
    }
  };
  switch (j.kind()) {
  case Json::Kind::Null:
    out += "null";
    return;
  case Json::Kind::Bool:
    out += j.asBool() ? "true" : "false";
    return;
  case Json::Kind::Number:
    if (auto i = j.asInt(); i && std::fabs(j.asDouble()) < 1e15)
      out += fmt::format("{}", *i);
    else if (std::isfinite(j.asDouble()))
      out += fmt::format("{}", j.asDouble());
    else // JSON has none; Python's json module (and so Keras) writes and reads these
      out += std::isnan(j.asDouble()) ? "NaN" : j.asDouble() > 0 ? "Infinity" : "-Infinity";
    return;
  case Json::Kind::String:
    io::appendJsonString(out, j.asString());
    return;
  case Json::Kind::Array: {
    // Shapes and short lists of numbers read best on one line.
    bool flat = std::all_of(j.items().begin(), j.items().end(), isScalar);
    out += '[';
    for (size_t k = 0; k < j.items().size(); ++k) {
      if (k)
        out += flat || indent < 0 ? (indent < 0 ? "," : ", ") : ",";
      if (!flat)
        newline(level + 1);
      dumpTo(out, j.items()[k], indent, level + 1);
    }
    if (!flat && !j.items().empty())
      newline(level);
    out += ']';
    return;
  }
  case Json::Kind::Object:
    out += '{';
    for (size_t k = 0; k < j.members().size(); ++k) {
      if (k)
        out += ',';
      newline(level + 1);
      io::appendJsonString(out, j.members()[k].first);
      out += indent < 0 ? ":" : ": ";
      dumpTo(out, j.members()[k].second, indent, level + 1);
    }
    if (!j.members().empty())
      newline(level);
    out += '}';
    return;
  }
}

} // namespace

std::string Json::dump(int indent) const {
  return guarded("Json::dump", [&]() -> std::string {
    std::string out;
    dumpTo(out, *this, indent, 0);
    return out;
  });
}

bool operator==(const Json &a, const Json &b) {
  if (a.kind_ != b.kind_)
    return false;
  switch (a.kind_) {
  case Json::Kind::Null:
    return true;
  case Json::Kind::Bool:
    return a.bool_ == b.bool_;
  case Json::Kind::Number:
    return a.asInt() && b.asInt() ? *a.asInt() == *b.asInt() : a.number_ == b.number_;
  case Json::Kind::String:
    return a.string_ == b.string_;
  case Json::Kind::Array:
    return a.items_ == b.items_;
  case Json::Kind::Object:
    return a.members_ == b.members_;
  }
  return false;
}

} // namespace lamina
