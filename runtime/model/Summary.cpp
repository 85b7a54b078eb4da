// model.summary(): Keras 3's table, drawn with the same box characters.

#include "lamina/Model.h"
#include "runtime/support/Boundary.h"

#include <fmt/format.h>

namespace lamina {
namespace {

struct Row {
  std::string layer, shape, params, connected;
};

std::string shapeText(const std::vector<TensorShape> &shapes) {
  auto one = [](const TensorShape &s) {
    std::vector<std::string> dims;
    for (int64_t d : s)
      dims.push_back(d < 0 ? "None" : std::to_string(d));
    return "(" + fmt::format("{}", fmt::join(dims, ", ")) + (s.size() == 1 ? ",)" : ")");
  };
  if (shapes.size() == 1)
    return one(shapes[0]);
  std::vector<std::string> parts;
  for (const TensorShape &s : shapes)
    parts.push_back(one(s));
  return "[" + fmt::format("{}", fmt::join(parts, ", ")) + "]";
}

std::string withCommas(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t k = 0; k < digits.size(); ++k) {
    if (k && (digits.size() - k) % 3 == 0)
      out += ',';
    out += digits[k];
  }
  return out;
}

std::string bytesText(double bytes) {
  const char *units[] = {"B", "KB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  return fmt::format("{:.2f} {}", bytes, units[u]);
}

// Pads to `width` display columns (the text is ASCII but for the box characters).
std::string pad(const std::string &text, size_t width, bool right = false) {
  std::string t = text.size() > width ? text.substr(0, width - 1) + "~" : text;
  std::string space(width - t.size(), ' ');
  return right ? space + t : t + space;
}

std::string repeat(const char *s, size_t n) {
  std::string out;
  for (size_t k = 0; k < n; ++k)
    out += s;
  return out;
}

std::string table(const std::string &title, const std::vector<Row> &rows, bool connected,
                  const std::vector<Weight> &trainable, const std::vector<Weight> &frozen) {
  std::vector<size_t> widths = {31, 22, 13};
  if (connected)
    widths = {25, 20, 11, 22};
  std::vector<std::string> heads = {"Layer (type)", "Output Shape", "Param #"};
  if (connected)
    heads.push_back("Connected to");
  auto line = [&](const char *left, const char *mid, const char *right, const char *fill) {
    std::string out = left;
    for (size_t k = 0; k < widths.size(); ++k)
      out += repeat(fill, widths[k] + 2) + (k + 1 < widths.size() ? mid : right);
    return out + "\n";
  };
  auto cells = [&](const std::vector<std::string> &values, const char *bar) {
    std::string out = bar;
    for (size_t k = 0; k < widths.size(); ++k)
      out += " " + pad(values[k], widths[k], k == 2) + " " + bar;
    return out + "\n";
  };
  std::string out = fmt::format("Model: \"{}\"\n", title);
  out += line("┏", "┳", "┓", "━");
  out += cells(heads, "┃");
  out += line("┡", "╇", "┩", "━");
  for (size_t r = 0; r < rows.size(); ++r) {
    // Keras lists each input of a call on a line of its own.
    std::vector<std::string> sources = {rows[r].connected};
    if (connected) {
      sources.clear();
      size_t start = 0, comma;
      while ((comma = rows[r].connected.find(", ", start)) != std::string::npos) {
        sources.push_back(rows[r].connected.substr(start, comma - start + 1));
        start = comma + 2;
      }
      sources.push_back(rows[r].connected.substr(start));
    }
    for (size_t part = 0; part < sources.size(); ++part) {
      std::vector<std::string> values = {part ? "" : rows[r].layer, part ? "" : rows[r].shape,
                                         part ? "" : rows[r].params};
      if (connected)
        values.push_back(sources[part]);
      out += cells(values, "│");
    }
    out += r + 1 < rows.size() ? line("├", "┼", "┤", "─") : line("└", "┴", "┘", "─");
  }
  auto total = [](const std::vector<Weight> &ws, int64_t &count) {
    double bytes = 0;
    for (const Weight &w : ws) {
      count += w.value.count();
      bytes += double(w.value.nbytes());
    }
    return bytes;
  };
  int64_t nt = 0, nf = 0;
  double bt = total(trainable, nt), bf = total(frozen, nf);
  out += fmt::format(" Total params: {} ({})\n", withCommas(nt + nf), bytesText(bt + bf));
  out += fmt::format(" Trainable params: {} ({})\n", withCommas(nt), bytesText(bt));
  out += fmt::format(" Non-trainable params: {} ({})\n", withCommas(nf), bytesText(bf));
  return out;
}

std::string paramsOf(const Layer &layer) {
  return layer.built() ? withCommas(layer.countParams()) : "0 (unbuilt)";
}

} // namespace

std::string Model::summary() const {
  return guarded("Model::summary", [&]() -> std::string {
    std::vector<Row> rows;
    for (const auto &node : order_) {
      const Layer &layer = *node->layer;
      std::vector<std::string> from;
      for (const SymbolicTensor &in : node->inputs)
        from.push_back(
            fmt::format("{}[{}][{}]", in.layer()->name(), in.nodeIndex(), in.tensorIndex()));
      std::vector<TensorShape> shapes;
      for (const SymbolicTensor &out : node->outputs)
        shapes.push_back(out.shape());
      rows.push_back({fmt::format("{} ({})", layer.name(), layer.className()), shapeText(shapes),
                      paramsOf(layer),
                      from.empty() ? "-" : fmt::format("{}", fmt::join(from, ", "))});
    }
    return table(name_, rows, true, trainableWeights(), nonTrainableWeights());
  });
}

std::string Sequential::summary() const {
  return guarded("Sequential::summary", [&]() -> std::string {
    std::vector<Row> rows;
    std::optional<std::vector<TensorShape>> shapes;
    if (buildShape_)
      shapes = std::vector<TensorShape>{*buildShape_};
    for (const auto &layer : stack_) {
      std::string shape = "?";
      if (shapes) {
        shapes = layer->computeOutputShape(*shapes);
        shape = shapeText(*shapes);
      }
      rows.push_back(
          {fmt::format("{} ({})", layer->name(), layer->className()), shape, paramsOf(*layer), ""});
    }
    return table(name_, rows, false, trainableWeights(), nonTrainableWeights());
  });
}

} // namespace lamina
