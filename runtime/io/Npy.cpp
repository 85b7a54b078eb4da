#include "runtime/io/Npy.h"

#include "runtime/io/ArrayChecks.h"
#include "runtime/io/AtomicWrite.h"
#include "runtime/io/LittleEndian.h"
#include "runtime/io/MessageText.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <sys/stat.h>
#include <unordered_set>
#include <zip.h>

namespace lamina::io {

// Byte counts up to IoLimits::maxBytes become vector sizes and file offsets; with a 64-bit
// size_t every checked uint64_t count fits both.
static_assert(sizeof(size_t) == 8 && sizeof(off_t) == 8, "lamina_io assumes a 64-bit platform");

namespace {

// The format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
constexpr std::string_view kMagic = "\x93NUMPY";
// Magic, version, and the header length field, which is 4 bytes in versions 2.0 and 3.0.
constexpr uint64_t kMaxPrefixBytes = 12;
// numpy.save pads the header so that the data starts at a multiple of this.
constexpr size_t kAlign = 64;
// numpy.save leaves room for the first dimension to grow to this many digits, so that a file
// can be appended to in place; the padding is part of what makes our files byte-identical.
constexpr size_t kGrowthDigits = 21;

using detail::complexData;
using detail::lowerFirst;
using detail::outOfMemory;
using detail::plural;
using detail::quote;
using detail::systemError;
using detail::writeAtomically;

std::string zipErrorText(int code) {
  zip_error_t e;
  zip_error_init_with_code(&e, code);
  std::string text = zip_error_strerror(&e);
  zip_error_fini(&e);
  return lowerFirst(text);
}

uint64_t saturatingAdd(uint64_t a, uint64_t b) {
  uint64_t sum;
  return __builtin_add_overflow(a, b, &sum) ? UINT64_MAX : sum;
}

// Header text in messages is cut shorter than quote's default: a header may be 64 KiB of one
// string, and the message names the header's own words, which are short.
constexpr size_t kQuoted = 40;

// The NumPy types lamina has, by the two characters after the byte-order character.
struct NpyType {
  std::string_view code;
  DType dtype;
};
constexpr NpyType kNpyTypes[] = {{"b1", DType::Bool}, {"i1", DType::I8},  {"u1", DType::U8},
                                 {"i2", DType::I16},  {"u2", DType::U16}, {"i4", DType::I32},
                                 {"u4", DType::U32},  {"i8", DType::I64}, {"u8", DType::U64},
                                 {"f2", DType::F16},  {"f4", DType::F32}, {"f8", DType::F64}};

std::string unsupportedDescr(std::string_view descr) {
  // Complex data ('<c8', '<c16', with any byte order) gets E0417's advice, not a list.
  std::string_view code =
      descr.size() > 1 && std::string_view("<>|=").find(descr[0]) != std::string_view::npos
          ? descr.substr(1)
          : descr;
  if (isComplexDTypeName(code))
    return complexData(quote(descr, kQuoted));
  std::string list;
  for (const NpyType &t : kNpyTypes)
    list += (list.empty() ? "'" : ", '") + std::string(npyDescr(t.dtype)) + "'";
  return "unsupported descr " + quote(descr, kQuoted) + "; supported: " + list +
         ", with any byte order ('<', '>', '|', '=' or none)";
}

struct Decoded {
  DType dtype;
  bool swap;
};

// '|', '=' and no byte-order character at all ("f4", which np.dtype also reads) mean the
// writer's native order; NumPy only writes '|', for one-byte types. lamina's Array is
// little-endian, as is every platform lamina runs on. Other spellings NumPy accepts ("<f",
// "|b", "3<f4") mean other types or subarrays, so they are refused rather than guessed at.
std::optional<Decoded> decodeDescr(std::string_view descr) {
  bool bigEndian = false;
  if (descr.size() == 3 && std::string_view("<>|=").find(descr[0]) != std::string_view::npos) {
    bigEndian = descr[0] == '>';
    descr.remove_prefix(1);
  }
  for (const NpyType &t : kNpyTypes)
    if (descr == t.code)
      return Decoded{t.dtype, bigEndian && byteSize(t.dtype) > 1};
  return std::nullopt;
}

struct HeaderFields {
  std::string descr;
  bool fortran = false;
  std::vector<int64_t> shape;
};

// The header is a Python dict literal that NumPy reads with ast.literal_eval. This accepts
// the subset any writer produces: string keys and descr, True/False, a tuple of non-negative
// integers, Python's whitespace between tokens and trailing commas. Anything else is an
// error, so that no header is read differently from how NumPy would read it.
class HeaderParser {
public:
  HeaderParser(std::string_view text, uint64_t fileOffset) : text_(text), offset_(fileOffset) {}

  /// "" with `out` filled, or an error.
  std::string parse(HeaderFields &out) {
    bool seenDescr = false, seenFortran = false, seenShape = false;
    skipSpace();
    if (!expect('{', "'{' starting the header dict"))
      return error_;
    for (;;) {
      skipSpace();
      if (accept('}'))
        break;
      size_t keyAt = pos_;
      std::string key;
      if (!parseString(key, "a quoted key or '}'"))
        return error_;
      bool *seen = key == "descr"           ? &seenDescr
                   : key == "fortran_order" ? &seenFortran
                   : key == "shape"         ? &seenShape
                                            : nullptr;
      if (!seen)
        return failAt(keyAt, "unknown key " + quote(key, kQuoted) +
                                 " (the keys are 'descr', 'fortran_order' and 'shape')");
      if (*seen)
        return failAt(keyAt, "duplicate key '" + key + "'");
      *seen = true;
      skipSpace();
      if (!expect(':', "':' after '" + key + "'"))
        return error_;
      skipSpace();
      bool ok = key == "descr"   ? parseDescr(out.descr)
                : key == "shape" ? parseShape(out.shape)
                                 : parseBool(out.fortran);
      if (!ok)
        return error_;
      skipSpace();
      if (accept(','))
        continue;
      if (accept('}'))
        break;
      return fail("',' or '}' after the value of '" + key + "'");
    }
    skipSpace();
    if (pos_ != text_.size())
      return fail("only whitespace after the header dict");
    for (auto [seen, key] : {std::pair{seenDescr, "descr"}, std::pair{seenFortran, "fortran_order"},
                             std::pair{seenShape, "shape"}})
      if (!seen)
        return "header has no '" + std::string(key) + "' key";
    return "";
  }

private:
  bool atEnd() const { return pos_ >= text_.size(); }
  bool accept(char c) {
    if (atEnd() || text_[pos_] != c)
      return false;
    ++pos_;
    return true;
  }
  bool isDigit() const { return !atEnd() && text_[pos_] >= '0' && text_[pos_] <= '9'; }

  // Python's whitespace between tokens; inside brackets a newline is whitespace too.
  void skipSpace() {
    while (!atEnd() && std::string_view(" \t\n\r\f").find(text_[pos_]) != std::string_view::npos)
      ++pos_;
  }

  std::string found() const {
    if (atEnd())
      return "the end of the header";
    unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c >= 0x20 && c < 0x7f)
      return "'" + std::string(1, static_cast<char>(c)) + "'";
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02x", c);
    return "byte " + std::string(hex);
  }

  std::string failAt(size_t at, const std::string &what) {
    error_ = "malformed header at byte " + std::to_string(offset_ + at) + ": " + what;
    return error_;
  }
  std::string fail(const std::string &expected) {
    return failAt(pos_, "expected " + expected + ", found " + found());
  }
  bool expect(char c, const std::string &what) {
    if (accept(c))
      return true;
    fail(what);
    return false;
  }

  // No escapes and no prefixes: no key or supported descr needs them.
  bool parseString(std::string &out, const std::string &what) {
    if (atEnd() || (text_[pos_] != '\'' && text_[pos_] != '"')) {
      fail(what);
      return false;
    }
    size_t start = pos_;
    char quote = text_[pos_++];
    for (; !atEnd() && text_[pos_] != quote; ++pos_) {
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '\\') {
        failAt(pos_, "escape sequences are not supported in header strings");
        return false;
      }
      if (c < 0x20 || c >= 0x7f) {
        failAt(start, "unterminated string or unexpected " + found() + " in it");
        return false;
      }
    }
    if (atEnd()) {
      failAt(start, "unterminated string");
      return false;
    }
    out.assign(text_.substr(start + 1, pos_ - start - 1));
    ++pos_;
    return true;
  }

  bool parseDescr(std::string &out) {
    if (!atEnd() && text_[pos_] == '[') {
      failAt(pos_, "structured dtypes (a list as descr) are not supported");
      return false;
    }
    return parseString(out, "a quoted descr such as '<f4'");
  }

  bool parseBool(bool &out) {
    size_t start = pos_;
    while (!atEnd() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_'))
      ++pos_;
    std::string_view word = text_.substr(start, pos_ - start);
    if (word == "True" || word == "False") {
      out = word == "True";
      return true;
    }
    pos_ = start;
    fail("True or False as the value of 'fortran_order'");
    return false;
  }

  bool parseDimension(int64_t &out) {
    size_t start = pos_;
    bool negative = accept('-');
    if (!isDigit()) {
      pos_ = start;
      fail("a dimension (a non-negative integer)");
      return false;
    }
    if (text_[pos_] == '0' && pos_ + 1 < text_.size() && text_[pos_ + 1] >= '0' &&
        text_[pos_ + 1] <= '9') {
      failAt(pos_, "leading zeros are not allowed in a dimension");
      return false;
    }
    uint64_t value = 0;
    bool tooLarge = false;
    for (; isDigit(); ++pos_)
      tooLarge |= __builtin_mul_overflow(value, 10u, &value) ||
                  __builtin_add_overflow(value, unsigned(text_[pos_] - '0'), &value);
    std::string digits = quote(text_.substr(start, pos_ - start), kQuoted);
    if (negative) {
      failAt(start, "dimension " + digits + " is negative");
      return false;
    }
    if (tooLarge || value > uint64_t(INT64_MAX)) {
      failAt(start, "dimension " + digits + " is larger than 2^63 - 1");
      return false;
    }
    out = static_cast<int64_t>(value);
    return true;
  }

  // A tuple: "()", "(3,)", "(2, 3)", "(2, 3,)". "(3)" is the integer 3, not a tuple.
  bool parseShape(std::vector<int64_t> &out) {
    if (!expect('(', "'(' starting the shape tuple"))
      return false;
    skipSpace();
    if (accept(')'))
      return true;
    for (;;) {
      size_t start = pos_;
      int64_t d;
      if (!parseDimension(d))
        return false;
      if (out.size() == kMaxRank) {
        failAt(start, "shape has more than " + std::to_string(kMaxRank) + " dimensions");
        return false;
      }
      out.push_back(d);
      skipSpace();
      if (!atEnd() && text_[pos_] == ')' && out.size() == 1) {
        failAt(pos_, "a one-dimensional shape needs a trailing comma: (n,) is a tuple, (n) is not");
        return false;
      }
      if (accept(')'))
        return true;
      if (!expect(',', "',' or ')' in the shape"))
        return false;
      skipSpace();
      if (accept(')'))
        return true;
    }
  }

  std::string_view text_;
  uint64_t offset_;
  size_t pos_ = 0;
  std::string error_;
};

// Where the array is in the file and what it holds; checked against the file's size and the
// limits, so that what it describes can be allocated.
struct Layout {
  DType dtype = DType::F32;
  bool swap = false;
  bool fortran = false;
  std::vector<int64_t> shape;
  uint64_t dataOffset = 0;
  uint64_t dataBytes = 0;
};

// "3 x 4 elements of 4 bytes", "a 0-d array of 8 bytes".
std::string declared(const std::vector<int64_t> &shape, unsigned itemBytes) {
  std::string item = "of " + plural(itemBytes, "byte");
  if (shape.empty())
    return "a 0-d array " + item;
  std::string dims;
  for (int64_t d : shape)
    dims += (dims.empty() ? "" : " x ") + std::to_string(d);
  bool one = shape.size() == 1 && shape[0] == 1;
  return dims + (one ? " element " : " elements ") + item;
}

/// Checks everything up to the data, except its size. `head` is the start of a file of `fileSize`
/// bytes and holds at least its first min(fileSize, kMaxPrefixBytes + kMaxHeaderBytes) bytes.
std::string parseLayout(std::span<const std::byte> head, uint64_t fileSize, const IoLimits &limits,
                        Layout &out) {
  size_t compared = std::min(head.size(), kMagic.size());
  // (memcmp must not see the null data() of an empty span.)
  if (compared > 0 && std::memcmp(head.data(), kMagic.data(), compared) != 0)
    return "not a .npy file: it does not start with \\x93NUMPY";
  std::string tooShort = "truncated: " + plural(fileSize, "byte") + " is too short for a .npy file";
  if (fileSize < 8)
    return tooShort;
  unsigned major = std::to_integer<unsigned>(head[6]), minor = std::to_integer<unsigned>(head[7]);
  if (major < 1 || major > 3 || minor != 0)
    return "unsupported .npy format version " + std::to_string(major) + "." +
           std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)";
  size_t lengthBytes = major == 1 ? 2 : 4;
  uint64_t headerOffset = 8 + lengthBytes;
  if (fileSize < headerOffset)
    return tooShort;
  uint64_t headerBytes = detail::readLittleEndian(head.subspan(8, lengthBytes));
  if (headerBytes > kMaxHeaderBytes)
    return "header of " + plural(headerBytes, "byte") + " is longer than the limit of " +
           std::to_string(kMaxHeaderBytes);
  if (fileSize - headerOffset < headerBytes)
    return "truncated: the header of " + plural(headerBytes, "byte") +
           " runs past the end of the file (" + plural(fileSize, "byte") + ")";

  // Versions 1.0 and 2.0 are Latin-1 and 3.0 is UTF-8, but none of what is accepted here is
  // outside ASCII, so the parser sees bytes.
  std::string_view text(reinterpret_cast<const char *>(head.data()) + headerOffset, headerBytes);
  HeaderFields fields;
  if (std::string e = HeaderParser(text, headerOffset).parse(fields); !e.empty())
    return e;
  std::optional<Decoded> type = decodeDescr(fields.descr);
  if (!type)
    return unsupportedDescr(fields.descr);

  unsigned itemBytes = byteSize(type->dtype);
  detail::ShapeBytes size = detail::shapeBytes(fields.shape, itemBytes);
  if (!size.fits)
    return "header declares " + declared(fields.shape, itemBytes) +
           (size.empty
                ? ": an empty shape whose other dimensions multiply to more than 2^63 bytes, "
                  "which NumPy refuses too"
                : ", more than the limit of " + plural(limits.maxBytes, "byte"));
  if (size.bytes > limits.maxBytes)
    return "header declares " + declared(fields.shape, itemBytes) + " (" +
           plural(size.bytes, "byte") + "), more than the limit of " +
           plural(limits.maxBytes, "byte");

  out.dtype = type->dtype;
  out.swap = type->swap;
  out.fortran = fields.fortran;
  out.shape = std::move(fields.shape);
  out.dataOffset = headerOffset + headerBytes;
  out.dataBytes = size.bytes;
  return "";
}

/// The data must fill the rest of the file exactly.
std::string checkDataSize(const Layout &layout, uint64_t fileSize) {
  uint64_t present = fileSize - layout.dataOffset;
  if (present < layout.dataBytes)
    return "truncated: the header declares " + declared(layout.shape, byteSize(layout.dtype)) +
           " (" + plural(layout.dataBytes, "byte") + ") but " + plural(present, "byte") +
           " of data follow";
  if (present > layout.dataBytes)
    return plural(present - layout.dataBytes, "byte") + " of trailing data after the " +
           plural(layout.dataBytes, "byte") + " of array data the header declares";
  return "";
}

// Fortran order is C order of the reversed shape; walk the C-order output with an odometer
// and keep the matching Fortran-order input offset.
std::vector<std::byte> fortranToC(const std::vector<std::byte> &in,
                                  const std::vector<int64_t> &shape, size_t itemBytes) {
  size_t rank = shape.size();
  std::vector<size_t> stride(rank), index(rank, 0);
  size_t s = itemBytes;
  for (size_t k = 0; k < rank; ++k) {
    stride[k] = s;
    s *= static_cast<size_t>(shape[k]);
  }
  std::vector<std::byte> out(in.size());
  size_t from = 0;
  for (size_t to = 0; to < out.size(); to += itemBytes) {
    std::memcpy(out.data() + to, in.data() + from, itemBytes);
    for (size_t k = rank; k-- > 0;) {
      if (++index[k] < static_cast<size_t>(shape[k])) {
        from += stride[k];
        break;
      }
      from -= stride[k] * (index[k] - 1);
      index[k] = 0;
    }
  }
  return out;
}

/// parseLayout and checkDataSize, for a file whose size is known.
std::string parseWhole(std::span<const std::byte> head, uint64_t fileSize, const IoLimits &limits,
                       Layout &out) {
  std::string e = parseLayout(head, fileSize, limits, out);
  return e.empty() ? checkDataSize(out, fileSize) : e;
}

/// Turns the checked data (exactly layout.dataBytes) into the array.
std::string decode(const Layout &layout, std::vector<std::byte> data, Array &out) {
  if (layout.dtype == DType::Bool)
    if (std::string e = detail::checkBoolBytes(data, layout.dataOffset); !e.empty())
      return e;
  size_t itemBytes = byteSize(layout.dtype);
  if (layout.swap)
    for (size_t i = 0; i < data.size(); i += itemBytes)
      std::reverse(data.begin() + static_cast<ptrdiff_t>(i),
                   data.begin() + static_cast<ptrdiff_t>(i + itemBytes));
  if (layout.fortran && layout.shape.size() > 1 && !data.empty())
    data = fortranToC(data, layout.shape, itemBytes);
  out.dtype = layout.dtype;
  out.shape = layout.shape;
  out.bytes = std::move(data);
  return "";
}

ReadResult failure(std::string_view name, const std::string &error) {
  return {std::nullopt, std::string(name) + ": " + error};
}

/// Parses a whole file held in `file`, reusing its storage for the data.
ReadResult parseOwned(std::string_view name, std::vector<std::byte> file, const IoLimits &limits) {
  Layout layout;
  if (std::string e = parseWhole(file, file.size(), limits, layout); !e.empty())
    return failure(name, e);
  file.erase(file.begin(), file.begin() + static_cast<ptrdiff_t>(layout.dataOffset));
  Array a;
  if (std::string e = decode(layout, std::move(file), a); !e.empty())
    return failure(name, e);
  return {std::move(a), ""};
}

struct FileCloser {
  void operator()(std::FILE *f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

/// Reads exactly `n` bytes; "" or why not.
std::string readExactly(std::FILE *f, std::byte *to, size_t n) {
  if (n == 0 || std::fread(to, 1, n, f) == n)
    return "";
  if (std::ferror(f))
    return "cannot read: " + systemError(errno);
  return "the file changed while it was read";
}

/// Appends to `to` until it holds `limit` bytes or the stream ends; false on a read error.
bool readUpTo(std::FILE *f, std::vector<std::byte> &to, uint64_t limit) {
  std::byte buffer[1 << 16];
  while (to.size() < limit) {
    size_t n = std::fread(buffer, 1, std::min<uint64_t>(sizeof buffer, limit - to.size()), f);
    to.insert(to.end(), buffer, buffer + n);
    if (n == 0)
      return !std::ferror(f);
  }
  return true;
}

/// The array's own problems, which would make writeNpy's output unreadable or wrong.
std::string checkWritable(const Array &a) {
  // bf16 passes the dtype check, so refusing it before the shared checks keeps their order.
  if (a.dtype == DType::BF16)
    return "bf16 has no .npy type; cast to f32 first";
  if (std::string error = detail::checkDTypeAndShape(a); !error.empty())
    return error;
  detail::ShapeBytes size = detail::shapeBytes(a.shape, byteSize(a.dtype));
  if (!size.fits)
    return "array shape has more bytes than fit in 63 bits";
  if (a.bytes.size() != size.bytes)
    return "array holds " + plural(a.bytes.size(), "byte") + " but its shape and dtype need " +
           std::to_string(size.bytes);
  return detail::checkBoolValues(a);
}

/// numpy.save's header for a valid array, including magic, version and length.
std::string encodeHeader(const Array &a) {
  std::string dict =
      "{'descr': '" + std::string(npyDescr(a.dtype)) + "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < a.shape.size(); ++i)
    dict += (i ? ", " : "") + std::to_string(a.shape[i]);
  dict += a.shape.size() == 1 ? ",), }" : "), }";
  if (!a.shape.empty())
    dict.append(kGrowthDigits - std::to_string(a.shape[0]).size(), ' ');
  size_t prefix = kMagic.size() + 2 + 2;
  // Like NumPy: a full block of padding when the header would already end on the boundary.
  dict.append(kAlign - (prefix + dict.size() + 1) % kAlign, ' ');
  dict += '\n';
  std::string out(kMagic);
  out += '\x01';
  out += '\x00';
  detail::appendLittleEndian(out, dict.size(), 2);
  return out + dict;
}

struct ZipDiscarder {
  void operator()(zip_t *z) const { zip_discard(z); }
};
using Zip = std::unique_ptr<zip_t, ZipDiscarder>;

ReadResult parseNpyImpl(std::string_view name, std::span<const std::byte> data,
                        const IoLimits &limits) {
  Layout layout;
  if (std::string e = parseWhole(data, data.size(), limits, layout); !e.empty())
    return failure(name, e);
  Array a;
  std::vector<std::byte> bytes(data.begin() + static_cast<ptrdiff_t>(layout.dataOffset),
                               data.end());
  if (std::string e = decode(layout, std::move(bytes), a); !e.empty())
    return failure(name, e);
  return {std::move(a), ""};
}

ReadResult readNpyImpl(const std::string &path, const IoLimits &limits) {
  File f(std::fopen(path.c_str(), "rb"));
  if (!f)
    return failure(path, "cannot open: " + systemError(errno));
  struct stat st {};
  if (::fstat(fileno(f.get()), &st) != 0)
    return failure(path, "cannot read: " + systemError(errno));
  if (S_ISDIR(st.st_mode))
    return failure(path, "cannot read: is a directory");

  if (!S_ISREG(st.st_mode)) {
    // A pipe or a device has no size: read the header first, then no more than the data it
    // declares and one byte, which tells that there is trailing data, though not how much.
    // The buffer grows with what arrives, so a short stream allocates little.
    std::vector<std::byte> file;
    if (!readUpTo(f.get(), file, kMaxPrefixBytes + kMaxHeaderBytes))
      return failure(path, "cannot read: " + systemError(errno));
    if (!std::feof(f.get())) {
      Layout layout;
      if (std::string e = parseLayout(file, UINT64_MAX, limits, layout); !e.empty())
        return failure(path, e);
      if (!readUpTo(f.get(), file, layout.dataOffset + layout.dataBytes + 1))
        return failure(path, "cannot read: " + systemError(errno));
      if (file.size() > layout.dataOffset + layout.dataBytes)
        return failure(path, "trailing data after the " + plural(layout.dataBytes, "byte") +
                                 " of array data the header declares");
    }
    return parseOwned(path, std::move(file), limits);
  }

  uint64_t fileSize = static_cast<uint64_t>(st.st_size);
  std::vector<std::byte> head(std::min(fileSize, kMaxPrefixBytes + kMaxHeaderBytes));
  if (std::string e = readExactly(f.get(), head.data(), head.size()); !e.empty())
    return failure(path, e);
  Layout layout;
  if (std::string e = parseWhole(head, fileSize, limits, layout); !e.empty())
    return failure(path, e);

  // Only now is the size known to be within the limits and present in the file.
  std::vector<std::byte> data(layout.dataBytes);
  if (::fseeko(f.get(), static_cast<off_t>(layout.dataOffset), SEEK_SET) != 0)
    return failure(path, "cannot read: " + systemError(errno));
  if (std::string e = readExactly(f.get(), data.data(), data.size()); !e.empty())
    return failure(path, e);
  if (std::fgetc(f.get()) != EOF)
    return failure(path, "the file changed while it was read");
  Array a;
  if (std::string e = decode(layout, std::move(data), a); !e.empty())
    return failure(path, e);
  return {std::move(a), ""};
}

std::vector<std::byte> encodeImpl(const Array &a) {
  if (!checkWritable(a).empty())
    return {};
  std::string header = encodeHeader(a);
  std::vector<std::byte> out(header.size() + a.bytes.size());
  std::memcpy(out.data(), header.data(), header.size());
  if (!a.bytes.empty())
    std::memcpy(out.data() + header.size(), a.bytes.data(), a.bytes.size());
  return out;
}

std::string writeNpyImpl(const std::string &path, const Array &a) {
  if (std::string e = checkWritable(a); !e.empty())
    return path + ": " + e;
  if (std::string e = writeAtomically(path, encodeImpl(a)); !e.empty())
    return path + ": " + e;
  return "";
}

NamedArrays readNpzImpl(const std::string &path, const IoLimits &limits) {
  auto fail = [&](const std::string &e) { return NamedArrays{{}, path + ": " + e}; };
  // libzip's messages for a missing file are vaguer than the system's.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return fail("cannot open: " + systemError(errno));
  if (S_ISDIR(st.st_mode))
    return fail("cannot read: is a directory");
  int code = 0;
  Zip zip(zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code));
  // ZIP_CHECKCONS makes libzip compare each member's local header with the directory, and
  // refuse an archive with two members of one name, which it reports as ZIP_ER_EXISTS.
  if (!zip && code == ZIP_ER_EXISTS)
    return fail("cannot read as a .npz (zip) archive: two members have the same name");
  if (!zip)
    return fail("cannot read as a .npz (zip) archive: " + zipErrorText(code));

  zip_int64_t members = zip_get_num_entries(zip.get(), 0);
  if (members < 0 || uint64_t(members) > kMaxNpzMembers)
    return fail("archive has " + std::to_string(members) + " members, more than the limit of " +
                std::to_string(kMaxNpzMembers));
  uint64_t maxMemberBytes = saturatingAdd(limits.maxBytes, kMaxPrefixBytes + kMaxHeaderBytes);
  NamedArrays result;
  std::unordered_set<std::string> seen;
  for (zip_int64_t i = 0; i < members; ++i) {
    zip_uint64_t index = static_cast<zip_uint64_t>(i);
    zip_stat_t zs;
    zip_stat_init(&zs);
    if (zip_stat_index(zip.get(), index, 0, &zs) != 0 || !(zs.valid & ZIP_STAT_NAME))
      return fail("cannot read member " + std::to_string(i) + ": " +
                  lowerFirst(zip_strerror(zip.get())));
    std::string name = zs.name;
    if (!name.ends_with(".npy"))
      continue;
    std::string member = "member " + quote(name, 200);
    if (!seen.insert(name).second) // (libzip checks this too)
      return fail(member + " appears twice");
    if ((zs.valid & ZIP_STAT_ENCRYPTION_METHOD) && zs.encryption_method != ZIP_EM_NONE)
      return fail(member + " is encrypted");
    if (!(zs.valid & ZIP_STAT_COMP_METHOD) ||
        (zs.comp_method != ZIP_CM_STORE && zs.comp_method != ZIP_CM_DEFLATE))
      return fail(member + " uses compression method " + std::to_string(zs.comp_method) +
                  "; only stored and deflated members are supported");
    if (!(zs.valid & ZIP_STAT_SIZE))
      return fail(member + " has no recorded size");
    if (zs.size > maxMemberBytes)
      return fail(member + " is " + plural(zs.size, "byte") + " uncompressed, more than the " +
                  plural(maxMemberBytes, "byte") + " a .npy file within the limits holds");

    zip_file_t *zf = zip_fopen_index(zip.get(), index, 0);
    if (!zf)
      return fail(member + ": " + lowerFirst(zip_strerror(zip.get())));
    // The recorded size is only a claim: grow the buffer with the data that arrives, so that a
    // small archive claiming a large member allocates little. The last step reserves exactly
    // the recorded size, so a truthful member wastes no memory.
    std::vector<std::byte> file;
    zip_int64_t n = 0;
    while (file.size() < zs.size) {
      size_t have = file.size();
      if (have == file.capacity())
        file.reserve(std::min<uint64_t>(zs.size, std::max<uint64_t>(2 * have, 1 << 20)));
      file.resize(file.capacity());
      n = zip_fread(zf, file.data() + have, file.size() - have);
      file.resize(have + static_cast<size_t>(std::max<zip_int64_t>(n, 0)));
      if (n <= 0)
        break;
    }
    // One more read reaches the end, where libzip checks the CRC, and catches data longer
    // than the directory says.
    std::byte extra;
    if (n >= 0 && file.size() == zs.size)
      n = zip_fread(zf, &extra, 1);
    std::string error = n < 0 ? lowerFirst(zip_file_strerror(zf)) : "";
    zip_fclose(zf);
    if (!error.empty())
      return fail(member + ": " + error);
    if (file.size() < zs.size)
      return fail(member + " is shorter than its recorded size of " + plural(zs.size, "byte"));
    if (n > 0)
      return fail(member + " is longer than its recorded size of " + plural(zs.size, "byte"));

    ReadResult r = parseOwned(path + ": " + member, std::move(file), limits);
    if (!r.array)
      return {{}, r.error};
    name.resize(name.size() - 4);
    result.arrays.emplace_back(std::move(name), std::move(*r.array));
  }
  return result;
}

std::string writeNpzImpl(const std::string &path,
                         const std::vector<std::pair<std::string, Array>> &arrays) {
  std::unordered_set<std::string> names;
  for (const auto &[name, a] : arrays) {
    if (name.empty() || name.find('\0') != std::string::npos)
      return path + ": array name '" + name + "' is empty or contains a NUL character";
    if (!names.insert(name).second)
      return path + ": two arrays are named '" + name + "'";
    if (std::string e = checkWritable(a); !e.empty())
      return path + ": array '" + name + "': " + e;
  }
  if (arrays.empty()) {
    // libzip deletes an archive with no members instead of writing one; numpy.savez writes
    // the bare end-of-central-directory record.
    std::vector<std::byte> empty(22, std::byte{0});
    for (size_t i = 0; i < 4; ++i)
      empty[i] = std::byte("PK\x05\x06"[i]);
    if (std::string e = writeAtomically(path, empty); !e.empty())
      return path + ": " + e;
    return "";
  }

  // libzip writes to a temporary file beside `path` and renames it on zip_close, so the
  // archive appears atomically like writeNpy's files.
  int code = 0;
  Zip zip(zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code));
  if (!zip)
    return path + ": cannot write: " + zipErrorText(code);
  // Each member is its header followed by the array's own bytes, which libzip reads in
  // zip_close, so nothing is copied; the headers must live until then.
  std::vector<std::string> headers;
  headers.reserve(arrays.size());
  for (const auto &[name, a] : arrays) {
    headers.push_back(encodeHeader(a));
    std::string &h = headers.back();
    zip_buffer_fragment_t fragments[2] = {
        {reinterpret_cast<zip_uint8_t *>(h.data()), h.size()},
        {reinterpret_cast<zip_uint8_t *>(const_cast<std::byte *>(a.bytes.data())), a.bytes.size()}};
    zip_source_t *source =
        zip_source_buffer_fragment(zip.get(), fragments, a.bytes.empty() ? 1 : 2, 0);
    if (!source)
      return path + ": cannot write: " + lowerFirst(zip_strerror(zip.get()));
    std::string member = name + ".npy";
    zip_int64_t index = zip_file_add(zip.get(), member.c_str(), source, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
      zip_source_free(source);
      return path + ": cannot add '" + member + "': " + lowerFirst(zip_strerror(zip.get()));
    }
    if (zip_set_file_compression(zip.get(), static_cast<zip_uint64_t>(index), ZIP_CM_STORE, 0) != 0)
      return path + ": cannot write: " + lowerFirst(zip_strerror(zip.get()));
  }
  if (zip_close(zip.get()) != 0)
    return path + ": cannot write: " + lowerFirst(zip_strerror(zip.get()));
  zip.release(); // zip_close freed it
  return "";
}

} // namespace

ReadResult parseNpy(std::string_view name, std::span<const std::byte> data,
                    const IoLimits &limits) {
  try {
    return parseNpyImpl(name, data, limits);
  } catch (const std::bad_alloc &) {
    return {std::nullopt, outOfMemory(name)};
  }
}

ReadResult readNpy(const std::string &path, const IoLimits &limits) {
  try {
    return readNpyImpl(path, limits);
  } catch (const std::bad_alloc &) {
    return {std::nullopt, outOfMemory(path)};
  }
}

std::vector<std::byte> encodeNpy(const Array &a) { return encodeImpl(a); }

std::string writeNpy(const std::string &path, const Array &a) {
  try {
    return writeNpyImpl(path, a);
  } catch (const std::bad_alloc &) {
    return outOfMemory(path);
  }
}

NamedArrays readNpz(const std::string &path, const IoLimits &limits) {
  try {
    return readNpzImpl(path, limits);
  } catch (const std::bad_alloc &) {
    return {{}, outOfMemory(path)};
  }
}

std::string writeNpz(const std::string &path,
                     const std::vector<std::pair<std::string, Array>> &arrays) {
  try {
    return writeNpzImpl(path, arrays);
  } catch (const std::bad_alloc &) {
    return outOfMemory(path);
  }
}

} // namespace lamina::io
