#include "compiler/transforms/Fusion.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>

namespace lamina::transforms {
namespace {

using ir::Op;
using ir::OpCategory;

// How a stage's domain index reaches a value: for each axis of the value, the domain axis
// whose index it takes, kZero (a broadcast axis: index 0), or kUnknown (any other mapping).
constexpr int kZero = -1;
constexpr int kUnknown = -2;
using AxisMap = std::vector<int>;

bool isLiteralOne(const Dim &d) { return d.isConstant() && d.constant() == 1; }

// The map of an operand broadcast (NumPy, right-aligned) to a result reached by `map`.
AxisMap broadcastMap(const Shape &operand, const Shape &result, const AxisMap &map) {
  AxisMap out(operand.size(), kUnknown);
  size_t offset = result.size() - operand.size();
  for (size_t j = 0; j < operand.size(); ++j) {
    if (operand[j] == result[j + offset])
      out[j] = map[j + offset];
    else if (isLiteralOne(operand[j]))
      out[j] = kZero;
  }
  return out;
}

// A reshape that only inserts or removes axes of size 1 keeps every other axis's index.
std::optional<AxisMap> unitReshapeMap(const Shape &operand, const Shape &result,
                                      const AxisMap &map) {
  AxisMap out(operand.size(), kZero);
  size_t r = 0;
  for (size_t j = 0; j < operand.size(); ++j) {
    if (isLiteralOne(operand[j]))
      continue;
    while (r < result.size() && isLiteralOne(result[r]))
      ++r;
    if (r == result.size() || !(result[r] == operand[j]))
      return std::nullopt;
    out[j] = map[r++];
  }
  while (r < result.size() && isLiteralOne(result[r]))
    ++r;
  if (r != result.size())
    return std::nullopt;
  return out;
}

class Planner {
public:
  explicit Planner(ir::Function fn) { plan_.fn = std::move(fn); }

  KernelPlan run() {
    const ir::Function &fn = plan_.fn;
    size_t n = fn.instrs.size();
    plan_.storage.assign(n, Storage::Fused);
    plan_.reasons.assign(n, "");
    for (size_t v = 0; v < n; ++v) {
      const ir::Instr &in = fn.instrs[v];
      if (in.op == Op::Input)
        plan_.storage[v] = Storage::Input;
      else if (in.op == Op::Variable)
        plan_.storage[v] = Storage::Variable;
      else if (in.op == Op::Constant && in.get<ir::ValueAttrs>().value->elementCount() != 1)
        plan_.storage[v] = Storage::Constant;
      else if (in.op == Op::CumSum || in.op == Op::CumProd || in.op == Op::MatMul)
        store(ir::ValueId(v), fmt::format("{} runs as a loop of its own", ir::spelling(in.op)));
    }
    // A product reads each operand element many times (a row of the left once per output
    // column): an expensive operand is stored once instead of computed at every read (and
    // copied into every register block of the product's code).
    for (size_t v = 0; v < n; ++v)
      if (fn.instrs[v].op == Op::MatMul)
        for (ir::ValueId o : fn.instrs[v].operands) {
          std::set<ir::ValueId> seen;
          if (blasProduct(fn, fn.instrs[v]))
            store(o, fmt::format("an operand of %{}, which OpenBLAS computes", v));
          else if (expensive(o, seen))
            store(o, fmt::format("an expensive operand of the product %{}, read many times", v));
        }
    for (ir::ValueId o : fn.outputs)
      if (plan_.storage[o] == Storage::Fused || plan_.storage[o] == Storage::Temp)
        plan_.storage[o] = Storage::Output, plan_.reasons[o].clear();
    // Deciding a reduction is stored changes the stages that use it; repeat until stable
    // (each round stores at least one more reduction, so this ends).
    while (!planStages()) {
    }
    for (size_t v = 0; v < n; ++v)
      if (plan_.storage[v] == Storage::Temp)
        plan_.temps.push_back(ir::ValueId(v));
    chainStages();
    shareOutputs();
    fuseEpilogues();
    return std::move(plan_);
  }

  // --- temporaries kept in an output's buffer (KernelPlan::inOutput)
  // Whether computing u (fused, or the stage root itself) reads the stored value v only at
  // the element being computed: through elementwise operations whose operands have the
  // result's shape. `reads` is set when v is read at all. Each value is judged once (`seen`:
  // a fused expression is a DAG, and walking its paths could take exponential time).
  bool readsAtOwnIndex(ir::ValueId u, ir::ValueId v, bool root, bool &reads,
                       std::map<ir::ValueId, std::pair<bool, bool>> &seen) const {
    if (u == v) {
      reads = true;
      return true;
    }
    if (!root && isStored(u))
      return true;
    if (auto it = seen.find(u); it != seen.end()) {
      reads = reads || it->second.second;
      return it->second.first;
    }
    const ir::Instr &in = plan_.fn.instrs[u];
    OpCategory cat = ir::categoryOf(in.op);
    bool elementwise = cat == OpCategory::Unary || cat == OpCategory::Binary ||
                       cat == OpCategory::Compare || cat == OpCategory::Select;
    bool ok = true, any = false;
    for (ir::ValueId o : in.operands) {
      bool same = elementwise && plan_.fn.typeOf(o).shape == in.type.shape;
      bool inner = false;
      ok = ok && readsAtOwnIndex(o, v, false, inner, seen) && (!inner || same);
      any = any || inner;
    }
    seen[u] = {ok, any};
    reads = reads || any;
    return ok;
  }

  // A temporary read by one later stage only, at that stage's own elements, where that stage
  // writes an output of the same dtype and shape, lives in the output's buffer: the stage
  // reads each element before it overwrites it. Nothing to allocate, one stream of memory
  // fewer, and a product's epilogue (bias, activation) runs in place on its rows.
  void shareOutputs() {
    const ir::Function &fn = plan_.fn;
    std::set<int64_t> taken;
    for (const Stage &writer : plan_.stages) {
      ir::ValueId v = writer.root;
      if (plan_.storage[v] != Storage::Temp || writer.copyOnly || writer.output >= 0)
        continue;
      const Stage *only = nullptr;
      bool ok = true;
      for (const Stage &reader : plan_.stages) {
        std::map<ir::ValueId, std::pair<bool, bool>> seen;
        bool reads = false, own = readsAtOwnIndex(reader.root, v, true, reads, seen);
        if (&reader == &writer || !reads)
          continue;
        ok = ok && !only && own;
        only = &reader;
      }
      if (!ok || !only || only->output < 0 || only->copyOnly || only->kind != StageKind::Loop ||
          !only->rowReductions.empty() || only->splitConcat || taken.count(only->output))
        continue;
      const TensorType &out = fn.typeOf(fn.outputs[size_t(only->output)]);
      if (out.dtype != fn.typeOf(v).dtype || !(out.shape == fn.typeOf(v).shape))
        continue;
      taken.insert(only->output);
      plan_.inOutput[v] = only->output;
      plan_.temps.erase(std::find(plan_.temps.begin(), plan_.temps.end(), v));
    }
  }

  // --- epilogues (Stage::epilogue)
  // A product lamina computes itself whose one reader is the next stage of its group, reading
  // it at its own elements into an output (what shareOutputs() found): that reader becomes the
  // product's epilogue, computed from the sums while they are in registers. One pass over the
  // output instead of two, and the product is not stored at all.
  void fuseEpilogues() {
    for (size_t k = 0; k + 1 < plan_.stages.size(); ++k) {
      Stage &product = plan_.stages[k];
      const Stage &reader = plan_.stages[k + 1];
      auto shared = plan_.inOutput.find(product.root);
      if (product.kind != StageKind::MatMul || product.blas || shared == plan_.inOutput.end() ||
          reader.output != shared->second || !reader.withPrevious ||
          !(reader.domain == product.domain))
        continue;
      product.epilogue = reader.root;
      product.output = reader.output;
      plan_.inOutput.erase(shared);
      plan_.storage[product.root] = Storage::Fused;
      plan_.reasons[product.root].clear();
      plan_.stages.erase(plan_.stages.begin() + std::ptrdiff_t(k) + 1);
    }
  }

  // --- groups of stages that run a block of axis 0 at a time (Stage::withPrevious)
  // Where the stage domain's axis 0 lands among v's axes: an axis, kInvariant (v does not
  // depend on it: every block would read the same rows) or kUnknown.
  static constexpr int kInvariant = -3;

  // The stored values a stage reads from v, each with where axis 0 lands in it.
  void storedReads(ir::ValueId v, int at, bool root, std::set<std::pair<ir::ValueId, int>> &out,
                   std::set<std::pair<ir::ValueId, int>> &walked) const {
    const ir::Function &fn = plan_.fn;
    if (!root && isStored(v)) {
      out.insert({v, at});
      return;
    }
    if (!walked.insert({v, at}).second) // a DAG: each value and axis is walked once
      return;
    const ir::Instr &in = fn.instrs[v];
    auto elementwise = [&](ir::ValueId o) {
      const Shape &os = fn.typeOf(o).shape;
      if (at < 0)
        return at;
      int j = at - int(in.type.rank() - os.size());
      if (j < 0 || (isLiteralOne(os[size_t(j)]) && !isLiteralOne(in.type.shape[size_t(at)])))
        return kInvariant;
      return j;
    };
    OpCategory cat = ir::categoryOf(in.op);
    if (cat == OpCategory::Leaf)
      return;
    for (ir::ValueId o : in.operands) {
      int next = kUnknown;
      if (cat == OpCategory::Unary || cat == OpCategory::Binary || cat == OpCategory::Compare ||
          cat == OpCategory::Select || in.op == Op::Broadcast) {
        next = elementwise(o);
      } else if (cat == OpCategory::Reduce && at >= 0) {
        // The operand's axes that are kept, in order, are the result's (all of them, with
        // keepdims); axis 0 must be one that is kept.
        std::vector<int> kept;
        for (int j = 0; j < int(fn.typeOf(o).rank()); ++j) {
          bool reduced = in.get<ir::ReduceAttrs>().reduces(j);
          if (!reduced || in.get<ir::ReduceAttrs>().keepdims)
            kept.push_back(reduced ? kUnknown : j);
        }
        next = size_t(at) < kept.size() ? kept[size_t(at)] : kUnknown;
      } else if ((in.op == Op::Concat && in.get<ir::AxisAttrs>().axis != at) ||
                 ((in.op == Op::CumSum || in.op == Op::CumProd) &&
                  in.get<ir::AxisAttrs>().axis != at)) {
        next = at;
      } else if (at == kInvariant) {
        next = kInvariant;
      }
      storedReads(o, next, false, out, walked);
    }
  }

  // A stage joins the group of the one before it when both split axis 0 over threads, their
  // axes 0 have the same size, and every value the group's earlier stages store is read only
  // at this stage's own index of axis 0 (so a block of rows needs only the same block of
  // theirs): a product's epilogue (bias, activation) reads its block of rows while it is in
  // cache. Copies and scans along axis 0 stay on their own.
  void chainStages() {
    const ir::Function &fn = plan_.fn;
    size_t groupStart = 0;
    for (size_t k = 1; k < plan_.stages.size(); ++k) {
      Stage &s = plan_.stages[k];
      const Stage &prev = plan_.stages[k - 1];
      auto chainable = [](const Stage &st) {
        return st.parallel && !st.copyOnly && !st.domain.empty();
      };
      bool ok = chainable(s) && chainable(prev) && s.domain[0] == prev.domain[0] &&
                !isLiteralOne(s.domain[0]);
      if (ok) {
        std::set<ir::ValueId> group;
        for (size_t g = groupStart; g < k; ++g)
          group.insert(plan_.stages[g].root);
        std::set<std::pair<ir::ValueId, int>> reads, walked;
        storedReads(s.root, 0, true, reads, walked);
        for (const auto &[v, at] : reads)
          if (group.count(v) && (at != 0 || !(fn.typeOf(v).shape[0] == s.domain[0])))
            ok = false;
      }
      s.withPrevious = ok;
      if (!ok)
        groupStart = k;
    }
  }

private:
  void store(ir::ValueId v, std::string reason) {
    if (plan_.storage[v] == Storage::Fused) {
      plan_.storage[v] = Storage::Temp;
      plan_.reasons[v] = std::move(reason);
    }
  }

  bool isStored(ir::ValueId v) const { return plan_.storage[v] != Storage::Fused; }

  // Builds every stage; false when a reduction had to be stored (start again).
  bool planStages() {
    const ir::Function &fn = plan_.fn;
    plan_.stages.clear();
    std::set<ir::ValueId> written;
    for (size_t v = 0; v < fn.instrs.size(); ++v) {
      Storage s = plan_.storage[v];
      if (s == Storage::Temp || (s == Storage::Output && fn.instrs[v].op != Op::Input &&
                                 fn.instrs[v].op != Op::Variable)) {
        auto stage = planStage(ir::ValueId(v));
        if (!stage)
          return false;
        if (s == Storage::Output) {
          stage->output =
              int64_t(std::find(fn.outputs.begin(), fn.outputs.end(), v) - fn.outputs.begin());
          written.insert(ir::ValueId(v));
        }
        plan_.stages.push_back(std::move(*stage));
      }
    }
    // Outputs that are inputs, variables, constants or repeated: a copy each.
    std::set<ir::ValueId> copied;
    for (size_t o = 0; o < fn.outputs.size(); ++o) {
      ir::ValueId v = fn.outputs[o];
      bool firstWrite = written.count(v) && !copied.count(v);
      if (firstWrite) {
        copied.insert(v);
        continue;
      }
      Stage copy;
      copy.root = v;
      copy.domain = fn.typeOf(v).shape;
      copy.rowDepth = copy.domain.size();
      copy.output = int64_t(o);
      copy.copyOnly = true;
      plan_.stages.push_back(std::move(copy));
    }
    return true;
  }

  std::optional<Stage> planStage(ir::ValueId root) {
    const ir::Function &fn = plan_.fn;
    const ir::Instr &in = fn.instrs[root];
    Stage stage;
    stage.root = root;
    stage.domain = in.type.shape;
    stage.rowDepth = stage.domain.size();
    OpCategory cat = ir::categoryOf(in.op);
    rowDepth_.reset();
    rows_.clear();
    visited_.clear();
    changed_ = false;
    AxisMap identity(stage.domain.size());
    for (size_t a = 0; a < identity.size(); ++a)
      identity[a] = int(a);
    if (cat == OpCategory::Reduce) {
      stage.kind = StageKind::Reduce;
      const ir::Instr &operand = fn.instrs[in.operands[0]];
      size_t rank = operand.type.rank();
      stage.columns = rank > 0 && !in.get<ir::ReduceAttrs>().reduces(int64_t(rank - 1));
      // Split over threads by rows of outputs; one row of columns is the vector axis itself,
      // and splitting it would only cut the register tile into passes that each read it all.
      stage.parallel = !(stage.columns && in.type.rank() == 1);
      bool arg = in.op == Op::ArgMax || in.op == Op::ArgMin;
      bool noRows = !stage.parallel || in.type.rank() == 0 || isLiteralOne(in.type.shape[0]);
      stage.splitReduced =
          in.get<ir::ReduceAttrs>().reduces(0) && noRows && (stage.columns || !arg);
      visitUnknown(in.operands[0], operand.type.rank());
    } else if (in.op == Op::CumSum || in.op == Op::CumProd) {
      stage.kind = StageKind::Scan;
      stage.parallel = in.get<ir::AxisAttrs>().axis != 0;
      visitUnknown(in.operands[0], in.type.rank());
    } else if (in.op == Op::MatMul) {
      stage.kind = StageKind::MatMul;
      stage.blas = blasProduct(fn, in);
      for (ir::ValueId o : in.operands)
        visitUnknown(o, fn.typeOf(o).rank());
    } else if (in.op == Op::Concat && !in.type.shape.empty()) {
      // Each part is a loop of its own over the part's shape; their row reductions are
      // shared, so they must be rows of the same leading axes.
      stage.splitConcat = true;
      for (ir::ValueId o : in.operands)
        visit(o, identity, fn.typeOf(o).shape);
      if (rowDepth_ && size_t(in.get<ir::AxisAttrs>().axis) < *rowDepth_) {
        for (ir::ValueId r : rows_)
          store(r, "reduction stored: the concat that uses it joins rows");
        return std::nullopt;
      }
    } else {
      visitOperands(root, identity, stage.domain);
    }
    if (changed_)
      return std::nullopt;
    if (stage.kind == StageKind::Loop && rowDepth_) {
      stage.rowDepth = *rowDepth_;
      stage.rowReductions.assign(rows_.begin(), rows_.end()); // std::set: SSA order
      if (!stage.splitConcat)
        stage.rowBuffered = rowBuffered(stage);
    }
    return stage;
  }

  // Fused values reached from `from` through elementwise operations whose operands have the
  // result's shape (so the element index is the same), not through row reductions.
  void sameIndexReach(ir::ValueId from, std::set<ir::ValueId> &out, bool root = false) const {
    const ir::Function &fn = plan_.fn;
    if ((isStored(from) && !root) || !out.insert(from).second)
      return;
    const ir::Instr &in = fn.instrs[from];
    OpCategory cat = ir::categoryOf(in.op);
    if (cat != OpCategory::Unary && cat != OpCategory::Binary && cat != OpCategory::Compare &&
        cat != OpCategory::Select)
      return;
    for (ir::ValueId o : in.operands)
      if (fn.typeOf(o).shape == in.type.shape)
        sameIndexReach(o, out);
  }

  bool costly(ir::ValueId v, std::set<ir::ValueId> &seen) const {
    const ir::Instr &in = plan_.fn.instrs[v];
    if (isStored(v) || rows_.count(v) || !seen.insert(v).second)
      return false;
    if (ir::costOf(in.op) == ir::OpCost::Transcendental)
      return true;
    for (ir::ValueId o : in.operands)
      if (costly(o, seen))
        return true;
    return false;
  }

  // Whether `v`, read through `map` in a loop over `domain`, is an expensive elementwise value
  // the loop would compute again for every index of an axis it does not depend on, outside an
  // axis it does (`x * (1 / sqrt(sum(x * x, axis=0)))` on [B, 256]: the factor per column, B
  // times). LLVM hoists what is invariant in the innermost loops; this is the case it cannot,
  // so the value is stored by a small stage of its own and loaded.
  bool hoist(ir::ValueId v, const AxisMap &map, const Shape &domain) const {
    const ir::Function &fn = plan_.fn;
    OpCategory cat = ir::categoryOf(fn.instrs[v].op);
    if (isStored(v) || domain.empty() ||
        (cat != OpCategory::Unary && cat != OpCategory::Binary && cat != OpCategory::Select))
      return false;
    std::vector<bool> covered(domain.size(), false);
    for (int a : map) {
      if (a == kUnknown)
        return false; // read through a transpose or reshape: leave it to the loop
      if (a >= 0)
        covered[size_t(a)] = true;
    }
    bool invariantOutside = false;
    for (size_t a = 0; a < domain.size(); ++a) {
      if (!covered[a] && !isLiteralOne(domain[a]))
        invariantOutside = true;
      else if (covered[a] && invariantOutside) {
        std::set<ir::ValueId> seen;
        return expensive(v, seen);
      }
    }
    return false;
  }

  // A square root, division or transcendental among the fused elementwise operations of v.
  bool expensive(ir::ValueId v, std::set<ir::ValueId> &seen) const {
    const ir::Instr &in = plan_.fn.instrs[v];
    OpCategory cat = ir::categoryOf(in.op);
    if (isStored(v) || !seen.insert(v).second ||
        (cat != OpCategory::Unary && cat != OpCategory::Binary && cat != OpCategory::Select))
      return false;
    if (ir::costOf(in.op) != ir::OpCost::Cheap)
      return true;
    for (ir::ValueId o : in.operands)
      if (expensive(o, seen))
        return true;
    return false;
  }

  std::vector<ir::ValueId> rowBuffered(const Stage &stage) const {
    const ir::Function &fn = plan_.fn;
    int64_t rowSize = 1;
    for (size_t a = stage.rowDepth; a < stage.domain.size(); ++a) {
      auto c = stage.domain[a].asConstant();
      if (!c || *c > kMaxRowBuffer || rowSize * *c > kMaxRowBuffer)
        return {};
      rowSize *= *c;
    }
    std::set<ir::ValueId> fromRoot, fromRows;
    sameIndexReach(stage.root, fromRoot, true);
    for (ir::ValueId r : rows_)
      if (fn.typeOf(fn.instrs[r].operands[0]).shape == stage.domain)
        sameIndexReach(fn.instrs[r].operands[0], fromRows);
    std::vector<ir::ValueId> out;
    for (ir::ValueId v : fromRows) {
      std::set<ir::ValueId> seen;
      if (fromRoot.count(v) && !rows_.count(v) && v != stage.root &&
          fn.typeOf(v).shape == stage.domain && costly(v, seen))
        out.push_back(v);
    }
    // Only the outermost: a buffered value's operands are not read again.
    std::vector<ir::ValueId> outermost;
    for (ir::ValueId v : out) {
      bool inside = false;
      for (ir::ValueId w : out) {
        std::set<ir::ValueId> below;
        if (w != v) {
          for (ir::ValueId o : fn.instrs[w].operands)
            sameIndexReach(o, below);
          inside = inside || below.count(v);
        }
      }
      if (!inside)
        outermost.push_back(v);
    }
    return outermost;
  }

  void visitUnknown(ir::ValueId v, size_t rank) {
    AxisMap unknown(rank, kUnknown);
    visit(v, unknown, {});
  }

  void visitOperands(ir::ValueId v, const AxisMap &map, const Shape &domain) {
    const ir::Function &fn = plan_.fn;
    const ir::Instr &in = fn.instrs[v];
    switch (ir::categoryOf(in.op)) {
    case OpCategory::Unary:
    case OpCategory::Binary:
    case OpCategory::Compare:
    case OpCategory::Select:
      for (ir::ValueId o : in.operands) {
        AxisMap m = broadcastMap(fn.typeOf(o).shape, in.type.shape, map);
        if (hoist(o, m, domain)) {
          store(o, "computed once: the loop broadcasts it along an outer axis");
          changed_ = true;
          continue;
        }
        visit(o, m, domain);
      }
      return;
    case OpCategory::Reduce:
      return reduction(v, map, domain);
    case OpCategory::Leaf:
      return; // no operands
    case OpCategory::Other:
      break; // below, one operation at a time
    }
    if (in.op == Op::Broadcast) {
      ir::ValueId o = in.operands[0];
      return visit(o, broadcastMap(fn.typeOf(o).shape, in.type.shape, map), domain);
    }
    if (in.op == Op::Reshape) {
      ir::ValueId o = in.operands[0];
      if (auto m = unitReshapeMap(fn.typeOf(o).shape, in.type.shape, map))
        return visit(o, *m, domain);
    }
    for (ir::ValueId o : in.operands)
      visit(o, AxisMap(fn.typeOf(o).rank(), kUnknown), domain);
  }

  void visit(ir::ValueId v, const AxisMap &map, const Shape &domain) {
    if (isStored(v) || !visited_.insert({v, map}).second)
      return;
    visitOperands(v, map, domain);
  }

  // A reduction reached through `map`: a row reduction of this stage, or stored.
  void reduction(ir::ValueId v, const AxisMap &map, const Shape &domain) {
    const ir::Function &fn = plan_.fn;
    const ir::Instr &in = fn.instrs[v];
    ir::ValueId operand = in.operands[0];
    const Shape &shape = fn.typeOf(operand).shape;
    std::string why;
    std::vector<int64_t> axes = in.get<ir::ReduceAttrs>().axes;
    std::sort(axes.begin(), axes.end());
    size_t depth = shape.size() - axes.size();
    bool trailing = !axes.empty() && depth >= 1;
    for (size_t k = 0; trailing && k < axes.size(); ++k)
      trailing = axes[k] == int64_t(depth + k);
    if (in.op == Op::ArgMax || in.op == Op::ArgMin)
      why = "argmax and argmin are computed on their own";
    else if (domain.empty() || shape != domain)
      why = fmt::format("its operand's shape {} is not the shape {} of the loop using it",
                        shapeString(shape), shapeString(domain));
    else if (!trailing)
      why = "it does not reduce the trailing axes (and keep at least one)";
    else if (rowDepth_ && *rowDepth_ != depth)
      why = fmt::format("another reduction in the same loop reduces {} axes",
                        shape.size() - *rowDepth_);
    else {
      // The result must be read at (row, 0...): the row axes map to themselves.
      for (size_t a = 0; a < map.size() && why.empty(); ++a) {
        bool rowAxis = a < depth;
        bool ok = rowAxis ? map[a] == int(a) || isLiteralOne(in.type.shape[a])
                          : map[a] == kZero || isLiteralOne(in.type.shape[a]);
        if (!ok)
          why = "its result is read through a transpose, slice or reshape";
      }
    }
    if (!why.empty()) {
      store(v, "reduction stored: " + why);
      changed_ = true;
      return;
    }
    rowDepth_ = depth;
    rows_.insert(v);
    AxisMap identity(shape.size());
    for (size_t a = 0; a < identity.size(); ++a)
      identity[a] = int(a);
    visit(operand, identity, domain);
  }

  KernelPlan plan_;
  std::optional<size_t> rowDepth_;
  std::set<ir::ValueId> rows_;
  std::set<std::pair<ir::ValueId, AxisMap>> visited_;
  bool changed_ = false;
};

std::string stageText(const KernelPlan &plan, const Stage &s) {
  static constexpr const char *kKinds[] = {"loop", "reduce", "scan", "matmul"};
  std::string target = s.output >= 0 ? fmt::format("output {}", s.output) : "temporary";
  if (auto shared = plan.inOutput.find(s.root); shared != plan.inOutput.end())
    target = fmt::format("output {}'s buffer", shared->second);
  std::string text = fmt::format("{} %{} over {} -> {}", kKinds[size_t(s.kind)], s.root,
                                 shapeString(s.domain), target);
  if (s.epilogue)
    text += fmt::format("; epilogue %{} computed from the sums in registers", *s.epilogue);
  if (s.copyOnly)
    text += " (copy)";
  if (!s.rowReductions.empty()) {
    std::string rows;
    for (ir::ValueId r : s.rowReductions)
      rows += fmt::format("{}%{}", rows.empty() ? "" : ", ", r);
    text += fmt::format("; per row of {} axes: {}", s.rowDepth, rows);
  }
  if (s.splitConcat)
    text += "; one loop per concatenated part";
  if (s.columns)
    text += "; vectors along the kept last axis, one partial result per column";
  if (s.blas) {
    const ir::Instr &product = plan.fn.instrs[s.root];
    bool batch = plan.fn.typeOf(product.operands[1]).rank() > 2;
    text += fmt::format("; OpenBLAS {}gemm for {} (K * {} bytes > {}, N >= {})",
                        product.type.dtype == DType::F64 ? "d" : "s",
                        batch ? "each matrix of the batch" : "each block of rows",
                        byteSize(product.type.dtype), kBlasMinDepthBytes, kBlasMinSize);
  }
  if (s.splitReduced)
    text += "; axis 0 of the operand in chunks over threads, combined in order";
  else if (!s.parallel)
    text += "; one thread";
  if (s.withPrevious)
    text += "; with the stage before, a block of rows at a time";
  if (!s.rowBuffered.empty()) {
    std::string kept;
    for (ir::ValueId v : s.rowBuffered)
      kept += fmt::format("{}%{}", kept.empty() ? "" : ", ", v);
    text += fmt::format("; row buffer: {}", kept);
  }
  return text;
}

} // namespace

KernelPlan planFusion(ir::Function fn) { return Planner(std::move(fn)).run(); }

bool blasProduct(const ir::Function &fn, const ir::Instr &product) {
  const TensorType &lhs = fn.typeOf(product.operands[0]), &rhs = fn.typeOf(product.operands[1]);
  DType t = product.type.dtype;
  if ((t != DType::F32 && t != DType::F64) || lhs.dtype != t || rhs.dtype != t || lhs.rank() < 2 ||
      product.type.rank() != lhs.rank())
    return false;
  for (ir::ValueId o : product.operands)
    if (fn.instrs[o].op == Op::Constant)
      return false;
  size_t r = rhs.rank();
  std::optional<int64_t> k = rhs.shape[r - 2].asConstant(), n = rhs.shape[r - 1].asConstant();
  if (!k || !n || *k > INT32_MAX || *n > INT32_MAX ||
      *k * int64_t(byteSize(t)) <= kBlasMinDepthBytes || *n < kBlasMinSize)
    return false;
  if (r == 2)
    return true;
  std::optional<int64_t> m = lhs.shape[1].asConstant();
  return r == 3 && lhs.rank() == 3 && lhs.shape[0] == rhs.shape[0] && m && *m <= INT32_MAX &&
         *m * *k * *n >= kBlasBatchMinWork;
}

std::string print(const KernelPlan &plan) {
  std::string out = ir::print(plan.fn);
  size_t loops = plan.stages.size();
  out += fmt::format("; {} loop nest{}{}\n", loops, loops == 1 ? "" : "s",
                     loops == 1 ? " (one fused kernel)" : "");
  for (size_t k = 0; k < plan.stages.size(); ++k)
    out += fmt::format(";   stage {}: {}\n", k, stageText(plan, plan.stages[k]));
  for (ir::ValueId t : plan.temps)
    out += fmt::format(";   %{} is stored: {}\n", t, plan.reasons[t]);
  for (const auto &[t, o] : plan.inOutput)
    out += fmt::format(";   %{} is stored in output {}, whose stage reads it in place: {}\n", t, o,
                       plan.reasons[t]);
  return out;
}

} // namespace lamina::transforms
