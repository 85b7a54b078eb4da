#pragma once

// Helpers for the layer runtime's tests: small tensors, a temporary folder, and checking
// that a call throws lamina::Error with a given code and text.

#include "lamina/Error.h"
#include "lamina/Tensor.h"

#include <doctest/doctest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace lamina::test {

Tensor f32(TensorShape shape, std::vector<float> values);
/// Values k * scale + offset, k = 0, 1, ... (deterministic inputs).
Tensor ramp(TensorShape shape, float scale = 0.01f, float offset = -1.0f);

/// A fresh folder under the system's temporary directory, removed at destruction.
struct TempDir {
  TempDir();
  ~TempDir();
  std::filesystem::path path;
  std::string file(const std::string &name, const std::string &text) const;
};

std::string readText(const std::filesystem::path &path);

/// Runs `body`, which must throw lamina::Error; returns what() and checks the code.
std::string errorOf(const std::function<void()> &body, const std::string &code = "");

} // namespace lamina::test
