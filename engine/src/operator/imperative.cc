// Imperative op execution. This is the per-call dispatch path of every NDArray op from every
// binding, so it avoids heap work where it can: parsed parameters are cached per thread, small
// lists live inline, and the pushed closure is the only allocation besides the outputs.
#include "operator/imperative.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <utility>

#include <unistd.h>

#include "common/error.h"
#include "common/fast_tls.h"
#include "common/small_vec.h"
#include "autograd/autograd.h"
#include "engine/engine.h"

namespace mixnet::op {

namespace {

// ---- the global random state -----------------------------------------------------------------

// One generator for the process, guarded by one engine variable: every random op writes that
// variable, so they run one at a time in push order and need no lock. Leaked on purpose so that
// ops still running at exit never see it destroyed.
struct GlobalRandom {
  RandomState state;
  engine::VarHandle var = nullptr;
  static GlobalRandom& Get() {
    static GlobalRandom* g = [] {
      auto* r = new GlobalRandom();
      r->var = engine::Engine::Get()->NewVariable();
      return r;
    }();
    return *g;
  }
};

// ---- parameter cache ---------------------------------------------------------------------------

// Parsing "(3, 3)"-style strings costs far more than the rest of a small op's dispatch, and a
// training loop calls the same op with the same parameters over and over. A small direct-mapped
// per-thread cache keyed on (op, exact attribute strings) returns the parsed struct; a collision
// simply re-parses. Per-thread, so it needs no lock.
struct ParamCacheEntry {
  const Op* op = nullptr;
  std::vector<std::pair<std::string, std::string>> attrs;
  std::shared_ptr<const ParamBase> param;
};

constexpr size_t kParamCacheSlots = 64;

size_t HashAttrs(const Op* op, AttrList attrs) {
  size_t h = std::hash<const void*>()(op);
  for (const auto& [k, v] : attrs) {
    h = h * 1000003u ^ std::hash<std::string_view>()(k);
    h = h * 1000003u ^ std::hash<std::string_view>()(v);
  }
  return h;
}

bool SameAttrs(const ParamCacheEntry& e, AttrList attrs) {
  if (e.attrs.size() != attrs.size()) return false;
  for (size_t i = 0; i < attrs.size(); ++i) {
    if (e.attrs[i].first != attrs[i].first || e.attrs[i].second != attrs[i].second) return false;
  }
  return true;
}

// Per-thread state of the dispatch path, in one thread-local object: a call looks it up once
// (common/fast_tls.h), and reaches the thread's autograd modes through it as well.
struct DispatchScratch {
  autograd::Modes* modes = &autograd::CurrentModes();
  std::array<ParamCacheEntry, kParamCacheSlots> param_cache;
  InferIO io;  // used only before the push, so a nested Invoke from an inline op may reuse it
  // How many ops this thread is running inline from InvokeInto right now. An outer call reads its
  // parameters through its cache slot while its op runs, so nested calls must not replace slots.
  int inline_depth = 0;
  // On the main thread this object is destroyed by exit() (or main's return) before any static
  // object: the moment to let running kernels finish, before the libraries they use (oneDNN)
  // tear down their static state. See engine::DrainForExit.
  bool on_main_thread = gettid() == getpid();
  ~DispatchScratch() {
    if (on_main_thread) engine::DrainForExit();
  }
  static DispatchScratch& Get() { return FastThreadLocal<DispatchScratch>::Get(); }
};

// The parsed parameters of a call, by reference into the cache: the hit path copies no
// shared_ptr (two atomic operations per call). The reference stays valid until a later call on
// this thread outside an inline op replaces the slot; a miss inside an inline op parses into
// `fresh` instead of a slot.
const std::shared_ptr<const ParamBase>& ParseCached(const Op& op, AttrList attrs,
                                                    DispatchScratch& scratch,
                                                    std::shared_ptr<const ParamBase>& fresh) {
  ParamCacheEntry& slot = scratch.param_cache[HashAttrs(&op, attrs) % kParamCacheSlots];
  if (slot.op == &op && SameAttrs(slot, attrs)) return slot.param;
  MX_CHECK(op.schema->parse != nullptr, Internal) << op.name() << ": schema has no parser";
  std::shared_ptr<const ParamBase> parsed(op.schema->parse(attrs));
  if (scratch.inline_depth > 0) {
    fresh = std::move(parsed);
    return fresh;
  }
  slot.op = nullptr;  // invalid until fully rewritten, should an assignment below throw
  slot.attrs.assign(attrs.begin(), attrs.end());
  slot.param = std::move(parsed);
  slot.op = &op;
  return slot.param;
}

// ---- input count ------------------------------------------------------------------------------

// Checks the number of inputs against the op's input list; inputs that exist only for some
// parameter values (input_present) count only when present.
void CheckInputCount(const OpSchema& s, const ParamBase& param, size_t given) {
  if (s.input_present == nullptr && given == s.input_names.size()) return;
  SmallVec<const char*, 8> names;
  for (size_t i = 0; i < s.input_names.size(); ++i) {
    if (s.input_present == nullptr || s.input_present(param, i)) names.push_back(s.input_names[i]);
  }
  const size_t expected = names.size();
  if (given == expected) return;
  std::ostringstream os;
  for (size_t i = 0; i < expected; ++i) os << (i ? ", " : "") << names[i];
  MX_THROW(ValueError) << s.name << ": expected " << expected
                       << (expected == 1 ? " input" : " inputs") << " (" << os.str()
                       << (s.input_present != nullptr ? ", for these parameters" : "")
                       << "), got " << given;
}

// Whether passed input `pos` is one the forward writes (auxiliary state). Mutable indices refer
// to input_names; absent inputs are skipped when mapping them to passed positions.
bool IsMutableInput(const OpSchema& s, const ParamBase& param, size_t pos) {
  if (s.mutable_inputs.empty()) return false;
  size_t passed = 0;
  for (size_t i = 0; i < s.input_names.size(); ++i) {
    if (s.input_present != nullptr && !s.input_present(param, i)) continue;
    if (passed == pos) {
      return std::find(s.mutable_inputs.begin(), s.mutable_inputs.end(), static_cast<int>(i)) !=
             s.mutable_inputs.end();
    }
    ++passed;
  }
  return false;
}

// For variadic ops the count parameter (num_args) must agree with the inputs; when the caller
// leaves it out (the usual case from the bindings) it is filled in. `scratch` and `count_str`
// keep the added strings alive for the returned list.
AttrList WithInputCount(const OpSchema& s, AttrList attrs, size_t n,
                        std::vector<std::pair<std::string_view, std::string_view>>& scratch,
                        std::string& count_str) {
  const std::string_view key = s.num_inputs_param;
  const size_t per = static_cast<size_t>(s.inputs_per_count);
  MX_CHECK(n % per == 0, ValueError)
      << s.name << ": takes its inputs in groups of " << per << ", got " << n << " inputs";
  const size_t groups = n / per;
  for (const auto& [k, v] : attrs) {
    if (k != key) continue;
    std::string_view t = v;
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    int64_t value = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    // Unparseable values are left to the schema's parser, which reports them as TypeError.
    if (ec == std::errc() && end == t.data() + t.size()) {
      MX_CHECK(value == static_cast<int64_t>(groups), ValueError)
          << s.name << ": " << key << " is " << value << " but " << n
          << (n == 1 ? " input was" : " inputs were") << " given"
          << (per > 1 ? " (" + std::to_string(per) + " per unit)" : std::string());
    }
    return attrs;
  }
  count_str = std::to_string(groups);
  scratch.assign(attrs.begin(), attrs.end());
  scratch.emplace_back(key, count_str);
  return scratch;
}

// ---- inference ----------------------------------------------------------------------------------

// InferIO's contract says the kernel "fills" one entry per output. Kernels may do that by index
// (io.out_shapes[0] = ...), by assignment or by push_back. Invoke accepts all three: both vectors
// start with one entry per declared output, the dtypes set to a sentinel; when the kernel appended
// instead, those leading placeholder entries are dropped. A sentinel dtype that survives means
// the kernel forgot an output.
constexpr DType kUnsetType = static_cast<DType>(-1);

void RunInfer(const Op& op, const ParamBase& param, std::span<const NDArray* const> inputs,
              InferIO& io) {
  const size_t declared = op.schema->output_names.empty() ? 1 : op.schema->output_names.size();
  io.in_shapes.clear();
  io.in_types.clear();
  for (const NDArray* a : inputs) {
    io.in_shapes.push_back(a->shape());
    io.in_types.push_back(a->dtype());
  }
  io.out_shapes.clear();
  io.out_shapes.resize(declared);
  io.out_types.assign(declared, kUnsetType);
  io.num_visible_outputs = -1;
  op.kernel.infer(param, io);
  if (io.out_types.size() > declared &&
      std::all_of(io.out_types.begin(), io.out_types.begin() + declared,
                  [](DType t) { return t == kUnsetType; })) {
    const auto n = static_cast<std::ptrdiff_t>(declared);
    io.out_types.erase(io.out_types.begin(), io.out_types.begin() + n);
    if (io.out_shapes.size() == io.out_types.size() + declared) {
      io.out_shapes.erase(io.out_shapes.begin(), io.out_shapes.begin() + n);
    }
  }
  MX_CHECK(io.out_shapes.size() == io.out_types.size(), Internal)
      << op.name() << ": inference returned " << io.out_shapes.size() << " shapes but "
      << io.out_types.size() << " dtypes";
  for (size_t i = 0; i < io.out_types.size(); ++i) {
    MX_CHECK(io.out_types[i] != kUnsetType, Internal)
        << op.name() << ": inference did not set the dtype of output " << i;
  }
  const size_t total = io.out_types.size();
  if (io.num_visible_outputs < 0) {
    const size_t hidden = op.schema->num_hidden_outputs;
    io.num_visible_outputs = static_cast<int>(total > hidden ? total - hidden : total);
  }
  MX_CHECK(static_cast<size_t>(io.num_visible_outputs) <= total, Internal)
      << op.name() << ": inference made " << io.num_visible_outputs << " of " << total
      << " outputs visible";
}

// ---- the pushed work ---------------------------------------------------------------------------

// "take (inputs: (3,) float32, (2,) int32)": how a failing op names itself in async errors.
std::string DescribeCall(const char* name, std::span<const TBlob> inputs) {
  std::ostringstream os;
  os << name << " (";
  if (inputs.empty()) {
    os << "no inputs";
  } else {
    os << "inputs: ";
    for (size_t i = 0; i < inputs.size(); ++i) {
      os << (i ? ", " : "") << inputs[i].shape << ' ' << DTypeName(inputs[i].dtype);
    }
  }
  os << ')';
  return os.str();
}

// Everything the kernel needs, captured by value in the pushed closure. Blob pointers stay valid
// until the op has run: a chunk's memory is released by an op ordered after this one.
// `param` points into the caller's parameter cache while the op runs inline; a pushed copy owns
// it through `owner`.
struct PendingOp {
  const Op* op = nullptr;
  const ParamBase* param = nullptr;
  std::shared_ptr<const ParamBase> owner;
  SmallVec<TBlob, 4> blobs;  // inputs, then outputs
  size_t num_inputs = 0;
  bool needs_rng = false;
  bool outputs_empty = false;
  bool is_train = false;

  void operator()(const engine::RunContext& rc) const {
    const std::span<const TBlob> in(blobs.data(), num_inputs);
    const std::span<const TBlob> out(blobs.data() + num_inputs, blobs.size() - num_inputs);
    // Nothing to write: skip the kernel, so every kernel gets zero-size arrays right for free.
    if (outputs_empty) return;
    static constexpr size_t kStaticReqs = 16;
    static const std::array<OpReq, kStaticReqs> kWriteReqs = [] {
      std::array<OpReq, kStaticReqs> r;
      r.fill(OpReq::kWriteTo);
      return r;
    }();
    std::vector<OpReq> many_reqs;
    std::span<const OpReq> req(kWriteReqs.data(), std::min(out.size(), kStaticReqs));
    if (out.size() > kStaticReqs) {
      many_reqs.assign(out.size(), OpReq::kWriteTo);
      req = many_reqs;
    }
    OpContext ctx;
    ctx.is_train = is_train;
    ctx.nthreads = rc.nthreads;
    ctx.rng = needs_rng ? &GlobalRandom::Get().state : nullptr;
    ctx.req = req;
    ctx.op_name = op->name();
    try {
      op->kernel.forward(*param, ctx, in, out);
    } catch (const Error& e) {
      throw Error(e.kind(), DescribeCall(op->name(), in) + ": " + e.what());
    } catch (const std::bad_alloc&) {
      throw Error(ErrorKind::kValueError, DescribeCall(op->name(), in) + ": out of memory");
    } catch (const std::exception& e) {
      throw Error(ErrorKind::kInternal, DescribeCall(op->name(), in) + ": " + e.what());
    }
  }
};

// Ops at most this large (in output elements) may run inline on the pushing thread when the
// kernel is flagged cheap: below this the hand-off to a worker costs more than the work.
constexpr int64_t kInlineMaxElements = 16384;

}  // namespace

size_t InvokeInto(const Op& op, std::span<const NDArray* const> inputs, AttrList attrs,
                  OutputList& outputs) {
  const OpSchema& schema = *op.schema;
  MX_CHECK(op.kernel.infer != nullptr && op.kernel.forward != nullptr, Internal)
      << schema.name << ": the op has a schema but no kernel (MX_REGISTER_KERNEL)";
  for (size_t i = 0; i < inputs.size(); ++i) {
    MX_CHECK(!inputs[i]->is_none(), ValueError)
        << schema.name << ": input " << i << " is a none array (it has no storage)";
  }

  // Parameters.
  std::vector<std::pair<std::string_view, std::string_view>> attr_scratch;
  std::string count_str;
  if (schema.variadic_inputs && schema.num_inputs_param != nullptr) {
    attrs = WithInputCount(schema, attrs, inputs.size(), attr_scratch, count_str);
  }
  DispatchScratch& scratch = DispatchScratch::Get();
  std::shared_ptr<const ParamBase> fresh_param;
  const std::shared_ptr<const ParamBase>& param = ParseCached(op, attrs, scratch, fresh_param);
  if (!schema.variadic_inputs) CheckInputCount(schema, *param, inputs.size());

  // Shapes and dtypes.
  InferIO& io = scratch.io;
  RunInfer(op, *param, inputs, io);
  const size_t num_out = io.out_shapes.size();
  const size_t num_visible = static_cast<size_t>(io.num_visible_outputs);

  // Autograd: decided before the push, since an inline op may run (and change its mutable
  // inputs) at once.
  const bool record =
      schema.differentiable && scratch.modes->recording && autograd::ShouldRecord(inputs);
  std::shared_ptr<const ParamBase> recorded_param;
  if (record) recorded_param = param;

  // Outputs: allocate, or check what the caller provided. Outputs allocated here have variables
  // no other thread can know yet (private_writes below).
  const Context ctx = inputs.empty() ? Context::CPU() : inputs[0]->ctx();
  int private_writes = 0;
  if (outputs.size() == 0) {
    for (size_t i = 0; i < num_out; ++i) outputs.emplace_back(io.out_shapes[i], ctx, io.out_types[i]);
    private_writes = static_cast<int>(num_out);
  } else {
    // The caller provides the visible outputs; hidden ones are always allocated here.
    MX_CHECK(outputs.size() == num_visible, ValueError)
        << schema.name << ": expected " << num_visible
        << (num_visible == 1 ? " output" : " outputs") << ", got " << outputs.size();
    while (outputs.size() < num_out) outputs.emplace_back();
    for (size_t i = 0; i < num_out; ++i) {
      NDArray& o = outputs[i];
      if (o.is_none()) {
        o = NDArray(io.out_shapes[i], ctx, io.out_types[i]);
        continue;
      }
      MX_CHECK(o.shape() == io.out_shapes[i] && o.dtype() == io.out_types[i], ValueError)
          << schema.name << ": output " << i << " has shape " << o.shape() << ' '
          << DTypeName(o.dtype()) << ", expected " << io.out_shapes[i] << ' '
          << DTypeName(io.out_types[i]);
    }
  }

  // The closure, built on the stack: an op that can run inline at once (the common small op)
  // runs from here without an OpFn (whose heap copy of this closure would be the dispatch's
  // largest allocation); only an op that has to wait is copied into one. And the dependency
  // lists. A var listed twice (x + x, out= aliasing an input, two views of one chunk) appears
  // once, in writes if anything writes it.
  PendingOp pending;
  pending.op = &op;
  pending.param = param.get();
  pending.num_inputs = inputs.size();
  pending.needs_rng = schema.needs_rng;
  const bool is_train = scratch.modes->training;
  pending.is_train = is_train;
  SmallVec<engine::VarHandle, 8> reads, writes;
  int64_t out_elements = 0;
  for (const NDArray* a : inputs) pending.blobs.emplace_back(a->data(), a->shape(), a->dtype());
  for (const NDArray& o : outputs) {
    pending.blobs.emplace_back(o.data(), o.shape(), o.dtype());
    out_elements += o.Size();
    if (!writes.contains(o.var())) writes.push_back(o.var());
  }
  if (!schema.mutable_inputs.empty()) {  // auxiliary state the forward updates: a write
    for (size_t i = 0; i < inputs.size(); ++i) {
      engine::VarHandle v = inputs[i]->var();
      if (IsMutableInput(schema, *param, i) && !writes.contains(v)) writes.push_back(v);
    }
  }
  for (const NDArray* a : inputs) {
    engine::VarHandle v = a->var();
    if (!writes.contains(v) && !reads.contains(v)) reads.push_back(v);
  }
  pending.outputs_empty = out_elements == 0;
  if (schema.needs_rng) writes.push_back(GlobalRandom::Get().var);

  engine::PushOptions opts;
  opts.name = schema.name;
  opts.allow_inline = op.kernel.cheap && out_elements <= kInlineMaxElements;
  opts.private_writes = private_writes;
  engine::Engine* eng = engine::Engine::Get();
  bool ran = false;
  if (opts.allow_inline) {
    struct InlineScope {  // counts this op as running inline until TryRunInline returns or throws
      int& depth;
      explicit InlineScope(int& d) : depth(d) { ++depth; }
      ~InlineScope() { --depth; }
    } scope(scratch.inline_depth);
    ran = eng->TryRunInline(pending, reads.span(), writes.span(), opts);
  }
  if (!ran) {
    opts.inline_tried = opts.allow_inline;
    pending.owner = param;  // the pushed copy keeps the parameters alive
    eng->Push(engine::OpFn(std::move(pending)), reads.span(), writes.span(), opts);
  }
  // From here on `param` may be stale: ops run by the push may have replaced its cache slot.
  if (schema.needs_rng) {
    // A failing random op leaves its error on the generator's variable, and the engine would
    // then skip every later random op. This no-op overwrites (clears) that error right away;
    // the error still reaches the caller through the op's outputs.
    eng->Push([](const engine::RunContext&) {}, {}, {&GlobalRandom::Get().var, 1},
              {.name = "clear_rng_error", .allow_inline = true, .overwrites_outputs = true});
  }
  if (record) {
    autograd::RecordOp(op, std::move(recorded_param), inputs, outputs.mutable_span(), num_visible,
                       is_train);
  }
  return num_visible;
}

InvokeResult InvokeAll(const Op& op, std::span<const NDArray> inputs, AttrList attrs,
                       std::vector<NDArray> outputs) {
  SmallVec<const NDArray*, 8> in;
  for (const NDArray& a : inputs) in.push_back(&a);
  OutputList list;
  for (NDArray& o : outputs) list.emplace_back(std::move(o));
  const size_t num_visible = InvokeInto(op, in.span(), attrs, list);
  outputs.clear();
  outputs.reserve(list.size());
  for (NDArray& o : list) outputs.push_back(std::move(o));
  return InvokeResult{std::move(outputs), num_visible};
}

std::vector<NDArray> Invoke(const Op& op, std::span<const NDArray> inputs, AttrList attrs,
                            std::vector<NDArray> outputs) {
  InvokeResult r = InvokeAll(op, inputs, attrs, std::move(outputs));
  r.outputs.resize(r.num_visible);
  return std::move(r.outputs);
}

std::vector<NDArray> Invoke(std::string_view op_name, std::span<const NDArray> inputs,
                            AttrList attrs, std::vector<NDArray> outputs) {
  const Op* op = FindOp(op_name);
  MX_CHECK(op != nullptr, NotFound) << "unknown operator '" << op_name << "'";
  return Invoke(*op, inputs, attrs, std::move(outputs));
}

void SeedRandom(uint64_t seed) {
  GlobalRandom& g = GlobalRandom::Get();
  // Ordered after pending random ops like any other write of the generator; a new seed replaces
  // the whole state, so it also clears an error a failed random op left there.
  engine::Engine::Get()->Push(
      [seed](const engine::RunContext&) { GlobalRandom::Get().state.Seed(seed); }, {},
      {&g.var, 1}, {.name = "SeedRandom", .allow_inline = true, .overwrites_outputs = true});
}

std::string GetRandomState() {
  GlobalRandom& g = GlobalRandom::Get();
  engine::Engine::Get()->WaitForVar(g.var);
  std::ostringstream os;
  os << g.state.engine;
  return os.str();
}

void SetRandomState(std::string_view state) {
  // Parse into a fresh generator first: a malformed text must leave the current state intact.
  std::mt19937_64 parsed;
  std::istringstream is{std::string(state)};
  is >> parsed;
  MX_CHECK(!is.fail(), ValueError) << "random state: not a generator state written by GetRandomState ("
                                   << state.size() << " bytes)";
  is >> std::ws;
  MX_CHECK(is.eof(), ValueError) << "random state: unexpected text after the generator state";
  GlobalRandom& g = GlobalRandom::Get();
  engine::Engine::Get()->Push(
      [parsed](const engine::RunContext&) { GlobalRandom::Get().state.engine = parsed; }, {},
      {&g.var, 1}, {.name = "SetRandomState", .allow_inline = true, .overwrites_outputs = true});
}

}  // namespace mixnet::op
