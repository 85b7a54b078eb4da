#pragma once

// Random well-typed programs, compiled by the JIT and compared with the reference interpreter.
//
// Each program is an expression of depth at most 6 over two inputs of every dtype, all of shape
// [B, C] (plus a row `v: f32[C]`, a column `c: i32[B, 1]` and a matrix `w: i8[C, C]`), with
// C = 4 (only the scalar tail of the innermost loop) or 20 (a vector step and a tail):
// elementwise builtins and operators, weak scalars, broadcasting, reductions (keepdims, over
// either axis or both, broadcast back), slices (reversed, strided), transposes, concat/split,
// pad, tile, repeat, gather, where, casts between every pair of dtypes, matmul. One kernel is
// compiled per program (B stays symbolic) and run with B = 0, 1, 3 and 17 on random inputs
// with special values, against the interpreter.
//
// How results are compared is decided while generating, per subexpression:
//  * exact: made only of operations the JIT must reproduce bit for bit (arithmetic,
//    comparisons, select, rounding, sqrt, casts, data movement, max/min reductions, integer
//    reductions). Compared bit-exactly (NaN == NaN).
//  * bounded, with an error bound: transcendental functions and float reductions make values
//    the two engines may compute differently. Such a value is only ever made bounded (clip,
//    tanh, sigmoid, softmax, sums of bounded values, ...), carries a bound on its magnitude
//    and on the difference between the engines (each operation adds its ULP bound or
//    rounding, scaled by the magnitude; Lipschitz constants carry the operands' differences),
//    and is only used by continuous operations that keep it bounded. Compared within twice
//    that bound.
//  * a transcendental function of an exact operand at the root: within ulpBound() ULPs.
//  * a sum, mean or cumsum of an exact operand at the root: within 1e-5 (f32) or 1e-12 (f64)
//    times the sum of the |finite terms|, which a companion program computes with the
//    interpreter (anything goes where that reaches the accumulator's overflow).
// Discontinuous operations (comparisons, casts to integers, rounding, //, %, argmax) never
// take an inexact operand, so a rounding difference can never flip a branch.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lamina::jittest {

/// A stream of random programs from one seed; next(n) makes program n and compares the JIT
/// with the interpreter on it.
class RandomPrograms {
public:
  explicit RandomPrograms(uint64_t seed);
  ~RandomPrograms();

  struct RootInfo {
    int rule = 0;     // how it is compared: 0 exact, 1 bounded, 2 ULPs, 3 against sum(|terms|)
    double err = 0;   // the bound of a bounded one
    std::string text; // the expression
  };
  struct Result {
    std::string problem;  // "" when the engines agree; else the program, inputs and mismatch
    bool skipped = false; // a KNOWN-BUG compile failure
    std::vector<RootInfo> roots;
  };
  Result next(int n);

private:
  struct State;
  std::unique_ptr<State> state_;
};

} // namespace lamina::jittest
