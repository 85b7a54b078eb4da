#include "tools/lamina/Commands.h"

namespace lamina::cli {

void addJitOptions(CLI::App &command, JitOptions &options) {
  command.add_option("--cpu", options.cpu,
                     "target CPU: host (default), generic (portable x86-64) or an LLVM CPU name");
  command.add_flag("--no-cache", options.noCache, "neither read nor write the kernel cache");
  command.add_option("--cache-dir", options.cacheDir,
                     "the kernel cache folder (default: $XDG_CACHE_HOME/lamina/kernels)");
}

driver::CompileOptions compileOptions(const JitOptions &options) {
  driver::CompileOptions out;
  out.cpu = options.cpu;
  out.diskCache = !options.noCache;
  out.cacheDir = options.cacheDir;
  return out;
}

} // namespace lamina::cli
