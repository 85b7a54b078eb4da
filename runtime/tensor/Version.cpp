// The library's version, so that a host can check at run time what it loaded.

#include "lamina/lamina.h"

#include <string_view>

static_assert(std::string_view(LAMINA_VERSION_STRING) == LAMINA_BUILD_VERSION,
              "include/lamina/lamina.h's LAMINA_VERSION_STRING must match project(VERSION)");

namespace lamina {

const char *version() { return LAMINA_VERSION_STRING; }

} // namespace lamina
