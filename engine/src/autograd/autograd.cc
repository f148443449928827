// The autograd tape: recorded calls are nodes holding the op, its parsed parameters, the input
// and output values (detached copies, so the tape never owns itself) and edges to the nodes that
// produced the inputs. Backward accumulates output gradients per (node, output) slot and pushes
// one gradient kernel per node to the engine, in reverse topological order.
#include "autograd/autograd.h"

#include <algorithm>
#include <array>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>

#include "common/error.h"
#include "engine/engine.h"
#include "operator/imperative.h"
#include "operator/op.h"

namespace mixnet::autograd {

// A recorded call (op != nullptr) or a marked variable (op == nullptr).
struct Node {
  const op::Op* op = nullptr;
  std::shared_ptr<const op::ParamBase> param;
  std::vector<AGEntry> in_entries;  // one per input; empty entries are constants
  std::vector<NDArray> inputs;      // detached, as passed to the forward
  std::vector<NDArray> outputs;     // detached, visible then hidden
  size_t num_visible = 0;
  bool is_train = false;
  bool freed = false;  // Backward without retain_graph released the saved values
  // Marked variables only.
  GradReq grad_req = GradReq::kNull;
  NDArray grad;
};

namespace {

bool Tracked(const AGEntry& e) {
  if (!e) return false;
  return e.node->op != nullptr || e.node->grad_req != GradReq::kNull;
}

std::vector<NDArray> Run(const char* op, std::vector<NDArray> inputs,
                         std::vector<NDArray> outputs = {}) {
  return op::Invoke(op, inputs, {}, std::move(outputs));
}

// "FullyConnected_backward (inputs: (2, 3) float32, ...)": how a failing gradient names itself.
std::string Describe(const char* name, std::span<const TBlob> inputs) {
  std::ostringstream os;
  os << name << " backward (inputs: ";
  for (size_t i = 0; i < inputs.size(); ++i) {
    os << (i ? ", " : "") << inputs[i].shape << ' ' << DTypeName(inputs[i].dtype);
  }
  os << ')';
  return os.str();
}

// The accumulated gradient of one (node, output) entry.
struct Slot {
  NDArray buf;
  bool written = false;     // buf holds a contribution (or, for kAdd leaves, earlier values)
  bool user_owned = false;  // buf is a marked variable's gradient buffer
};

struct SlotKey {
  const Node* node;
  uint32_t index;
  bool operator==(const SlotKey& o) const { return node == o.node && index == o.index; }
};
struct SlotKeyHash {
  size_t operator()(const SlotKey& k) const {
    return std::hash<const void*>()(k.node) * 31 + k.index;
  }
};

class BackwardPass {
 public:
  explicit BackwardPass(bool into_variables) : into_vars_(into_variables) {}

  // The slot of an entry; leaves in Backward mode write the user's buffer per grad_req.
  Slot* SlotOf(const AGEntry& e) {
    auto [it, inserted] = slots_.try_emplace(SlotKey{e.node.get(), e.index});
    Slot& s = it->second;
    if (inserted && e.node->op == nullptr && into_vars_) {
      s.buf = e.node->grad;
      s.user_owned = true;
      s.written = e.node->grad_req == GradReq::kAdd;
    }
    return &s;
  }

  Slot* Find(const Node* node, uint32_t index) {
    auto it = slots_.find(SlotKey{node, index});
    return it == slots_.end() ? nullptr : &it->second;
  }
  Slot* Find(const AGEntry& e) { return Find(e.node.get(), e.index); }

  // Adds `g` (an array this pass owns) into the entry's gradient.
  void Contribute(const AGEntry& e, const NDArray& g) {
    if (e.node->op == nullptr && e.node->grad_req == GradReq::kNull) return;
    Slot* s = SlotOf(e);
    if (!s->written) {
      if (s->user_owned) {
        Run("_copy", {g}, {s->buf});
      } else {
        s->buf = g;
      }
      s->written = true;
    } else {
      Run("elemwise_add", {s->buf, g}, {s->buf});
    }
  }

  // Where input `i` of a node writes its gradient: the req and the buffer.
  op::OpReq Target(const AGEntry& e, const NDArray& like, NDArray* buf) {
    if (!Tracked(e)) return op::OpReq::kNull;
    Slot* s = SlotOf(e);
    if (!s->written) {
      if (!s->user_owned) s->buf = NDArray(like.shape(), like.ctx(), like.dtype());
      s->written = true;
      *buf = s->buf;
      return op::OpReq::kWriteTo;
    }
    *buf = s->buf;
    return op::OpReq::kAddTo;
  }

  void RunNode(Node& n) {
    // Output gradients; a node none of whose outputs received one passes nothing on.
    std::vector<NDArray> ograds(n.num_visible);
    bool any = false;
    for (size_t k = 0; k < n.num_visible; ++k) {
      Slot* s = Find(&n, static_cast<uint32_t>(k));
      if (s != nullptr && s->written) {
        ograds[k] = s->buf;
        any = true;
      }
    }
    if (!any) return;
    for (size_t k = 0; k < n.num_visible; ++k) {
      if (ograds[k].is_none()) ograds[k] = Run("zeros_like", {n.outputs[k]})[0];
    }

    // Input gradients: straight into the slots where possible; a second use of one entry by
    // the same call goes through a temporary and is added afterwards.
    const size_t ni = n.inputs.size();
    std::vector<NDArray> igrads(ni);
    std::vector<op::OpReq> reqs(ni, op::OpReq::kNull);
    std::vector<std::pair<size_t, NDArray>> deferred;  // (input index, temporary)
    for (size_t i = 0; i < ni; ++i) {
      const AGEntry& e = n.in_entries[i];
      if (!Tracked(e)) continue;
      bool repeated = false;
      for (size_t j = 0; j < i; ++j) {
        repeated |= n.in_entries[j].node == e.node && n.in_entries[j].index == e.index;
      }
      if (repeated) {
        igrads[i] = NDArray(n.inputs[i].shape(), n.inputs[i].ctx(), n.inputs[i].dtype());
        reqs[i] = op::OpReq::kWriteTo;
        deferred.emplace_back(i, igrads[i]);
      } else {
        reqs[i] = Target(e, n.inputs[i], &igrads[i]);
      }
    }
    if (std::all_of(reqs.begin(), reqs.end(), [](op::OpReq r) { return r == op::OpReq::kNull; })) {
      return;
    }
    Push(n, ograds, igrads, reqs);
    for (auto& [i, tmp] : deferred) Contribute(n.in_entries[i], tmp);
  }

 private:
  struct PendingBackward {
    const op::Op* op;
    std::shared_ptr<const op::ParamBase> param;
    std::vector<TBlob> ograds, inputs, outputs, igrads;
    std::vector<op::OpReq> reqs;
    bool is_train;
    void operator()(const engine::RunContext& rc) const {
      op::OpContext ctx;
      ctx.is_train = is_train;
      ctx.nthreads = rc.nthreads;
      ctx.req = reqs;
      ctx.op_name = op->name();
      try {
        op->kernel.backward(*param, ctx, ograds, inputs, outputs, igrads);
      } catch (const Error& e) {
        throw Error(e.kind(), Describe(op->name(), inputs) + ": " + e.what());
      } catch (const std::bad_alloc&) {
        throw Error(ErrorKind::kValueError, Describe(op->name(), inputs) + ": out of memory");
      } catch (const std::exception& e) {
        throw Error(ErrorKind::kInternal, Describe(op->name(), inputs) + ": " + e.what());
      }
    }
  };

  void Push(Node& n, const std::vector<NDArray>& ograds, const std::vector<NDArray>& igrads,
            const std::vector<op::OpReq>& reqs) {
    PendingBackward p{n.op, n.param, {}, {}, {}, {}, reqs, n.is_train};
    std::vector<engine::VarHandle> reads, writes;
    auto read = [&](const NDArray& a) {
      if (std::find(reads.begin(), reads.end(), a.var()) == reads.end()) reads.push_back(a.var());
    };
    for (const NDArray& g : ograds) {
      p.ograds.push_back(g.blob());
      read(g);
    }
    for (const NDArray& a : n.inputs) {
      p.inputs.push_back(a.blob());
      read(a);
    }
    for (const NDArray& o : n.outputs) {
      p.outputs.push_back(o.blob());
      read(o);
    }
    for (size_t i = 0; i < igrads.size(); ++i) {
      if (reqs[i] == op::OpReq::kNull) {
        p.igrads.push_back(TBlob{nullptr, n.inputs[i].shape(), n.inputs[i].dtype()});
        continue;
      }
      p.igrads.push_back(igrads[i].blob());
      engine::VarHandle v = igrads[i].var();
      if (std::find(writes.begin(), writes.end(), v) == writes.end()) writes.push_back(v);
    }
    std::erase_if(reads, [&](engine::VarHandle v) {
      return std::find(writes.begin(), writes.end(), v) != writes.end();
    });
    engine::PushOptions opts;
    opts.name = n.op->name();
    engine::Engine::Get()->Push(std::move(p), reads, writes, opts);
  }

  bool into_vars_;
  std::unordered_map<SlotKey, Slot, SlotKeyHash> slots_;
};

// Post-order of the op nodes reachable from the heads (producers before consumers).
std::vector<Node*> TopoOrder(std::span<const AGEntry> heads) {
  std::vector<Node*> order;
  std::unordered_map<Node*, int> state;  // 1 = on stack, 2 = done
  std::vector<std::pair<Node*, size_t>> stack;
  for (const AGEntry& h : heads) {
    if (h.node->op == nullptr || state[h.node.get()] != 0) continue;
    stack.emplace_back(h.node.get(), 0);
    state[h.node.get()] = 1;
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < node->in_entries.size()) {
        Node* child = node->in_entries[next++].node.get();
        if (child != nullptr && child->op != nullptr && state[child] == 0) {
          state[child] = 1;
          stack.emplace_back(child, 0);
        }
        continue;
      }
      state[node] = 2;
      order.push_back(node);
      stack.pop_back();
    }
  }
  return order;
}

struct PauseRecording {
  bool prev = SetRecording(false);
  ~PauseRecording() { SetRecording(prev); }
};

// Shared by Backward and Grad: returns, for Grad, the gradient of each variable.
std::vector<NDArray> RunBackward(std::span<const NDArray> heads,
                                 std::span<const NDArray> head_grads,
                                 std::span<const NDArray> variables, bool into_variables,
                                 bool retain_graph) {
  PauseRecording pause;
  MX_CHECK(!heads.empty(), ValueError) << "backward: no heads given";
  MX_CHECK(head_grads.empty() || head_grads.size() == heads.size(), ValueError)
      << "backward: got " << head_grads.size() << " head gradients for " << heads.size()
      << " heads";
  std::vector<AGEntry> entries;
  for (size_t i = 0; i < heads.size(); ++i) {
    const AGEntry& e = heads[i].ag_entry();
    MX_CHECK(Tracked(e), ValueError)
        << "backward: head " << i << " (shape " << heads[i].shape()
        << ") does not depend on any variable marked for gradient; compute it inside "
           "autograd.record() from arrays with attach_grad()/mark_variables()";
    MX_CHECK(!e.node->freed, ValueError)
        << "backward: the graph behind head " << i
        << " was already freed by an earlier backward; pass retain_graph=True to the first "
           "backward to run it again";
    if (!head_grads.empty() && !head_grads[i].is_none()) {
      MX_CHECK(head_grads[i].shape() == heads[i].shape(), ValueError)
          << "backward: head gradient " << i << " has shape " << head_grads[i].shape()
          << " but the head has shape " << heads[i].shape();
    }
    entries.push_back(e);
  }
  for (size_t v = 0; v < variables.size(); ++v) {
    MX_CHECK(Tracked(variables[v].ag_entry()), ValueError)
        << "grad: variable " << v << " (shape " << variables[v].shape()
        << ") is not marked for gradient (attach_grad()/mark_variables()) nor recorded";
  }

  BackwardPass pass(into_variables);
  for (size_t i = 0; i < heads.size(); ++i) {
    NDArray g = (!head_grads.empty() && !head_grads[i].is_none())
                    ? Run("_copy", {head_grads[i]})[0]
                    : Run("ones_like", {heads[i]})[0];
    pass.Contribute(entries[i], g);
  }
  std::vector<Node*> order = TopoOrder(entries);
  for (auto it = order.rbegin(); it != order.rend(); ++it) pass.RunNode(**it);

  std::vector<NDArray> result;
  for (size_t v = 0; v < variables.size(); ++v) {
    Slot* s = pass.Find(variables[v].ag_entry());
    MX_CHECK(s != nullptr && s->written, ValueError)
        << "grad: variable " << v << " (shape " << variables[v].shape()
        << ") is not used in computing the heads";
    result.push_back(s->buf);
  }
  if (!retain_graph) {
    for (Node* n : order) {
      n->freed = true;
      n->inputs.clear();
      n->outputs.clear();
      n->in_entries.clear();
      n->param.reset();
    }
  }
  return result;
}

}  // namespace

Modes& CurrentModes() {
  thread_local Modes m;
  return m;
}

bool IsRecording() { return CurrentModes().recording; }
bool SetRecording(bool on) { return std::exchange(CurrentModes().recording, on); }
bool IsTraining() { return CurrentModes().training; }
bool SetTraining(bool on) { return std::exchange(CurrentModes().training, on); }

void MarkVariables(std::span<NDArray* const> vars, std::span<const GradReq> reqs,
                   std::span<const NDArray> grads) {
  MX_CHECK(vars.size() == reqs.size() && vars.size() == grads.size(), ValueError)
      << "mark_variables: got " << vars.size() << " variables, " << reqs.size()
      << " grad_reqs and " << grads.size() << " gradient buffers";
  for (size_t i = 0; i < vars.size(); ++i) {
    MX_CHECK(vars[i] != nullptr && !vars[i]->is_none(), ValueError)
        << "mark_variables: variable " << i << " is a none array";
    const GradReq r = reqs[i];
    MX_CHECK(r == GradReq::kNull || r == GradReq::kWrite || r == GradReq::kAdd, ValueError)
        << "mark_variables: grad_req " << static_cast<uint32_t>(r) << " of variable " << i
        << " is not one of null (0), write (1), add (3)";
    if (r != GradReq::kNull) {
      MX_CHECK(!grads[i].is_none() && grads[i].shape() == vars[i]->shape() &&
                   grads[i].dtype() == vars[i]->dtype(),
               ValueError)
          << "mark_variables: gradient buffer " << i << " has shape " << grads[i].shape() << ' '
          << DTypeName(grads[i].dtype()) << " but the variable is " << vars[i]->shape() << ' '
          << DTypeName(vars[i]->dtype());
    }
  }
  for (size_t i = 0; i < vars.size(); ++i) {
    auto leaf = std::make_shared<Node>();
    leaf->grad_req = reqs[i];
    leaf->grad = grads[i];
    vars[i]->set_ag_entry(AGEntry{std::move(leaf), 0});
  }
}

NDArray GetGrad(const NDArray& a) {
  const AGEntry& e = a.ag_entry();
  if (!e || e.node->op != nullptr || e.node->grad_req == GradReq::kNull) return NDArray();
  return e.node->grad;
}

void Backward(std::span<const NDArray> heads, std::span<const NDArray> head_grads,
              bool retain_graph, bool is_train) {
  RunBackward(heads, head_grads, {}, true, retain_graph);
}

std::vector<NDArray> Grad(std::span<const NDArray> heads, std::span<const NDArray> head_grads,
                          std::span<const NDArray> variables, bool retain_graph, bool is_train) {
  return RunBackward(heads, head_grads, variables, false, retain_graph);
}

bool ShouldRecord(std::span<const NDArray* const> inputs) {
  if (!CurrentModes().recording) return false;
  for (const NDArray* a : inputs) {
    if (Tracked(a->ag_entry())) return true;
  }
  return false;
}

void RecordOp(const op::Op& op, std::shared_ptr<const op::ParamBase> param,
              std::span<const NDArray* const> inputs, std::span<NDArray> outputs,
              size_t num_visible, bool is_train) {
  auto node = std::make_shared<Node>();
  node->op = &op;
  node->param = std::move(param);
  node->num_visible = num_visible;
  node->is_train = is_train;
  node->in_entries.reserve(inputs.size());
  for (const NDArray* a : inputs) {
    node->in_entries.push_back(Tracked(a->ag_entry()) ? a->ag_entry() : AGEntry{});
    node->inputs.push_back(Detach(*a));
  }
  for (const NDArray& o : outputs) node->outputs.push_back(Detach(o));
  for (size_t k = 0; k < outputs.size(); ++k) {
    outputs[k].set_ag_entry(AGEntry{node, static_cast<uint32_t>(k)});
  }
}

NDArray Detach(const NDArray& a) {
  NDArray d = a;
  d.set_ag_entry(AGEntry{});
  return d;
}

}  // namespace mixnet::autograd
