#pragma once

// The runtime's way to make a Lambda from a config: the function, mask and shape texts come
// with their places in the config file (LambdaSource), so that every diagnostic about them
// points into the file. Lambda's public constructor takes plain text; this path is internal,
// which is why it is a friend of Lambda declared here rather than a public constructor.

#include "lamina/Layers.h"
#include "runtime/layers/LambdaSource.h"

#include <memory>

namespace lamina {

class LambdaFactory {
public:
  /// `maskFunction` and `outputShape` are optional (null): a shape lambda's source, when the
  /// config gives one; a list shape stays in `options.outputShape`.
  static std::shared_ptr<Lambda> fromConfig(std::shared_ptr<const LambdaSource> function,
                                            LambdaOptions options,
                                            std::shared_ptr<const LambdaSource> maskFunction,
                                            std::shared_ptr<const LambdaSource> outputShape);
};

} // namespace lamina
