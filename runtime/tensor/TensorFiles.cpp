// The public tensor files (include/lamina/TensorFiles.h) over the readers and writers of
// runtime/io, which work on Arrays: every error they return becomes a lamina::Error E1001.

#include "lamina/TensorFiles.h"

#include "runtime/io/Npy.h"
#include "runtime/io/Safetensors.h"
#include "runtime/support/Boundary.h"
#include "runtime/support/Report.h"
#include "runtime/tensor/TensorBridge.h"

namespace lamina {
namespace {

[[noreturn]] void fail(const std::string &message) {
  std::string code(diagKindInfo(DiagKind::TensorFileError).code);
  DiagnosticRecord record;
  record.code = code;
  record.message = message;
  throw Error(code, message, {record});
}

void check(const std::string &error) {
  if (!error.empty())
    fail(error);
}

NamedTensors tensorsOf(io::NamedArrays read) {
  check(read.error);
  NamedTensors out;
  for (auto &[name, array] : read.arrays)
    out.emplace_back(std::move(name), fromArray(array));
  return out;
}

std::vector<std::pair<std::string, Array>> arraysOf(const NamedTensors &tensors) {
  std::vector<std::pair<std::string, Array>> out;
  for (const auto &[name, tensor] : tensors) {
    if (!tensor.valid())
      fail("tensor `" + name + "` is empty (a default-constructed Tensor)");
    out.emplace_back(name, toArray(tensor));
  }
  return out;
}

io::IoLimits ioLimits(const ReadLimits &limits) { return io::IoLimits{limits.maxBytes}; }

} // namespace

Tensor loadNpy(const std::string &path, const ReadLimits &limits) {
  return guarded("loadNpy", [&]() -> Tensor {
    io::ReadResult read = io::readNpy(path, ioLimits(limits));
    check(read.error);
    return fromArray(*read.array);
  });
}

void saveNpy(const std::string &path, const Tensor &tensor) {
  return guarded("saveNpy", [&] {
    check(io::writeNpy(path, arraysOf({{path, tensor}})[0].second));
  });
}

NamedTensors loadNpz(const std::string &path, const ReadLimits &limits) {
  return guarded("loadNpz",
                 [&]() -> NamedTensors { return tensorsOf(io::readNpz(path, ioLimits(limits))); });
}

void saveNpz(const std::string &path, const NamedTensors &tensors) {
  return guarded("saveNpz", [&] { check(io::writeNpz(path, arraysOf(tensors))); });
}

NamedTensors loadSafetensors(const std::string &path, const ReadLimits &limits,
                             TensorFileMetadata *metadata) {
  return guarded("loadSafetensors", [&]() -> NamedTensors {
    return tensorsOf(io::readSafetensors(path, ioLimits(limits), metadata));
  });
}

void saveSafetensors(const std::string &path, const NamedTensors &tensors,
                     const TensorFileMetadata &metadata) {
  return guarded("saveSafetensors",
                 [&] { check(io::writeSafetensors(path, arraysOf(tensors), metadata)); });
}

} // namespace lamina
