// Model config bytes: a lamina::Error with a code and a location in the file, or a model whose
// summary prints and whose config, written back, loads again to the same text. No other
// exception may escape (a host's `catch (lamina::Error &)` must be enough).

#include "FuzzSupport.h"

#include "lamina/Error.h"
#include "lamina/Model.h"
#include "runtime/model/ConfigReader.h"

#include <memory>

using namespace lamina;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  std::shared_ptr<Model> model;
  try {
    model = readModelConfig(std::make_shared<const SourceFile>("config.json", text)).model;
  } catch (const Error &e) {
    if (e.code().empty())
      fuzz::fail(std::string("a config error without a code: ") + e.what(), text);
    return 0;
  }
  (void)model->summary();
  std::string written = modelToJson(*model).dump();
  try {
    auto again = readModelConfig(std::make_shared<const SourceFile>("again.json", written)).model;
    if (modelToJson(*again).dump() != written)
      fuzz::fail("a loaded config does not write back the same:\n" + written, text);
  } catch (const Error &e) {
    fuzz::fail(std::string("a config lamina wrote does not load: ") + e.what() + "\n" + written,
               text);
  }
  return 0;
}
