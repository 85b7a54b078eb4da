#include "runtime/io/AtomicWrite.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace lamina::io::detail {

std::string lowerFirst(std::string s) {
  if (s.size() > 1 && !std::isupper(static_cast<unsigned char>(s[1])))
    s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

std::string systemError(int code) { return lowerFirst(std::strerror(code)); }

std::string writeAtomically(const std::string &path,
                            std::span<const std::span<const std::byte>> pieces) {
  static std::atomic<unsigned> counter{0};
  std::string temp;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    temp = path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST)
      break;
  }
  if (fd < 0)
    return "cannot write: " + systemError(errno);
  int error = 0;
  for (std::span<const std::byte> piece : pieces) {
    const std::byte *p = piece.data();
    size_t left = piece.size();
    while (left > 0 && !error) {
      ssize_t n = ::write(fd, p, std::min<size_t>(left, size_t(1) << 30));
      if (n < 0 && errno != EINTR)
        error = errno;
      if (n > 0) {
        p += n;
        left -= static_cast<size_t>(n);
      }
    }
  }
  if (!error && ::fsync(fd) != 0)
    error = errno;
  if (::close(fd) != 0 && !error)
    error = errno;
  if (!error && std::rename(temp.c_str(), path.c_str()) != 0)
    error = errno;
  if (error) {
    ::unlink(temp.c_str());
    return "cannot write: " + systemError(error);
  }
  return "";
}

std::string writeAtomically(const std::string &path, std::span<const std::byte> bytes) {
  std::span<const std::byte> pieces[] = {bytes};
  return writeAtomically(path, pieces);
}

} // namespace lamina::io::detail
