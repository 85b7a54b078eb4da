#pragma once

// lamina: Keras Lambda layers as checked, compiled text. Include this one header.
//
//   auto model = lamina::loadModel("examples/model");       // config.json + weights
//   lamina::Tensor y = (*model)({x, context})[0];           // from any thread
//
// docs/embedding.md explains compiling once and calling many times, errors and limits.

#include "lamina/DType.h"
#include "lamina/Error.h"
#include "lamina/Executor.h"
#include "lamina/Export.h"
#include "lamina/Json.h"
#include "lamina/Layer.h"
#include "lamina/Layers.h"
#include "lamina/Model.h"
#include "lamina/Runtime.h"
#include "lamina/Tensor.h"
#include "lamina/TensorFiles.h"

#define LAMINA_VERSION_STRING "0.1.0"

namespace lamina {

/// The version of the library loaded at run time (LAMINA_VERSION_STRING is the headers').
LAMINA_API const char *version();

} // namespace lamina
