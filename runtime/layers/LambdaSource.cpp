#include "runtime/layers/LambdaSource.h"

#include "runtime/support/Report.h"

namespace lamina {
namespace {

// Moves diagnostics about a lambda's text to the same bytes of the config file.
class ConfigMapper final : public DiagnosticConsumer {
public:
  ConfigMapper(const LambdaSource &source, DiagnosticConsumer &next)
      : source_(source), next_(next) {}

  void consume(const Diagnostic &diagnostic) override {
    Diagnostic moved = diagnostic;
    if (diagnostic.file == source_.file.get()) {
      moved.file = source_.config.get();
      moved.range = map(diagnostic.range);
    }
    for (DiagNote &note : moved.notes)
      if (note.file == source_.file.get()) {
        note.file = source_.config.get();
        note.range = map(note.range);
      }
    next_.consume(moved);
  }

private:
  SourceRange map(SourceRange r) const {
    const std::vector<uint32_t> &at = source_.configOffsets;
    uint32_t last = uint32_t(at.size() - 1);
    uint32_t begin = at[std::min(r.begin, last)];
    // The end maps through the last byte inside the range, so a range ending at an escape
    // covers the whole escape but not what follows.
    uint32_t end = r.end > r.begin ? at[std::min(r.end - 1, last)] + 1 : begin;
    return {begin, std::max(begin, end)};
  }

  const LambdaSource &source_;
  DiagnosticConsumer &next_;
};

} // namespace

std::shared_ptr<const LambdaSource> LambdaSource::fromText(std::string text, std::string name) {
  auto source = std::make_shared<LambdaSource>();
  source->file = std::make_shared<SourceFile>(std::move(name), std::move(text));
  return source;
}

std::shared_ptr<const LambdaSource> LambdaSource::fromJson(const Json &value,
                                                           std::shared_ptr<const SourceFile> config,
                                                           std::string name) {
  auto source = std::make_shared<LambdaSource>();
  std::string text;
  std::vector<uint32_t> offsets;
  auto append = [&](const Json &part) {
    text += part.asString();
    const std::vector<uint32_t> &at = part.stringOffsets();
    offsets.insert(offsets.end(), at.begin(), at.end() - (at.empty() ? 0 : 1));
    if (at.empty()) // a value built in memory: point at the whole value
      offsets.insert(offsets.end(), part.asString().size(), part.begin());
  };
  if (value.isString()) {
    append(value);
    offsets.push_back(value.stringOffsets().empty() ? value.end() : value.stringOffsets().back());
  } else {
    const std::vector<Json> &lines = value.items();
    for (size_t k = 0; k < lines.size(); ++k) {
      append(lines[k]);
      uint32_t close =
          lines[k].stringOffsets().empty() ? lines[k].end() : lines[k].stringOffsets().back();
      if (k + 1 < lines.size()) {
        text += '\n';
        offsets.push_back(close); // the line break sits at the string's closing quote
      } else {
        offsets.push_back(close);
      }
    }
    if (lines.empty())
      offsets.push_back(value.begin());
  }
  source->file = std::make_shared<SourceFile>(std::move(name), std::move(text));
  source->config = std::move(config);
  source->configOffsets = std::move(offsets);
  return source;
}

void LambdaSource::report(const std::function<bool(DiagnosticEngine &)> &body) const {
  ReportCollector collector;
  bool ok;
  if (config) {
    ConfigMapper mapper(*this, collector);
    DiagnosticEngine diags(mapper);
    ok = body(diags) && !diags.hasErrors();
  } else {
    DiagnosticEngine diags(collector);
    ok = body(diags) && !diags.hasErrors();
  }
  if (!ok)
    collector.raise();
}

} // namespace lamina
