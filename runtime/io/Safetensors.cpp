#include "runtime/io/Safetensors.h"

#include "compiler/diag/Utf8.h"
#include "runtime/io/ArrayChecks.h"
#include "runtime/io/AtomicWrite.h"
#include "runtime/io/JsonReader.h"
#include "runtime/io/JsonText.h"
#include "runtime/io/LittleEndian.h"
#include "runtime/io/MessageText.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <new>
#include <numeric>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>
#include <unordered_set>

namespace lamina::io {

namespace {

using detail::complexData;
using detail::outOfMemory;
using detail::plural;
using detail::quote;
using detail::readLittleEndian;
using detail::systemError;
using detail::writeAtomically;

// The format: https://github.com/huggingface/safetensors ("Format" in its README).
// The header length that starts every file: a little-endian u64.
constexpr uint64_t kLengthBytes = 8;
constexpr std::string_view kMetadataKey = "__metadata__";

// The safetensors dtypes lamina has, and those it has not (from the reference implementation).
struct StType {
  std::string_view name;
  DType dtype;
};
constexpr StType kStTypes[] = {{"BOOL", DType::Bool}, {"I8", DType::I8},     {"U8", DType::U8},
                               {"I16", DType::I16},   {"U16", DType::U16},   {"I32", DType::I32},
                               {"U32", DType::U32},   {"I64", DType::I64},   {"U64", DType::U64},
                               {"F16", DType::F16},   {"BF16", DType::BF16}, {"F32", DType::F32},
                               {"F64", DType::F64}};
constexpr std::string_view kOtherStTypes[] = {"F8_E5M2", "F8_E4M3", "F8_E8M0",
                                              "F4",      "F6_E2M3", "F6_E3M2"};

std::string_view stName(DType dtype) {
  for (const StType &t : kStTypes)
    if (t.dtype == dtype)
      return t.name;
  return "";
}

std::string tensor(std::string_view name) { return "tensor " + quote(name); }

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

std::string offsetsText(uint64_t begin, uint64_t end) {
  return "data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

std::string supportedList() {
  std::string list;
  for (const StType &t : kStTypes)
    list += (list.empty() ? "" : ", ") + std::string(t.name);
  return list;
}

// ---------------------------------------------------------------------------------------------
// Reading

/// One tensor as the header describes it, checked against itself, the limits and the size of
/// the data buffer.
struct Entry {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;
};

struct Header {
  std::vector<Entry> entries; // sorted by data offset
  std::map<std::string, std::string> metadata;
};

/// Checks the header JSON as lamina's reader reports it (its events), so that nothing but the
/// expected structure is ever stored: an object of tensors, each an object with exactly
/// "dtype" (a string), "shape" (at most kMaxRank dimensions) and "data_offsets" (two
/// integers), and an optional "__metadata__" object of strings. Stops the reader at the first
/// problem. The reader itself refuses duplicate keys, which a JSON object would silently
/// merge; duplicateKey() words them for the object being read.
class HeaderReader final : public JsonHandler {
public:
  HeaderReader(uint64_t dataBytes, const IoLimits &limits, Header &out)
      : dataBytes_(dataBytes), limits_(limits), out_(out) {}

  const std::string &error() const { return error_; }

  /// The message for a key that the object being read has twice.
  std::string duplicateKey(const std::string &key) const {
    if (state_ == State::Top)
      return "the header has the key " + quote(key) + " twice";
    if (state_ == State::Metadata)
      return "'__metadata__' has the key " + quote(key) + " twice";
    return tensor(out_.entries.back().name) + " has the key " + quote(key) + " twice";
  }

  bool null(size_t, size_t) override { return unexpected("null"); }
  bool boolean(bool value, size_t, size_t) override { return unexpected(value ? "true" : "false"); }

  bool number(const JsonNumber &n, size_t, size_t) override {
    if (state_ != State::Shape && state_ != State::Offsets)
      return unexpected("the number " + quote(n.text, 40));
    Entry &e = current();
    bool zero = n.magnitude && *n.magnitude == 0;
    // Only integers are dimensions and offsets; "-0" is 0, as JSON readers read it.
    bool negative = n.integral && n.negative && !zero;
    std::optional<uint64_t> value = n.integral && !negative ? n.magnitude : std::nullopt;
    if (state_ == State::Shape) {
      if (negative)
        return fail(tensor(e.name) + ": dimension " + std::string(n.text) + " is negative");
      if (!value || *value > uint64_t(INT64_MAX))
        return fail(tensor(e.name) + ": dimension " + quote(n.text, 40) +
                    " is not an integer from 0 to 2^63 - 1");
      if (e.shape.size() == kMaxRank)
        return fail(tensor(e.name) + " has more than " + std::to_string(kMaxRank) + " dimensions");
      e.shape.push_back(static_cast<int64_t>(*value));
      return true;
    }
    if (negative)
      return fail(tensor(e.name) + ": data offset " + std::string(n.text) + " is negative");
    if (!value)
      return fail(tensor(e.name) + ": data offset " + quote(n.text, 40) +
                  " is not an integer from 0 to 2^64 - 1");
    if (offsetCount_ == 2)
      return fail(tensor(e.name) + ": 'data_offsets' has more than 2 values");
    (offsetCount_++ == 0 ? e.begin : e.end) = *value;
    return true;
  }

  bool string(std::string &&value, std::vector<uint32_t> &&, size_t, size_t) override {
    if (state_ == State::Dtype) {
      state_ = State::Tensor;
      return setDtype(value);
    }
    if (state_ == State::MetadataValue) {
      out_.metadata.emplace(std::move(metadataKey_), std::move(value));
      state_ = State::Metadata;
      return true;
    }
    return unexpected("the string " + quote(value, 40));
  }

  bool beginObject(size_t) override {
    switch (state_) {
    case State::Start:
      state_ = State::Top;
      return true;
    case State::TensorStart:
      state_ = State::Tensor;
      return true;
    case State::MetadataStart:
      state_ = State::Metadata;
      return true;
    default:
      return unexpected("an object");
    }
  }

  bool key(std::string &&name, size_t, size_t) override {
    if (state_ == State::Top)
      return topKey(std::move(name));
    if (state_ == State::Metadata) {
      metadataKey_ = std::move(name);
      state_ = State::MetadataValue;
      return true;
    }
    // State::Tensor: the only other object.
    Entry &e = current();
    unsigned field = name == "dtype" ? 1u : name == "shape" ? 2u : name == "data_offsets" ? 4u : 0u;
    if (field == 0)
      return fail(tensor(e.name) + " has the unknown key " + quote(name) +
                  " (the keys are 'dtype', 'shape' and 'data_offsets')");
    fields_ |= field;
    state_ = field == 1 ? State::Dtype : field == 2 ? State::ShapeStart : State::OffsetsStart;
    return true;
  }

  bool endObject(size_t) override {
    if (state_ == State::Metadata) {
      state_ = State::Top;
      return true;
    }
    if (state_ == State::Tensor) {
      state_ = State::Top;
      return finishTensor();
    }
    state_ = State::Done; // State::Top
    return true;
  }

  bool beginArray(size_t) override {
    if (state_ == State::ShapeStart) {
      state_ = State::Shape;
      return true;
    }
    if (state_ == State::OffsetsStart) {
      state_ = State::Offsets;
      offsetCount_ = 0;
      return true;
    }
    return unexpected("an array");
  }

  bool endArray(size_t) override {
    if (state_ == State::Offsets && offsetCount_ != 2)
      return fail(tensor(current().name) + ": 'data_offsets' has " + plural(offsetCount_, "value") +
                  "; it needs 2, begin and end");
    state_ = State::Tensor; // State::Shape or State::Offsets: no other array is accepted
    return true;
  }

private:
  enum class State {
    Start,         // before the header object
    Top,           // in the header object: a key (a tensor or "__metadata__") or its end
    TensorStart,   // after a tensor's name: its object
    Tensor,        // in a tensor's object: a key or its end
    Dtype,         // after "dtype": a string
    ShapeStart,    // after "shape": an array
    Shape,         // in the shape: a dimension or the end
    OffsetsStart,  // after "data_offsets": an array
    Offsets,       // in data_offsets: an offset or the end
    MetadataStart, // after "__metadata__": an object
    Metadata,      // in the metadata: a key or the end
    MetadataValue, // after a metadata key: a string
    Done,
  };

  Entry &current() { return out_.entries.back(); }

  bool fail(std::string message) {
    if (error_.empty())
      error_ = std::move(message);
    return false;
  }

  /// A value where the state wants something else.
  bool unexpected(const std::string &found) {
    std::string name = state_ == State::Start || state_ == State::MetadataStart ||
                               state_ == State::MetadataValue || out_.entries.empty()
                           ? ""
                           : tensor(current().name);
    switch (state_) {
    case State::Start:
      return fail("header is not a JSON object but " + found);
    case State::TensorStart:
      return fail(name + " is " + found +
                  ", not an object with 'dtype', 'shape' and 'data_offsets'");
    case State::Dtype:
      return fail(name + ": 'dtype' is " + found + ", not a string");
    case State::ShapeStart:
      return fail(name + ": 'shape' is " + found + ", not an array of dimensions");
    case State::Shape:
      return fail(name + ": a dimension is " + found + ", not a non-negative integer");
    case State::OffsetsStart:
      return fail(name + ": 'data_offsets' is " + found +
                  ", not an array of two non-negative integers");
    case State::Offsets:
      return fail(name + ": a data offset is " + found + ", not a non-negative integer");
    case State::MetadataStart:
      return fail("'__metadata__' is " + found + ", not an object of strings");
    case State::MetadataValue:
      return fail("'__metadata__' value of " + quote(metadataKey_) + " is " + found +
                  ", not a string");
    default: // objects and arrays are only opened in the states above
      return fail("unexpected " + found + " in the header");
    }
  }

  bool topKey(std::string key) {
    if (key == kMetadataKey) {
      state_ = State::MetadataStart;
      return true;
    }
    if (key.empty())
      return fail("a tensor has an empty name");
    if (out_.entries.size() == kMaxSafetensorsTensors)
      return fail("the header has more than " + std::to_string(kMaxSafetensorsTensors) +
                  " tensors");
    out_.entries.emplace_back();
    current().name = std::move(key);
    fields_ = 0;
    state_ = State::TensorStart;
    return true;
  }

  bool setDtype(const std::string &value) {
    for (const StType &t : kStTypes)
      if (value == t.name) {
        current().dtype = t.dtype;
        return true;
      }
    if (isComplexDTypeName(value)) // C64: E0417's advice
      return fail(tensor(current().name) + " has " + complexData(quote(value, 40)));
    bool known = std::find(std::begin(kOtherStTypes), std::end(kOtherStTypes), value) !=
                 std::end(kOtherStTypes);
    return fail(tensor(current().name) + " has " + (known ? "" : "unknown ") + "dtype " +
                quote(value, 40) + (known ? ", which lamina does not support" : "") +
                " (supported: " + supportedList() + ")");
  }

  /// The tensor's object is complete: check it as a whole.
  bool finishTensor() {
    const Entry &e = current();
    std::string name = tensor(e.name);
    for (auto [field, key] : {std::pair{1u, "dtype"}, {2u, "shape"}, {4u, "data_offsets"}})
      if (!(fields_ & field))
        return fail(name + " has no '" + std::string(key) + "' key");
    detail::ShapeBytes size = detail::shapeBytes(e.shape, byteSize(e.dtype));
    uint64_t bytes = size.bytes;
    std::string declared = "shape " + shapeText(e.shape) + " of " + std::string(stName(e.dtype));
    if (!size.fits)
      return fail(name + ": the non-zero dimensions of " + declared +
                  " multiply to 2^63 bytes or more");
    if (bytes > limits_.maxBytes)
      return fail(name + ": " + declared + " is " + plural(bytes, "byte") +
                  ", more than the limit of " + plural(limits_.maxBytes, "byte"));
    if (e.begin > e.end)
      return fail(name + ": " + offsetsText(e.begin, e.end) + " end before they begin");
    if (e.end - e.begin != bytes)
      return fail(name + ": " + offsetsText(e.begin, e.end) + " hold " +
                  plural(e.end - e.begin, "byte") + " but " + declared + " needs " +
                  std::to_string(bytes));
    if (e.end > dataBytes_)
      return fail(name + ": " + offsetsText(e.begin, e.end) +
                  " run past the end of the data, which has " + plural(dataBytes_, "byte"));
    return true;
  }

  uint64_t dataBytes_;
  const IoLimits &limits_;
  Header &out_;
  State state_ = State::Start;
  unsigned fields_ = 0; // 1 dtype, 2 shape, 4 data_offsets: those seen in the current tensor
  uint64_t offsetCount_ = 0;
  std::string metadataKey_;
  std::string error_;
};

/// Checks the header length against the file's size and the limit. `first` holds the file's
/// first min(fileSize, 8) bytes.
std::string checkLength(std::span<const std::byte> first, uint64_t fileSize,
                        uint64_t &headerBytes) {
  if (fileSize < kLengthBytes)
    return "truncated: " + plural(fileSize, "byte") +
           " is too short for a .safetensors file, which starts with an 8-byte header length";
  headerBytes = readLittleEndian(first);
  if (headerBytes == 0)
    return "header length is 0; the shortest header is '{}'";
  if (headerBytes > fileSize - kLengthBytes)
    return "header length " + std::to_string(headerBytes) + " is larger than the file";
  if (headerBytes > kMaxSafetensorsHeaderBytes)
    return "header length " + std::to_string(headerBytes) + " is more than the limit of " +
           plural(kMaxSafetensorsHeaderBytes, "byte");
  return "";
}

/// Parses and checks the header JSON, which is followed by `dataBytes` bytes of data: every
/// tensor fits the data and the limits, and together they tile the data exactly.
std::string parseHeader(std::string_view text, uint64_t dataBytes, const IoLimits &limits,
                        Header &out) {
  // The reference implementation requires this too; JSON would allow leading whitespace.
  if (text.empty() || text[0] != '{')
    return "header is not a JSON object: it does not start with '{'";
  HeaderReader reader(dataBytes, limits, out);
  // Strict JSON as serde_json (the reference) reads it: no NaN, no byte-order mark, and
  // `\u0000` is a character like any other.
  JsonError problem = readJson(
      text, reader,
      JsonReadOptions::strict({kMaxSafetensorsHeaderBytes, unsigned(kMaxSafetensorsJsonDepth)}));
  switch (problem.kind) {
  case JsonError::Kind::None:
    break;
  case JsonError::Kind::Stopped:
    return reader.error();
  case JsonError::Kind::DuplicateKey:
    return reader.duplicateKey(problem.key);
  case JsonError::Kind::TooDeep:
    return "header JSON is nested more than " + std::to_string(kMaxSafetensorsJsonDepth) +
           " levels deep (at byte " + std::to_string(kLengthBytes + problem.at) + ")";
  case JsonError::Kind::TooLarge: // checkLength has refused it already
  case JsonError::Kind::Syntax:
    // The reader's words name characters, not tokens, except a number too large for a double,
    // which may be megabytes of digits.
    if (problem.message.size() > 200)
      problem.message = problem.message.substr(0, 200) + "...";
    return "malformed header JSON at byte " + std::to_string(kLengthBytes + problem.at) + ": " +
           problem.message;
  }

  // Sorted by where their data begins (and empty tensors before a non-empty one at the same
  // offset), the tensors must follow each other with no gap or overlap from 0 to the end.
  std::vector<Entry> &entries = out.entries;
  std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
  uint64_t covered = 0;
  const Entry *previous = nullptr; // the tensor whose data ends at `covered`
  for (const Entry &e : entries) {
    if (e.begin > covered)
      return "bytes " + std::to_string(covered) + " to " + std::to_string(e.begin) +
             " of the data belong to no tensor (" + tensor(e.name) + " has " +
             offsetsText(e.begin, e.end) + ")";
    if (e.begin < covered)
      return tensor(e.name) + " (" + offsetsText(e.begin, e.end) + ") overlaps " +
             tensor(previous->name) + " (" + offsetsText(previous->begin, previous->end) + ")";
    if (e.end > e.begin || !previous) {
      covered = e.end;
      previous = &e;
    }
  }
  if (covered < dataBytes)
    return plural(dataBytes - covered, "byte") + " of data after the last tensor's (" +
           std::to_string(covered) + " of " + std::to_string(dataBytes) +
           " data bytes are described by the header)";
  return "";
}

/// The tensor's data (exactly its byte count) checked and made an array.
std::string makeArray(const Entry &e, std::vector<std::byte> bytes, uint64_t dataOffset,
                      Array &out) {
  if (e.dtype == DType::Bool)
    if (std::string error = detail::checkBoolBytes(bytes, dataOffset + e.begin); !error.empty())
      return tensor(e.name) + ": " + error;
  out.dtype = e.dtype;
  out.shape = e.shape;
  out.bytes = std::move(bytes);
  return "";
}

NamedArrays failure(std::string_view name, const std::string &error) {
  return {{}, std::string(name) + ": " + error};
}

void giveMetadata(Header &header, SafetensorsMetadata *metadata) {
  if (metadata)
    for (auto &[key, value] : header.metadata)
      metadata->emplace_back(key, std::move(value));
}

NamedArrays parseImpl(std::string_view name, std::span<const std::byte> data,
                      const IoLimits &limits, SafetensorsMetadata *metadata) {
  uint64_t headerBytes = 0;
  if (std::string e = checkLength(data.first(std::min<size_t>(data.size(), kLengthBytes)),
                                  data.size(), headerBytes);
      !e.empty())
    return failure(name, e);
  uint64_t dataOffset = kLengthBytes + headerBytes;
  std::string_view text(reinterpret_cast<const char *>(data.data()) + kLengthBytes, headerBytes);
  Header header;
  if (std::string e = parseHeader(text, data.size() - dataOffset, limits, header); !e.empty())
    return failure(name, e);
  NamedArrays result;
  result.arrays.reserve(header.entries.size());
  for (Entry &e : header.entries) {
    auto from = data.begin() + static_cast<ptrdiff_t>(dataOffset + e.begin);
    std::vector<std::byte> bytes(from, from + static_cast<ptrdiff_t>(e.end - e.begin));
    Array a;
    if (std::string error = makeArray(e, std::move(bytes), dataOffset, a); !error.empty())
      return failure(name, error);
    result.arrays.emplace_back(std::move(e.name), std::move(a));
  }
  giveMetadata(header, metadata);
  return result;
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0)
      ::close(fd);
  }
};

/// Reads exactly `n` bytes at `offset`; "" or why not.
std::string readAt(int fd, std::byte *to, uint64_t n, uint64_t offset) {
  while (n > 0) {
    ssize_t got =
        ::pread(fd, to, std::min<uint64_t>(n, uint64_t(1) << 30), static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0)
      return "cannot read: " + systemError(errno);
    if (got == 0)
      return "the file changed while it was read";
    to += got;
    n -= static_cast<uint64_t>(got);
    offset += static_cast<uint64_t>(got);
  }
  return "";
}

NamedArrays readImpl(const std::string &path, const IoLimits &limits,
                     SafetensorsMetadata *metadata) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer before it is refused.
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (f.fd < 0)
    return failure(path, "cannot open: " + systemError(errno));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0)
    return failure(path, "cannot read: " + systemError(errno));
  if (S_ISDIR(st.st_mode))
    return failure(path, "cannot read: is a directory");
  if (!S_ISREG(st.st_mode))
    return failure(path, "cannot read: not a regular file");
  uint64_t fileSize = static_cast<uint64_t>(st.st_size);

  std::byte first[kLengthBytes];
  size_t firstBytes = std::min<uint64_t>(fileSize, kLengthBytes);
  if (std::string e = readAt(f.fd, first, firstBytes, 0); !e.empty())
    return failure(path, e);
  uint64_t headerBytes = 0;
  if (std::string e = checkLength(std::span(first, firstBytes), fileSize, headerBytes); !e.empty())
    return failure(path, e);

  // The header is now known to be within the limit and within the file.
  std::string text(headerBytes, '\0');
  if (std::string e =
          readAt(f.fd, reinterpret_cast<std::byte *>(text.data()), headerBytes, kLengthBytes);
      !e.empty())
    return failure(path, e);
  uint64_t dataOffset = kLengthBytes + headerBytes;
  Header header;
  if (std::string e = parseHeader(text, fileSize - dataOffset, limits, header); !e.empty())
    return failure(path, e);

  // And so is every tensor's data.
  NamedArrays result;
  result.arrays.reserve(header.entries.size());
  for (Entry &e : header.entries) {
    std::vector<std::byte> bytes(e.end - e.begin);
    if (std::string error = readAt(f.fd, bytes.data(), bytes.size(), dataOffset + e.begin);
        !error.empty())
      return failure(path, error);
    Array a;
    if (std::string error = makeArray(e, std::move(bytes), dataOffset, a); !error.empty())
      return failure(path, error);
    result.arrays.emplace_back(std::move(e.name), std::move(a));
  }
  std::byte extra;
  if (::pread(f.fd, &extra, 1, static_cast<off_t>(fileSize)) != 0)
    return failure(path, "the file changed while it was read");
  giveMetadata(header, metadata);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Writing

/// The array's own problems, which would make the file unreadable or wrong.
std::string checkWritable(const Array &a) {
  if (std::string error = detail::checkDTypeAndShape(a); !error.empty())
    return error;
  detail::ShapeBytes size = detail::shapeBytes(a.shape, byteSize(a.dtype));
  if (!size.fits)
    return "array shape " + shapeText(a.shape) + " has 2^63 bytes or more";
  if (a.bytes.size() != size.bytes)
    return "array holds " + plural(a.bytes.size(), "byte") + " but its shape " +
           shapeText(a.shape) + " and dtype need " + std::to_string(size.bytes);
  return detail::checkBoolValues(a);
}

/// What the writer writes: the length and the header, then the arrays' bytes in `order`.
struct Encoded {
  std::string head;
  std::vector<const Array *> order;
};

std::string encodeHead(const std::vector<std::pair<std::string, Array>> &arrays,
                       const SafetensorsMetadata &metadata, Encoded &out) {
  if (arrays.size() > kMaxSafetensorsTensors)
    return plural(arrays.size(), "array") + " are more than the limit of " +
           std::to_string(kMaxSafetensorsTensors);
  std::unordered_set<std::string_view> names;
  for (const auto &[name, a] : arrays) {
    if (name.empty())
      return "an array has an empty name";
    if (!isValidUtf8(name))
      return "array name " + quote(name) + " is not valid UTF-8";
    if (name == kMetadataKey)
      return "an array cannot be named '__metadata__', the key of the metadata";
    if (!names.insert(name).second)
      return "two arrays are named " + quote(name);
    if (std::string e = checkWritable(a); !e.empty())
      return "array " + quote(name) + ": " + e;
  }
  std::vector<const std::pair<std::string, std::string> *> sortedMetadata;
  for (const auto &kv : metadata) {
    if (!isValidUtf8(kv.first) || !isValidUtf8(kv.second))
      return "metadata " + quote(kv.first) + " is not valid UTF-8";
    sortedMetadata.push_back(&kv);
  }
  std::sort(sortedMetadata.begin(), sortedMetadata.end(),
            [](auto *a, auto *b) { return a->first < b->first; });
  for (size_t i = 1; i < sortedMetadata.size(); ++i)
    if (sortedMetadata[i]->first == sortedMetadata[i - 1]->first)
      return "two metadata entries have the key " + quote(sortedMetadata[i]->first);

  // Largest elements first, so that every tensor starts at a multiple of its element size.
  std::vector<size_t> order(arrays.size());
  std::iota(order.begin(), order.end(), size_t(0));
  std::sort(order.begin(), order.end(), [&](size_t i, size_t j) {
    unsigned a = byteSize(arrays[i].second.dtype), b = byteSize(arrays[j].second.dtype);
    return a != b ? a > b : arrays[i].first < arrays[j].first;
  });

  std::string json = "{";
  if (!sortedMetadata.empty()) {
    json += "\"__metadata__\":{";
    for (size_t i = 0; i < sortedMetadata.size(); ++i) {
      if (i)
        json += ',';
      appendJsonString(json, sortedMetadata[i]->first);
      json += ':';
      appendJsonString(json, sortedMetadata[i]->second);
    }
    json += '}';
  }
  uint64_t offset = 0;
  for (size_t i : order) {
    const auto &[name, a] = arrays[i];
    if (json.size() > 1)
      json += ',';
    appendJsonString(json, name);
    json += ":{\"dtype\":\"" + std::string(stName(a.dtype)) + "\",\"shape\":[";
    for (size_t k = 0; k < a.shape.size(); ++k)
      json += (k ? "," : "") + std::to_string(a.shape[k]);
    uint64_t end = 0;
    if (__builtin_add_overflow(offset, a.bytes.size(), &end))
      return "the arrays hold more than 2^64 bytes";
    json += "],\"data_offsets\":[" + std::to_string(offset) + "," + std::to_string(end) + "]}";
    offset = end;
    out.order.push_back(&a);
  }
  json += '}';
  json.append((kLengthBytes - json.size() % kLengthBytes) % kLengthBytes, ' ');
  if (json.size() > kMaxSafetensorsHeaderBytes)
    return "the header would be " + plural(json.size(), "byte") + ", more than the limit of " +
           std::to_string(kMaxSafetensorsHeaderBytes);

  out.head.reserve(kLengthBytes + json.size());
  detail::appendLittleEndian(out.head, json.size(), kLengthBytes);
  out.head += json;
  return "";
}

std::vector<std::byte> encodeImpl(const std::vector<std::pair<std::string, Array>> &arrays,
                                  const SafetensorsMetadata &metadata) {
  Encoded encoded;
  if (!encodeHead(arrays, metadata, encoded).empty())
    return {};
  size_t total = encoded.head.size();
  for (const Array *a : encoded.order)
    total += a->bytes.size();
  std::vector<std::byte> out(total);
  std::memcpy(out.data(), encoded.head.data(), encoded.head.size());
  size_t at = encoded.head.size();
  for (const Array *a : encoded.order) {
    if (!a->bytes.empty())
      std::memcpy(out.data() + at, a->bytes.data(), a->bytes.size());
    at += a->bytes.size();
  }
  return out;
}

std::string writeImpl(const std::string &path,
                      const std::vector<std::pair<std::string, Array>> &arrays,
                      const SafetensorsMetadata &metadata) {
  Encoded encoded;
  if (std::string e = encodeHead(arrays, metadata, encoded); !e.empty())
    return path + ": " + e;
  // The arrays' own bytes are written, not a copy of them.
  std::vector<std::span<const std::byte>> pieces;
  pieces.reserve(encoded.order.size() + 1);
  pieces.push_back(std::as_bytes(std::span(encoded.head)));
  for (const Array *a : encoded.order)
    pieces.push_back(a->bytes);
  if (std::string e = writeAtomically(path, pieces); !e.empty())
    return path + ": " + e;
  return "";
}

} // namespace

NamedArrays readSafetensors(const std::string &path, const IoLimits &limits,
                            SafetensorsMetadata *metadata) {
  if (metadata)
    metadata->clear();
  NamedArrays result;
  try {
    result = readImpl(path, limits, metadata);
  } catch (const std::bad_alloc &) {
    result = {{}, outOfMemory(path)};
  }
  if (metadata && !result.error.empty())
    metadata->clear();
  return result;
}

NamedArrays parseSafetensors(std::string_view name, std::span<const std::byte> data,
                             const IoLimits &limits, SafetensorsMetadata *metadata) {
  if (metadata)
    metadata->clear();
  NamedArrays result;
  try {
    result = parseImpl(name, data, limits, metadata);
  } catch (const std::bad_alloc &) {
    result = {{}, outOfMemory(name)};
  }
  if (metadata && !result.error.empty())
    metadata->clear();
  return result;
}

std::string writeSafetensors(const std::string &path,
                             const std::vector<std::pair<std::string, Array>> &arrays,
                             const SafetensorsMetadata &metadata) {
  try {
    return writeImpl(path, arrays, metadata);
  } catch (const std::bad_alloc &) {
    return outOfMemory(path);
  }
}

std::vector<std::byte> encodeSafetensors(const std::vector<std::pair<std::string, Array>> &arrays,
                                         const SafetensorsMetadata &metadata) {
  try {
    return encodeImpl(arrays, metadata);
  } catch (const std::bad_alloc &) {
    return {};
  }
}

} // namespace lamina::io
