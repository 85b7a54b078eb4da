// docs/language.md holds generated text between markers: the builtin and alias reference and
// the promotion tables. These tests keep the page equal to what the registry and the dtype
// rules say, so the reference cannot drift from the implementation.

#include "compiler/sema/Builtins.h"
#include "compiler/sema/Reference.h"
#include "compiler/types/DType.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace lamina;

namespace {

std::string languageDoc() {
  std::ifstream file(LAMINA_SOURCE_DIR "/docs/language.md", std::ios::binary);
  REQUIRE_MESSAGE(file, "cannot read docs/language.md");
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// The text after the line `<!-- NAME:begin -->` up to `<!-- NAME:end -->`, and the line number
// of its first line; nothing when the markers are missing, repeated or out of order.
std::optional<std::pair<std::string, int>> between(const std::string &doc,
                                                   const std::string &name) {
  std::string begin = "<!-- " + name + ":begin -->\n", end = "<!-- " + name + ":end -->";
  size_t b = doc.find(begin), e = doc.find(end);
  if (b == std::string::npos || e == std::string::npos || e < b ||
      doc.find(begin, b + 1) != std::string::npos || doc.find(end, e + 1) != std::string::npos)
    return std::nullopt;
  int line = 2 + int(std::count(doc.begin(), doc.begin() + long(b), '\n'));
  return std::pair{doc.substr(b + begin.size(), e - b - begin.size()), line};
}

// Where two texts first differ: "line N has `...`, the generated text `...`", N a line of the page.
std::string firstDifference(const std::string &doc, const std::string &generated, int firstLine) {
  std::istringstream a(doc), b(generated);
  std::string la, lb;
  for (int line = firstLine;; ++line) {
    bool ha = bool(std::getline(a, la)), hb = bool(std::getline(b, lb));
    if (!ha && !hb)
      return "they differ only in the final line break";
    if (!ha || !hb || la != lb)
      return "line " + std::to_string(line) + " has `" + (ha ? la : "<the end marker>") +
             "`, the generated text `" + (hb ? lb : "<its end>") + "`";
  }
}

void checkSection(const std::string &name, const std::string &generated,
                  const std::string &command) {
  std::string doc = languageDoc();
  std::string begin = "<!-- " + name + ":begin -->", end = "<!-- " + name + ":end -->";
  auto section = between(doc, name);
  REQUIRE_MESSAGE(section, "docs/language.md needs one line `" << begin << "` and, after it, one `"
                                                               << end << "`");
  bool upToDate = section->first == generated; // not in the CHECK, which would print both texts
  CHECK_MESSAGE(upToDate, "docs/language.md is out of date between `"
                              << begin << "` and `" << end << "`: "
                              << firstDifference(section->first, generated, section->second)
                              << ". Regenerate it: run scripts/regen-docs.sh (which pastes the "
                              << "output of `" << command << "` between the two markers).");
}

} // namespace

TEST_CASE("docs: language.md holds the generated builtin and alias reference") {
  checkSection("builtins", builtinReference(), "lamina doc builtins");
}

TEST_CASE("docs: language.md holds the generated promotion tables") {
  checkSection("promotion", promotionTable(), "lamina doc promotion");
}

TEST_CASE("docs: the builtin reference names every builtin and alias") {
  std::string reference = builtinReference();
  for (const sema::BuiltinDef *def : sema::allBuiltins()) {
    if (def->name.starts_with("_"))
      CHECK_MESSAGE(reference.find("`" + std::string(def->name) + "`") == std::string::npos,
                    def->name << " is an alias target only and must not be listed");
    else
      CHECK_MESSAGE(reference.find("| `" + std::string(def->name) + "` |") != std::string::npos,
                    def->name << " is missing from the builtin reference");
  }
}

TEST_CASE("docs: the alias listing has one line per alias row with every spelling") {
  std::string listing = aliasListing();
  std::vector<std::string> lines;
  for (size_t start = 0, nl; (nl = listing.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(listing.substr(start, nl - start));
  REQUIRE(lines.size() == sema::aliasTable().size() + 1);
  CHECK(lines[0] == "alias\ttarget\tsignature\tspellings");
  for (size_t k = 0; k < sema::aliasTable().size(); ++k) {
    const sema::AliasDef &alias = sema::aliasTable()[k];
    CAPTURE(alias.name);
    CHECK(lines[k + 1].starts_with(std::string(alias.name) + "\t" + std::string(alias.target) +
                                   "\t"));
  }
  CHECK(listing.find("\nnp.sum\t_np_sum\t") != std::string::npos);
  CHECK(listing.find("\tnp.sum,jnp.sum,numpy.sum,tf.experimental.numpy.sum\n") !=
        std::string::npos);
  CHECK(listing.find(",tf.keras.activations.hard_sigmoid\n") != std::string::npos);
}

TEST_CASE("docs: the promotion table has one cell per pair of dtypes") {
  std::string table = promotionTable();
  for (DType a : promotionOrder()) {
    std::string row = "| **" + std::string(shortName(a)) + "** |";
    for (DType b : promotionOrder())
      row += " " + std::string(shortName(promote(a, b))) + " |";
    CHECK_MESSAGE(table.find(row + "\n") != std::string::npos, row);
  }
}
