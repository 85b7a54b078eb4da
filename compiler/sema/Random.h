#pragma once

// Random samples drawn inside a lambda (docs/language.md, "Random sampling"): K.random_normal,
// tf.random.uniform, keras.random.*, dropout. The generator is Philox4x32-10, counter based as
// in TensorFlow's stateless ops and JAX: each element's bits are a pure function of (its flat
// index, the call number) under a key from the op's seed, so the result does not depend on
// the thread count or on the engine. It is written in integer IR operations (64-bit products,
// shifts, masks), which both backends compute exactly. The call number is a variable the
// runtime increments after every call, like the state of Keras's SeedGenerator.

#include "compiler/sema/Context.h"

namespace lamina::sema {

/// The samples an initialiser value (random_normal, random_uniform) stands for, when it is
/// used as a tensor rather than as a variable's initial value. Other initialisers: E0414.
MaybeId drawSamples(Context &ctx, const Value &init);

/// Uniform samples in [0, 1) of `type` (floats), for dropout; `ordinal` is the call's place
/// among the function's random builtins (Context::randomCalls).
MaybeId uniformSamples(Context &ctx, const TensorType &type, std::optional<int64_t> seed,
                       int64_t ordinal, SourceRange r);

} // namespace lamina::sema
