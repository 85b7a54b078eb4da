// Load a model config with a lambda, run it from four threads, print the result.
#include <lamina/lamina.h>

#include <cstdio>
#include <thread>
#include <vector>

int main(int argc, char **argv) {
  try {
    auto model = lamina::loadModel(argc > 1 ? argv[1] : "model.json"); // compiled once
    lamina::Tensor x = lamina::Tensor::empty(lamina::DType::F32, {2, 4});
    for (int k = 0; k < 8; ++k)
      x.data<float>()[k] = float(k) - 3.5f;
    std::vector<lamina::Tensor> results(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) // called from many threads at once
      threads.emplace_back([&, t] { results[t] = (*model)(x); });
    for (auto &thread : threads)
      thread.join();
    const lamina::Tensor &y = results[0];
    std::printf("lamina %s: %s\n", lamina::version(), y.typeString().c_str());
    for (int64_t i = 0; i < y.count(); ++i)
      std::printf("%g%c", y.data<float>()[i], i + 1 == y.count() ? '\n' : ' ');
  } catch (const lamina::Error &e) { // every mistake: code, file:line:col, caret
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
