// A C++ host: load a model config with a lambda, choose how it computes (threads, the target
// CPU, no disk cache), warm it up so no call pays for the JIT, run it from four threads, and
// read a mistake's diagnostics as fields.
#include <lamina/lamina.h>

#include <cstdio>
#include <thread>
#include <vector>

int main(int argc, char **argv) {
  lamina::setBlasThreads(1); // lamina splits products over its own threads
  lamina::CallOptions call;
  call.compute.threads = 2;
  call.compute.cpu = "generic"; // portable x86-64 kernels
  call.compute.kernelCache = false;
  try {
    auto model = lamina::loadModel(argc > 1 ? argv[1] : "model.json");
    model->warmUp({{-1, 4}}, {}, call); // compiles now, for every batch size
    lamina::Tensor x = lamina::Tensor::empty(lamina::DType::F32, {2, 4});
    for (int k = 0; k < 8; ++k)
      x.data<float>()[k] = float(k) - 3.5f;
    std::vector<lamina::Tensor> results(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) // called from many threads at once
      threads.emplace_back([&, t] { results[t] = model->call({x}, call).outputs[0]; });
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

  // The same report as data: one record per diagnostic, for a host's own display.
  try {
    auto broken = std::make_shared<lamina::Lambda>("def f(x):\n    return x + undefined_name\n");
    broken->warmUp({{-1, 4}}, {lamina::DType::F32}, call);
    std::fprintf(stderr, "a broken lambda was accepted\n");
    return 1;
  } catch (const lamina::Error &e) {
    for (const lamina::DiagnosticRecord &d : e.diagnostics())
      std::printf("diagnostic %s %s at %u:%u (%u bytes): %s\n", d.code.c_str(), d.severity.c_str(),
                  d.line, d.column, d.length, d.message.c_str());
  }
}
