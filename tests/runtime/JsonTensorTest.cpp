// Json (positions, limits, hostile input) and Tensor (storage, views, the buffer pool).

#include "lamina/Json.h"
#include "tests/runtime/RuntimeTestSupport.h"

#include <cstring>
#include <limits>

using namespace lamina;
using namespace lamina::test;

TEST_CASE("json: values, positions and escapes") {
  Json j = Json::parse(R"({"a": [1, 2.5, null, true], "s": "x\ny\u00e9\ud83d\ude00", "n": -0})");
  REQUIRE(j.isObject());
  CHECK(j.find("a")->items()[0].isInteger());
  CHECK(*j.find("a")->items()[0].asInt() == 1);
  CHECK(!j.find("a")->items()[1].isInteger());
  CHECK(j.find("a")->items()[1].asDouble() == 2.5);
  const Json &s = *j.find("s");
  CHECK(s.asString() == "x\ny\xc3\xa9\xf0\x9f\x98\x80");
  // Each decoded byte knows the offset of the text it came from: `\n` is at 1 past `x`.
  size_t open = std::string(R"({"a": [1, 2.5, null, true], "s": )").size();
  REQUIRE(s.stringOffsets().size() == s.asString().size() + 1);
  CHECK(s.stringOffsets()[0] == open + 1);
  CHECK(s.stringOffsets()[1] == open + 2);
  CHECK(s.stringOffsets()[2] == open + 4);
  CHECK(Json::parse(j.dump()) == j);
  CHECK(Json::parse(j.dump(-1)) == j);
}

TEST_CASE("json: errors are located and coded") {
  CHECK(errorOf([] { Json::parse("{\"a\": 1,\n \"a\": 2}", "c.json"); }, "E0802")
            .find("c.json:2:2") != std::string::npos);
  CHECK(errorOf([] { Json::parse("[1, 2", "c.json"); }, "E0802").find("never closed") !=
        std::string::npos);
  errorOf([] { Json::parse(std::string(100000, '['), "deep.json"); }, "E0803");
  errorOf([] { Json::parse(std::string(size_t(16) << 20 | 1, ' ')); }, "E0801");
  errorOf([] { Json::parse("\"\xff\""); }, "E0802");
  errorOf([] { Json::parse("\"\\ud800\""); }, "E0802");
  errorOf([] { Json::parse("1e400"); }, "E0802");
  errorOf([] { Json::parse("01"); }, "E0802");
  errorOf([] { Json::parse("[1] x"); }, "E0802");
  CHECK(Json::parse("1e-320").asDouble() > 0); // subnormal: valid
  // 100,000 keys: linear duplicate detection (this would take minutes if quadratic).
  std::string many = "{";
  for (int k = 0; k < 100000; ++k)
    many += (k ? ",\"k" : "\"k") + std::to_string(k) + "\":0";
  CHECK(Json::parse(many + "}").members().size() == 100000);
}

TEST_CASE("tensor: storage, views and copies") {
  Tensor t = ramp({2, 3}, 1, 0);
  CHECK(t.owning());
  CHECK(t.contiguous());
  CHECK(reinterpret_cast<uintptr_t>(t.data()) % 64 == 0);
  CHECK(t.at({1, 2}) == 5);
  Tensor alias = t; // copies share storage
  alias.data<float>()[0] = 42;
  CHECK(t.at({0, 0}) == 42);
  CHECK(t.clone().data() != t.data());
  // A transposed view of caller memory, copied out in C order.
  float mem[6] = {0, 1, 2, 3, 4, 5};
  Tensor v = Tensor::view(DType::F32, {3, 2}, mem, {1, 3});
  CHECK(!v.owning());
  CHECK(!v.contiguous());
  Tensor c = v.contiguousCopy();
  CHECK(bitEqual(c, f32({3, 2}, {0, 3, 1, 4, 2, 5})));
  CHECK(Tensor::full(DType::I32, {2}, 7.9).at({1}) == 7); // the cast rule: truncation
  CHECK(Tensor::full(DType::F16, {1}, 65520).at({0}) == std::numeric_limits<double>::infinity());
  errorOf([] { Tensor::empty(DType::F32, {-1}); });
  errorOf([] { Tensor::empty(DType::F32, {int64_t(1) << 40, int64_t(1) << 40}); });
  errorOf([&] { t.data<double>(); });
  errorOf([&] { t.at({2, 0}); });
  errorOf([&] { Tensor::fromValues<float>({3}, {1, 2}); });
}

TEST_CASE("tensor: large buffers are reused, not faulted in afresh") {
  clearBufferPool();
  BufferPoolStats before = bufferPoolStats();
  void *first;
  {
    Tensor a = Tensor::empty(DType::F32, {1 << 20});
    first = a.data();
  }
  CHECK(bufferPoolStats().cachedBuffers == 1);
  Tensor b = Tensor::empty(DType::F32, {(1 << 20) - 100}); // same size class
  CHECK(b.data() == first);
  CHECK(bufferPoolStats().hits == before.hits + 1);
  setBufferPoolLimit(0);
  { Tensor c = Tensor::empty(DType::F32, {1 << 20}); }
  CHECK(bufferPoolStats().cachedBytes == 0);
  setBufferPoolLimit(size_t(1) << 30);
}
