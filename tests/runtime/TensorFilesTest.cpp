// The public tensor files (lamina/TensorFiles.h): what a host saves it loads back bit for bit,
// in every format and dtype the format has; a damaged file is lamina::Error E1001 naming the
// file, and nothing is written where a write is refused.

#include "RuntimeTestSupport.h"

#include "lamina/TensorFiles.h"

#include <fstream>

using namespace lamina;
using namespace lamina::test;

namespace {

Tensor filled(DType dtype, TensorShape shape) {
  Tensor t = Tensor::zeros(dtype, std::move(shape));
  auto *bytes = static_cast<unsigned char *>(t.data());
  for (size_t k = 0; k < t.nbytes(); ++k)
    bytes[k] = dtype == DType::Bool ? k % 2 : static_cast<unsigned char>(k * 37 + 11);
  return t;
}

} // namespace

TEST_CASE("tensor files: .npy, .npz and .safetensors load what was saved") {
  TempDir dir;
  for (DType dtype : {DType::Bool, DType::I8, DType::U8, DType::I32, DType::I64, DType::F16,
                      DType::F32, DType::F64}) {
    CAPTURE(shortName(dtype));
    Tensor t = filled(dtype, {3, 4});
    std::string npy = (dir.path / "t.npy").string();
    saveNpy(npy, t);
    CHECK(bitEqual(loadNpy(npy), t));

    std::string npz = (dir.path / "t.npz").string();
    saveNpz(npz, {{"a", t}, {"b", filled(dtype, {5})}});
    NamedTensors read = loadNpz(npz);
    REQUIRE(read.size() == 2);
    CHECK(read[0].first == "a");
    CHECK(bitEqual(read[0].second, t));
    CHECK(read[1].second.shape() == TensorShape{5});
  }
  // bf16 has no NumPy dtype, but safetensors carries it, with metadata.
  std::string st = (dir.path / "w.safetensors").string();
  Tensor w = filled(DType::BF16, {2, 3});
  saveSafetensors(st, {{"dense/kernel", w}, {"dense/bias", filled(DType::F32, {3})}},
                  {{"format", "pt"}});
  TensorFileMetadata metadata;
  NamedTensors read = loadSafetensors(st, {}, &metadata);
  REQUIRE(read.size() == 2);
  bool found = false;
  for (const auto &[name, tensor] : read)
    if (name == "dense/kernel")
      found = bitEqual(tensor, w);
  CHECK(found);
  REQUIRE(metadata.size() == 1);
  CHECK(metadata[0] == std::pair<std::string, std::string>{"format", "pt"});
}

TEST_CASE("tensor files: a strided view is saved as the values it shows") {
  TempDir dir;
  Tensor t = Tensor::fromValues<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  // The transpose as a view: strides in elements over the same storage.
  Tensor view = Tensor::view(DType::F32, {3, 2}, t.data(), {1, 3});
  std::string path = (dir.path / "v.npy").string();
  saveNpy(path, view);
  Tensor back = loadNpy(path);
  CHECK(back.shape() == TensorShape{3, 2});
  CHECK(back.at({0, 1}) == 4.0);
  CHECK(back.at({2, 0}) == 3.0);
}

TEST_CASE("tensor files: damaged files and refused writes are E1001") {
  TempDir dir;
  std::string bad = dir.file("bad.npy", "\x93NUMPY\x01\x00\x76\x00{'descr': '<f4'");
  std::string what = errorOf([&] { loadNpy(bad); }, "E1001");
  CHECK(what.find("bad.npy") != std::string::npos);
  errorOf([&] { loadNpz((dir.path / "missing.npz").string()); }, "E1001");
  errorOf([&] { loadSafetensors(dir.file("x.safetensors", "short")); }, "E1001");
  // A larger array than the limit is refused before its data is read.
  std::string big = (dir.path / "big.npy").string();
  saveNpy(big, Tensor::zeros(DType::F32, {1024}));
  errorOf([&] { loadNpy(big, ReadLimits{1000}); }, "E1001");
  // NumPy has no bf16: refused, and no file is left behind.
  std::string bf = (dir.path / "bf.npy").string();
  errorOf([&] { saveNpy(bf, Tensor::zeros(DType::BF16, {2})); }, "E1001");
  CHECK_FALSE(std::filesystem::exists(bf));
  errorOf([&] { saveNpz((dir.path / "e.npz").string(), {{"x", Tensor()}}); }, "E1001");
}

TEST_CASE("tensor files: refused .safetensors headers are E1001 naming what is wrong") {
  TempDir dir;
  // A file of the given header JSON and no data: an 8-byte little-endian length first.
  auto header = [&](const std::string &json) {
    std::string length;
    for (int i = 0; i < 8; ++i)
      length += static_cast<char>((json.size() >> (8 * i)) & 0xff);
    return dir.file("h.safetensors", length + json);
  };
  auto refused = [&](const std::string &json, const std::string &part) {
    CAPTURE(json);
    std::string what = errorOf([&] { loadSafetensors(header(json)); }, "E1001");
    CHECK_MESSAGE(what.find("h.safetensors: " + part) != std::string::npos, what);
  };
  std::string w = R"("w":{"dtype":"U8","shape":[0],"data_offsets":[0,0]})";
  refused("{" + w + "," + w + "}", "the header has the key 'w' twice");
  refused(R"({"w":{"dtype":"U8","shape":[0],"data_offsets":[0,0.0]}})",
          "tensor 'w': data offset '0.0' is not an integer from 0 to 2^64 - 1");
  refused(R"({"w":{"dtype":"U8","shape":[0],"data_offsets":[-1,0]}})",
          "tensor 'w': data offset -1 is negative");
  refused(R"({"w":{"dtype":"U8","shape":[0],"data_offsets":[9007199254740993,9007199254740993]}})",
          "tensor 'w': data_offsets [9007199254740993, 9007199254740993] run past the end of the "
          "data, which has 0 bytes");
  refused("[]", "header is not a JSON object: it does not start with '{'");
  refused("{} x", "malformed header JSON at byte 11: unexpected text after the value");
  refused("{\"\xff\":{}}", "malformed header JSON at byte 10: the string is not valid UTF-8");
}
