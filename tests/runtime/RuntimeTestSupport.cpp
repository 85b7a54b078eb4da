#include "tests/runtime/RuntimeTestSupport.h"

#include <fstream>
#include <random>

namespace lamina::test {

Tensor f32(TensorShape shape, std::vector<float> values) {
  return Tensor::fromValues<float>(std::move(shape), values);
}

Tensor ramp(TensorShape shape, float scale, float offset) {
  Tensor t = Tensor::empty(DType::F32, std::move(shape));
  float *p = t.data<float>();
  for (int64_t k = 0; k < t.count(); ++k)
    p[k] = float(k) * scale + offset;
  return t;
}

TempDir::TempDir() {
  std::random_device rd;
  path = std::filesystem::temp_directory_path() / ("lamina-test-" + std::to_string(rd()));
  std::filesystem::create_directories(path);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

std::string TempDir::file(const std::string &name, const std::string &text) const {
  std::filesystem::path p = path / name;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

std::string readText(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string errorOf(const std::function<void()> &body, const std::string &code) {
  try {
    body();
  } catch (const Error &e) {
    if (!code.empty())
      CHECK_MESSAGE(e.code() == code, e.what());
    return e.what();
  }
  FAIL("expected a lamina::Error");
  return "";
}

} // namespace lamina::test
