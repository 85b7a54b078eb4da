#pragma once

// Everything the runtime refuses is reported by throwing lamina::Error. what() is the whole
// report as a terminal shows it, diagnostics rendered like a compiler's
// (`model.json:12:31: error[E0204]: ...` with the line and a caret); code() is the stable
// code of the first diagnostic, or "" for errors that are not about a located input (an I/O
// failure, a misuse of the API such as count_params() before build()).

#include "lamina/Export.h"

#include <stdexcept>
#include <string>

namespace lamina {

class LAMINA_API Error : public std::runtime_error {
public:
  Error(std::string code, const std::string &what)
      : std::runtime_error(what), code_(std::move(code)) {}
  const std::string &code() const { return code_; }

private:
  std::string code_;
};

} // namespace lamina
