#include "bench/HandWritten.h"

namespace lamina::bench {

const std::vector<Case> &suite() {
  static const std::vector<Case> cases = {
      {"E1", "square", "lambda x: x ** 2", {"x"}, false, 0, hand::square, eigen::square},
      {"E2", "mul-add", "lambda a, b, c: a * b + c", {"a", "b", "c"}, false, 0, hand::mulAdd,
       eigen::mulAdd},
      {"E3", "lincomb", "lambda a, b, c: 2*a + 3*b - 0.5*c*c", {"a", "b", "c"}, false, 0,
       hand::linearCombination, eigen::linearCombination},
      {"E4", "sin2+cos2", "lambda x: sin(x)**2 + cos(x)**2", {"x"}, false, 0, hand::sinCos,
       eigen::sinCos},
      {"E5", "gelu-tanh", "lambda x: 0.5*x*(1 + tanh(0.7978845608*(x + 0.044715*x**3)))",
       {"x"}, false, 0, hand::gelu, eigen::gelu},
      {"E6", "leaky-relu", "lambda x: where(x > 0, x, 0.01*x)", {"x"}, false, 0, hand::leakyRelu,
       eigen::leakyRelu},
      {"E7", "softmax",
       "def softmax(x): e = exp(x - max(x, axis=1, keepdims=True)); "
       "return e / sum(e, axis=1, keepdims=True)",
       {"x"}, true, 256, hand::softmax, eigen::softmax},
      {"E8", "antirectifier",
       "def antirectifier(x): x -= mean(x, axis=1, keepdims=True); "
       "x = l2_normalize(x, axis=1); return concat([relu(x), relu(-x)], axis=1)",
       {"x"}, true, 512, hand::antirectifier, eigen::antirectifier},
      {"E9", "l2_normalize", "lambda x: l2_normalize(x, axis=1)", {"x"}, true, 256,
       hand::l2Normalize, eigen::l2Normalize},
      {"E10", "dot", "lambda x, y: sum(x * y)", {"x", "y"}, false, 0, hand::dot, eigen::dot},
  };
  return cases;
}

} // namespace lamina::bench
