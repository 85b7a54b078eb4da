// The options that describe how a source is called: inputs, arguments, declared output shape.

#include "compiler/driver/Frontend.h"
#include "compiler/types/TypeSpec.h"
#include "tools/lamina/Commands.h"

#include <fmt/format.h>

namespace lamina::cli {

void addSignatureOptions(CLI::App &command, SignatureOptions &options, bool inputsAreFiles) {
  command.add_option("-i,--input", options.inputs,
                     inputsAreFiles
                         ? "NAME=FILE.npy binds a parameter to an array (repeat a NAME to bind "
                           "a list parameter in order; FILE alone binds inputs by position)"
                         : "NAME=TYPE, e.g. x=f32[B,256]: a parameter's dtype and shape, with "
                           "symbols for unknown sizes (repeat a NAME for a list parameter)");
  command.add_option("-a,--arg", options.args,
                     "NAME=VALUE: a compile-time argument (JSON or Python literal)");
  command.add_option(
      "--output-shape", options.outputShape,
      "Keras output_shape, checked: a tuple without the batch dimension, e.g. '(512,)', or a "
      "shape lambda, e.g. 'lambda s: (s[0], 2 * s[1])'");
}

std::pair<std::string, std::string> splitBinding(const std::string &text) {
  size_t eq = text.find('=');
  if (eq == std::string::npos)
    return {"", text};
  return {text.substr(0, eq), text.substr(eq + 1)};
}

namespace {

// Parses a constant given on the command line, rendering diagnostics against its own text.
std::optional<ConstValue> parseValue(const std::string &label, const std::string &text,
                                     const RenderOptions &render) {
  SourceFile file(label, text);
  StreamConsumer consumer(stderr, render);
  DiagnosticEngine diags(consumer);
  return driver::parseConstValue(file, diags);
}

} // namespace

std::optional<SemaRequest> requestFrom(const SignatureOptions &options,
                                       const RenderOptions &render) {
  SemaRequest request;
  for (const std::string &arg : options.args) {
    auto [name, text] = splitBinding(arg);
    if (name.empty()) {
      fmt::print(stderr, "lamina: error: --arg '{}' needs the form NAME=VALUE\n", arg);
      return std::nullopt;
    }
    auto value = parseValue("--arg " + name, text, render);
    if (!value)
      return std::nullopt;
    request.arguments.emplace_back(name, std::move(*value));
  }
  if (options.outputShape.starts_with("lambda")) {
    auto file = std::make_shared<const SourceFile>("--output-shape", options.outputShape);
    StreamConsumer consumer(stderr, render);
    DiagnosticEngine diags(consumer);
    request.outputShapeLambda = driver::parseShapeLambda(std::move(file), diags);
    if (!request.outputShapeLambda)
      return std::nullopt;
  } else if (!options.outputShape.empty()) {
    auto value = parseValue("--output-shape", options.outputShape, render);
    if (!value)
      return std::nullopt;
    request.outputShape = std::move(*value);
    request.outputShapeFile = std::make_shared<SourceFile>("--output-shape", options.outputShape);
    request.outputShapeRange = {0, uint32_t(options.outputShape.size())};
  }
  return request;
}

bool addTypedInputs(const SignatureOptions &options, SemaRequest &request) {
  for (const std::string &input : options.inputs) {
    auto [name, text] = splitBinding(input);
    std::string error;
    auto type = parseTypeSpec(text, error);
    if (!type) {
      fmt::print(stderr, "lamina: error: --input '{}': {}\n", input, error);
      return false;
    }
    request.inputs.push_back({name, *type});
  }
  return true;
}

} // namespace lamina::cli
