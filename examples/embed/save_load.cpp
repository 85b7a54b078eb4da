// Build a small functional model in C++, save it, load it back, and check the bits agree.
#include <cstdio>
#include <lamina/lamina.h>

int main() {
  using namespace lamina;
  SymbolicTensor x = Input({8}, DType::F32, "x");
  DenseOptions relu;
  relu.activation = "relu";
  SymbolicTensor h = (*std::make_shared<Dense>(16, relu))(x);
  LambdaOptions scaled;
  scaled.name = "scaled";
  scaled.arguments["alpha"] = Json::number(0.5);
  SymbolicTensor y = (*std::make_shared<Lambda>("lambda h, alpha: h * alpha", scaled))(h);
  auto model = std::make_shared<Model>(std::vector{x}, std::vector{y}, "small");
  std::printf("%s", model->summary().c_str());

  Tensor in = Tensor::full(DType::F32, {2, 8}, 0.25);
  Tensor before = (*model)(in);
  saveModel(*model, "small"); // config.json + model.weights.safetensors
  auto back = loadModel("small");
  std::printf("identical: %d\n", bitEqual((*back)(in), before));
}
