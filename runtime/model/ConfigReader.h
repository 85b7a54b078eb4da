#pragma once

// Reading a model config (docs/config-format.md). Nothing in a config can run anything but
// lamina: class names come from a fixed list, a Lambda's function must be lamina source text
// (Python bytecode, Keras 2's or Keras 3's, is refused with a way out), and unknown keys are
// errors rather than silently ignored, so that no key - `safe_mode` included - can change
// what a loaded model does. Every error points at its line and column in the config.

#include "compiler/diag/SourceFile.h"
#include "lamina/Model.h"

#include <memory>

namespace lamina {

struct LoadedConfig {
  std::shared_ptr<Model> model;
  /// The config's "weights" entry (empty when it has none) and where it is, for errors.
  std::string weights;
  Json weightsValue;
};

/// Parses and builds; throws lamina::Error located in `file`.
LoadedConfig readModelConfig(std::shared_ptr<const SourceFile> file);

} // namespace lamina
