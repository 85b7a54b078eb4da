#include "compiler/diag/SourceFile.h"

#include <doctest/doctest.h>

using namespace lamina;

TEST_CASE("lines end at \\n, \\r\\n or a lone \\r") {
  SourceFile f("f", "ab\r\ncd\ref\ngh");
  CHECK(f.lineCount() == 4);
  CHECK(f.lineText(1) == "ab");
  CHECK(f.lineText(2) == "cd");
  CHECK(f.lineText(3) == "ef");
  CHECK(f.lineText(4) == "gh");
  CHECK(f.location(4).line == 2);
  CHECK(f.location(4).column == 1);
}

TEST_CASE("columns count code points, not bytes") {
  SourceFile f("f", "\xC3\xA9\xE4\xB8\xAD x"); // é, 中, space, x
  CHECK(f.location(6).column == 4);
  CHECK(f.location(5).column == 3);
}

TEST_CASE("the end of the text has a location") {
  SourceFile f("f", "x\n");
  CHECK(f.location(2).line == 2);
  CHECK(f.location(2).column == 1);
  CHECK(f.location(999).line == 2); // clamped, never out of bounds
}
