// Model folders and weights files: config.json plus one weights file (.safetensors or .npz)
// that the config names. A config may only name a regular file inside its own folder.

#include "lamina/Model.h"
#include "runtime/io/Npy.h"
#include "runtime/io/Safetensors.h"
#include "runtime/json/JsonParser.h"
#include "runtime/model/ConfigReader.h"
#include "runtime/support/Boundary.h"
#include "runtime/support/Report.h"
#include "runtime/tensor/TensorBridge.h"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <sstream>

namespace fs = std::filesystem;

namespace lamina {
namespace {

std::string readConfigText(const fs::path &path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    raise(fmt::format("{}: not a regular file", path.string()));
  uintmax_t size = fs::file_size(path, ec);
  if (ec)
    raise(fmt::format("{}: {}", path.string(), ec.message()));
  if (size > JsonLimits{}.maxBytes) {
    // Checked before reading: E0801 at the start of the file.
    SourceFile empty(path.string(), "");
    raise(
        makeDiagnostic(DiagKind::ConfigTooLarge, empty, SourceRange{0, 0}, JsonLimits{}.maxBytes));
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof())
    raise(fmt::format("{}: cannot read", path.string()));
  return text.str();
}

// The weights file a config names, resolved inside the config's folder: no absolute path, no
// way out through `..` or a symbolic link, and a regular file at the end.
fs::path resolveWeights(const fs::path &folder, const LoadedConfig &loaded,
                        const std::shared_ptr<const SourceFile> &file) {
  auto reject = [&](const std::string &why) {
    const Json &at = loaded.weightsValue;
    raise(makeDiagnostic(DiagKind::WeightsPathRejected, *file, SourceRange{at.begin(), at.end()},
                         loaded.weights, why));
  };
  fs::path relative(loaded.weights);
  if (loaded.weights.empty() || relative.is_absolute())
    reject("must be a file name relative to the config's folder");
  for (const fs::path &part : relative)
    if (part == "..")
      reject("may not leave the config's folder (`..`)");
  std::error_code rootError, targetError;
  fs::path root = fs::canonical(folder, rootError);
  fs::path target = fs::weakly_canonical(folder / relative, targetError);
  if (rootError || targetError)
    reject("cannot be resolved: " + (rootError ? rootError : targetError).message());
  // Inside the folder: the resolved folder is a prefix of the resolved target, by components.
  if (std::mismatch(root.begin(), root.end(), target.begin(), target.end()).first != root.end())
    reject("leads outside the config's folder");
  std::error_code ec;
  if (!fs::is_regular_file(target, ec))
    reject("is not a regular file in the config's folder");
  return target;
}

} // namespace

std::shared_ptr<Model> modelFromJson(std::string_view text, std::string_view name) {
  return guarded("modelFromJson", [&]() -> std::shared_ptr<Model> {
    auto file = std::make_shared<const SourceFile>(std::string(name), std::string(text));
    return readModelConfig(file).model;
  });
}

// Matches the file's arrays to the model's weights by name; `where` locates errors (the
// config's "weights" entry) when the file was named by a config.
static void assignWeights(Model &model, const std::string &path, const SourceFile *config,
                          const Json *where) {
  auto fail = [&](DiagKind kind, const auto &...args) {
    if (config && where)
      raise(makeDiagnostic(kind, *config, SourceRange{where->begin(), where->end()}, args...));
    throw Error(std::string(diagKindInfo(kind).code),
                fmt::format("{}: error[{}]: {}", path, diagKindInfo(kind).code,
                            fmt::format(fmt::runtime(diagKindInfo(kind).format), args...)));
  };
  io::NamedArrays read = path.ends_with(".npz") ? io::readNpz(path) : io::readSafetensors(path);
  if (!read.error.empty())
    fail(DiagKind::WeightsFileError, read.error);
  const std::vector<std::pair<std::string, Array>> &arrays = read.arrays;
  // TensorFlow names variables `dense/kernel:0`, the output index of the op that made them:
  // the same weight as Keras's `dense/kernel`.
  auto withoutOutputIndex = [](const std::string &name) {
    size_t colon = name.rfind(':');
    bool index = colon != std::string::npos && colon + 1 < name.size() &&
                 name.find_first_not_of("0123456789", colon + 1) == std::string::npos;
    return index ? name.substr(0, colon) : name;
  };
  std::map<std::string, const Array *> byName;
  for (const auto &[name, array] : arrays)
    if (!byName.emplace(withoutOutputIndex(name), &array).second)
      fail(DiagKind::WeightUnused, name); // `dense/kernel` and `dense/kernel:0` both given
  std::vector<Weight> weights = model.weights();
  std::vector<Tensor> values;
  for (const Weight &w : weights) {
    auto it = byName.find(w.name);
    if (it == byName.end())
      fail(DiagKind::WeightMissing, w.name);
    const Array &a = *it->second;
    if (a.dtype != w.value.dtype() || a.shape != w.value.shape())
      fail(DiagKind::WeightMismatch, w.name,
           fmt::format("{}[{}]", shortName(a.dtype), fmt::join(a.shape, ", ")),
           w.value.typeString());
    values.push_back(fromArray(a));
    byName.erase(it);
  }
  if (!byName.empty())
    fail(DiagKind::WeightUnused, byName.begin()->first);
  model.setWeights(values);
}

void loadWeights(Model &model, const std::string &path) {
  return guarded("loadWeights", [&] { assignWeights(model, path, nullptr, nullptr); });
}

void saveWeights(const Model &model, const std::string &path) {
  return guarded("saveWeights", [&] {
    std::vector<std::pair<std::string, Array>> arrays;
    for (const Weight &w : model.weights())
      arrays.emplace_back(w.name, toArray(w.value));
    std::string error = path.ends_with(".npz")
                            ? io::writeNpz(path, arrays)
                            : io::writeSafetensors(path, arrays, {{"format", "lamina"}});
    if (!error.empty())
      raise(error);
  });
}

std::shared_ptr<Model> loadModel(const std::string &path) {
  return guarded("loadModel", [&]() -> std::shared_ptr<Model> {
    std::error_code ec;
    fs::path configPath =
        fs::is_directory(path, ec) ? fs::path(path) / "config.json" : fs::path(path);
    auto file = std::make_shared<const SourceFile>(configPath.string(), readConfigText(configPath));
    LoadedConfig loaded = readModelConfig(file);
    if (!loaded.weights.empty()) {
      fs::path weights = resolveWeights(configPath.parent_path().empty() ? fs::path(".")
                                                                         : configPath.parent_path(),
                                        loaded, file);
      if (!loaded.model->built())
        raise(makeDiagnostic(DiagKind::ModelGraphError, *file,
                             SourceRange{loaded.weightsValue.begin(), loaded.weightsValue.end()},
                             "weights need a built model: give the Sequential an InputLayer or "
                             "`build_input_shape`"));
      assignWeights(*loaded.model, weights.string(), file.get(), &loaded.weightsValue);
    }
    return loaded.model;
  });
}

void saveModel(const Model &model, const std::string &folder, const std::string &weightsFormat) {
  return guarded("saveModel", [&] {
    if (weightsFormat != "safetensors" && weightsFormat != "npz")
      raise(fmt::format("weights format `{}`: use \"safetensors\" or \"npz\"", weightsFormat));
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec)
      raise(fmt::format("{}: {}", folder, ec.message()));
    std::string weightsName;
    if (model.built() && !model.weights().empty()) {
      weightsName = "model.weights." + weightsFormat;
      saveWeights(model, (fs::path(folder) / weightsName).string());
    }
    std::string text = modelToJson(model, weightsName).dump(2) + "\n";
    fs::path target = fs::path(folder) / "config.json", temp = target;
    temp += ".tmp";
    {
      std::ofstream out(temp, std::ios::binary | std::ios::trunc);
      out << text;
      if (!out)
        raise(fmt::format("{}: cannot write", temp.string()));
    }
    fs::rename(temp, target, ec);
    if (ec)
      raise(fmt::format("{}: {}", target.string(), ec.message()));
  });
}

} // namespace lamina
