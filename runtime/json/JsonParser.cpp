#include "runtime/json/JsonParser.h"

namespace lamina {

// Builds the tree from the reader's events. The containers being read form a stack no deeper
// than the reader's depth limit; a finished value joins the container on top of it.
class JsonParser final : public io::JsonHandler {
public:
  std::optional<Json> take() { return std::move(root_); }

  bool null(size_t begin, size_t end) override { return finish(Json(), begin, end); }

  bool boolean(bool value, size_t begin, size_t end) override {
    return finish(Json::boolean(value), begin, end);
  }

  bool number(const io::JsonNumber &n, size_t begin, size_t end) override {
    Json j = Json::number(n.value);
    if (std::optional<int64_t> i = n.asInt64()) {
      j.isInteger_ = true;
      j.integer_ = *i;
    }
    return finish(std::move(j), begin, end);
  }

  bool string(std::string &&value, std::vector<uint32_t> &&offsets, size_t begin,
              size_t end) override {
    Json j = Json::string(std::move(value));
    j.offsets_ = std::move(offsets);
    return finish(std::move(j), begin, end);
  }

  bool beginObject(size_t at) override { return open(Json::object(), at); }
  bool beginArray(size_t at) override { return open(Json::array(), at); }

  bool key(std::string &&name, size_t, size_t) override {
    open_.back().key = std::move(name);
    return true;
  }

  bool endObject(size_t end) override { return close(end); }
  bool endArray(size_t end) override { return close(end); }

private:
  struct Open {
    Json value;
    std::string key; // objects: the key of the member being read
  };

  bool open(Json container, size_t at) {
    container.begin_ = uint32_t(at);
    open_.push_back({std::move(container), {}});
    return true;
  }

  bool close(size_t end) {
    Json done = std::move(open_.back().value);
    open_.pop_back();
    size_t begin = done.begin_;
    return finish(std::move(done), begin, end);
  }

  bool finish(Json value, size_t begin, size_t end) {
    value.begin_ = uint32_t(begin);
    value.end_ = uint32_t(end);
    if (open_.empty()) {
      root_ = std::move(value);
    } else if (Json &parent = open_.back().value; parent.isArray()) {
      parent.items_.push_back(std::move(value));
    } else {
      parent.members_.emplace_back(std::move(open_.back().key), std::move(value));
    }
    return true;
  }

  std::vector<Open> open_;
  std::optional<Json> root_;
};

std::optional<Json> parseJson(const SourceFile &file, DiagnosticEngine &diags,
                              const JsonLimits &limits) {
  JsonParser builder;
  io::JsonReadOptions options;
  options.limits = limits;
  io::JsonError e = io::readJson(file.text(), builder, options);
  SourceRange range{uint32_t(e.at), uint32_t(e.at + e.length)};
  switch (e.kind) {
  case io::JsonError::Kind::None:
    return builder.take();
  case io::JsonError::Kind::TooLarge:
    diags.report(DiagKind::ConfigTooLarge, file, SourceRange{0, 0}, limits.maxBytes);
    return std::nullopt;
  case io::JsonError::Kind::TooDeep:
    diags.report(DiagKind::JsonTooDeep, file, range, limits.maxDepth);
    return std::nullopt;
  case io::JsonError::Kind::DuplicateKey:
    diags.emit(
        makeDiagnostic(DiagKind::JsonSyntax, file, range, e.message)
            .withNote(SourceRange{uint32_t(e.firstAt), uint32_t(e.firstAt + 1)}, "first here"));
    return std::nullopt;
  case io::JsonError::Kind::Syntax:
  case io::JsonError::Kind::Stopped: // the builder never stops the reader
    diags.report(DiagKind::JsonSyntax, file, range, e.message);
    return std::nullopt;
  }
  return std::nullopt;
}

} // namespace lamina
