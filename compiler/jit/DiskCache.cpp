#include "compiler/jit/DiskCache.h"

#include <llvm/ADT/StringRef.h>
#include <llvm/Support/SHA256.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace lamina::jit {
namespace {

constexpr char kMagic[8] = {'L', 'A', 'M', 'K', 'O', 'B', 'J', '1'};
constexpr uint64_t kMaxFileBytes = uint64_t(64) << 20;

std::string sha256(const std::string &data) {
  llvm::SHA256 hash;
  hash.update(llvm::StringRef(data));
  std::array<uint8_t, 32> digest = hash.final();
  return std::string(reinterpret_cast<const char *>(digest.data()), digest.size());
}

std::string hex(const std::string &bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes)
    out += kDigits[c >> 4], out += kDigits[c & 15];
  return out;
}

std::string pathFor(const std::string &dir, const std::string &key) {
  return dir + "/" + hex(sha256(key)) + ".o";
}

void putU64(std::string &out, uint64_t v) {
  for (int k = 0; k < 8; ++k)
    out += char((v >> (8 * k)) & 0xFF);
}

bool getU64(const std::string &in, size_t &pos, uint64_t &v) {
  if (in.size() - pos < 8)
    return false;
  v = 0;
  for (int k = 0; k < 8; ++k)
    v |= uint64_t(uint8_t(in[pos + size_t(k)])) << (8 * k);
  pos += 8;
  return true;
}

// Creates dir and its parents, private to this user.
bool makeDirs(const std::string &dir) {
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/')
      continue;
    std::string part = dir.substr(0, pos);
    if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
      return false;
  }
  return true;
}

} // namespace

std::string defaultCacheDir() {
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/')
    return std::string(xdg) + "/lamina/kernels";
  if (const char *home = std::getenv("HOME"); home && *home == '/')
    return std::string(home) + "/.cache/lamina/kernels";
  return {};
}

std::optional<std::string> readCachedObject(const std::string &dir, const std::string &key) {
  if (dir.empty())
    return std::nullopt;
  std::string path = pathFor(dir, key);
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return std::nullopt;
  struct stat st {};
  std::string data;
  bool trusted = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::geteuid() &&
                 (st.st_mode & (S_IWGRP | S_IWOTH)) == 0 && uint64_t(st.st_size) <= kMaxFileBytes;
  if (trusted) {
    data.resize(size_t(st.st_size));
    size_t done = 0;
    while (done < data.size()) {
      ssize_t got = ::read(fd, data.data() + done, data.size() - done);
      if (got <= 0)
        break;
      done += size_t(got);
    }
    trusted = done == data.size();
  }
  ::close(fd);
  if (!trusted || data.size() < sizeof kMagic || std::memcmp(data.data(), kMagic, sizeof kMagic))
    return std::nullopt;
  size_t pos = sizeof kMagic;
  uint64_t keyLength = 0, objectLength = 0;
  if (!getU64(data, pos, keyLength) || keyLength > data.size() - pos ||
      data.compare(pos, size_t(keyLength), key) != 0 || keyLength != key.size())
    return std::nullopt;
  pos += size_t(keyLength);
  if (!getU64(data, pos, objectLength) || data.size() - pos < 32 ||
      objectLength != data.size() - pos - 32)
    return std::nullopt;
  std::string digest = data.substr(pos, 32);
  std::string object = data.substr(pos + 32);
  if (sha256(object) != digest)
    return std::nullopt;
  return object;
}

void writeCachedObject(const std::string &dir, const std::string &key, const std::string &object) {
  if (dir.empty() || !makeDirs(dir))
    return;
  std::string data(kMagic, sizeof kMagic);
  putU64(data, key.size());
  data += key;
  putU64(data, object.size());
  data += sha256(object);
  data += object;
  // Written under a unique name, then renamed: readers see a whole file or none.
  std::string path = pathFor(dir, key);
  std::string temp =
      path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(std::random_device{}());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    return;
  size_t done = 0;
  while (done < data.size()) {
    ssize_t put = ::write(fd, data.data() + done, data.size() - done);
    if (put <= 0)
      break;
    done += size_t(put);
  }
  bool written = done == data.size();
  bool closed = ::close(fd) == 0;
  bool ok = written && closed;
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0)
    ::unlink(temp.c_str());
}

} // namespace lamina::jit
