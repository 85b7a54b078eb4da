#include "SemaSupport.h"

#include "compiler/driver/Frontend.h"
#include "compiler/types/TypeSpec.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <memory>

namespace lamina::test {

std::string Analyzed::first() const {
  if (diagnostics.empty())
    return "";
  LineColumn lc = diagnostics.front().location();
  return fmt::format("{}@{}:{}", diagnostics.front().info().code, lc.line, lc.column);
}

std::string Analyzed::types() const {
  std::string out;
  for (ir::ValueId v : fn->outputs)
    out += (out.empty() ? "" : "; ") + fn->typeOf(v).str();
  return out;
}

ConstValue argValue(const std::string &text) {
  SourceFile file("--arg", text);
  CollectingConsumer consumer;
  DiagnosticEngine diags(consumer);
  std::optional<ConstValue> value = driver::parseConstValue(file, diags);
  REQUIRE_MESSAGE(value, "bad --arg value in the test: " << text);
  return *value;
}

Analyzed analyzeText(const std::string &source, const Inputs &inputs, const Args &args,
                     std::optional<std::string> outputShape) {
  Analyzed result;
  result.parsed = parseText(source);
  result.diagnostics = result.parsed.diagnostics;
  if (!result.parsed.module)
    return result;
  SemaRequest request;
  for (const auto &[name, spec] : inputs) {
    std::string error;
    std::optional<TensorType> type = parseTypeSpec(spec, error);
    REQUIRE_MESSAGE(type, "bad type in the test: " << spec << ": " << error);
    request.inputs.push_back({name, *type});
  }
  for (const auto &[name, text] : args)
    request.arguments.emplace_back(name, argValue(text));
  if (outputShape && outputShape->starts_with("lambda")) {
    // Parsed here, as every caller of sema does (compiler/driver/Frontend.h).
    result.shapeFile = std::make_shared<const SourceFile>("output_shape", *outputShape);
    CollectingConsumer consumer;
    DiagnosticEngine diags(consumer);
    request.outputShapeLambda = driver::parseShapeLambda(result.shapeFile, diags);
    result.diagnostics.insert(result.diagnostics.end(), consumer.diagnostics.begin(),
                              consumer.diagnostics.end());
    if (!request.outputShapeLambda)
      return result;
  } else if (outputShape)
    request.outputShape = argValue(*outputShape);
  CollectingConsumer consumer;
  DiagnosticEngine diags(consumer);
  result.fn = analyze(*result.parsed.module, *result.parsed.file, request, diags);
  result.diagnostics.insert(result.diagnostics.end(), consumer.diagnostics.begin(),
                            consumer.diagnostics.end());
  // A function comes back exactly when no error was reported, and it always verifies.
  CHECK_MESSAGE(result.fn.has_value() == !diags.hasErrors(), source);
  if (result.fn) {
    CHECK_MESSAGE(ir::verify(*result.fn) == "", source);
    CHECK_MESSAGE(!result.fn->outputs.empty(), source);
  }
  return result;
}

std::string check(const std::string &source, const Inputs &inputs, const Args &args) {
  Analyzed a = analyzeText(source, inputs, args);
  return a.fn ? a.types() : a.first();
}

} // namespace lamina::test
