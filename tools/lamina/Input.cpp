#include "tools/lamina/Input.h"

#include "lamina/TensorFiles.h"
#include "runtime/tensor/TensorBridge.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lamina::cli {

namespace {

void ioError(const std::string &what, const std::string &path) {
  fmt::print(stderr, "lamina: error: cannot {} '{}': {}\n", what, path, std::strerror(errno));
}

std::optional<std::string> readStream(std::FILE *f, size_t maxBytes) {
  std::string text;
  char buffer[1 << 16];
  while (text.size() <= maxBytes) {
    size_t n = std::fread(buffer, 1, sizeof buffer, f);
    text.append(buffer, std::min(n, maxBytes + 1 - text.size()));
    if (n < sizeof buffer)
      break;
  }
  if (std::ferror(f))
    return std::nullopt;
  return text;
}

} // namespace

std::optional<SourceFile> readPath(const std::string &path, size_t maxBytes) {
  if (path == "-") {
    auto text = readStream(stdin, maxBytes);
    if (!text) {
      ioError("read", "<stdin>");
      return std::nullopt;
    }
    return SourceFile("<stdin>", std::move(*text));
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    ioError("read", path);
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    fmt::print(stderr, "lamina: error: cannot read '{}': not a regular file\n", path);
    return std::nullopt;
  }
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f) {
    ioError("read", path);
    return std::nullopt;
  }
  auto text = readStream(f, maxBytes);
  std::fclose(f);
  if (!text) {
    ioError("read", path);
    return std::nullopt;
  }
  return SourceFile(path, std::move(*text));
}

std::optional<SourceFile> readExpr(const std::string &expr, size_t maxBytes) {
  if (expr.starts_with("@"))
    return readPath(expr.substr(1), maxBytes);
  return SourceFile("<expr>", expr);
}

bool writeFileAtomically(const std::string &path, const std::string &text) {
  std::string temp = path + ".lamina-tmp";
  std::FILE *f = std::fopen(temp.c_str(), "wb");
  if (!f) {
    ioError("write", temp);
    return false;
  }
  bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  ok = std::fflush(f) == 0 && ok;
  ok = ::fsync(fileno(f)) == 0 && ok;
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(temp.c_str(), path.c_str()) != 0) {
    ioError("write", path);
    std::remove(temp.c_str());
    return false;
  }
  return true;
}

std::optional<Array> readNpyArray(const std::string &path, std::string &error) {
  try {
    return toArray(loadNpy(path));
  } catch (const lamina::Error &e) {
    error = e.what();
    return std::nullopt;
  }
}

std::string writeNpyArray(const std::string &path, const Array &array) {
  try {
    saveNpy(path, fromArray(array));
    return "";
  } catch (const lamina::Error &e) {
    return e.what();
  }
}

std::string writeNpzArrays(const std::string &path,
                           const std::vector<std::pair<std::string, Array>> &arrays) {
  NamedTensors tensors;
  for (const auto &[name, array] : arrays)
    tensors.emplace_back(name, fromArray(array));
  try {
    saveNpz(path, tensors);
    return "";
  } catch (const lamina::Error &e) {
    return e.what();
  }
}

} // namespace lamina::cli
