// Imperative autograd (MXNet 1.x `mx.autograd` semantics). While recording is on, every call of a
// differentiable op whose inputs include a tracked array (a marked variable, or the output of a
// recorded call) is recorded as a node on a tape; Backward walks the tape from the heads in
// reverse topological order and pushes each op's gradient kernel (OpKernel::backward) to the
// dependency engine, so backward work is scheduled, parallelised and error-checked like forward
// work. Non-differentiable ops (argmax, comparisons, BlockGrad) are simply not recorded: their
// outputs are constants to the tape.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "ndarray/ndarray.h"

namespace mixnet::op {
struct Op;
struct ParamBase;
}  // namespace mixnet::op

namespace mixnet::autograd {

// How a marked variable receives its gradient (MXNet's grad_req; codes as in MXNet's C API).
enum class GradReq : uint32_t { kNull = 0, kWrite = 1, kAdd = 3 };

// Per-thread modes (MXNet: autograd.record()/pause(), train_mode()/predict_mode()). Each setter
// returns the previous value so that scopes can restore it.
bool IsRecording();
// Both modes of the calling thread, for callers that read them on every op (one thread-local
// lookup, then plain reads through the reference while on this thread).
struct Modes {
  bool recording = false;
  bool training = false;
};
Modes& CurrentModes();
bool SetRecording(bool on);
bool IsTraining();
bool SetTraining(bool on);

// Marks vars[i] as a leaf that collects its gradient in grads[i] (same shape and dtype, caller
// allocated) per reqs[i]. Re-marking an array replaces its previous marking; marking detaches
// the array from any tape it was an output of.
void MarkVariables(std::span<NDArray* const> vars, std::span<const GradReq> reqs,
                   std::span<const NDArray> grads);

// The gradient buffer of a marked variable, or a none array when `a` is not marked.
NDArray GetGrad(const NDArray& a);

// Propagates from heads (outputs of recorded calls, or marked variables) back to the marked
// variables. head_grads: empty, or one per head (a none entry means ones). Gradients land in the
// marked variables' buffers per their grad_req. Without retain_graph the tape behind the heads
// is freed, and a second Backward through it is a ValueError. Each gradient kernel sees the
// training flag its forward ran with (is_train is accepted for MXNet's C API and not needed
// otherwise). Throws ValueError when a head was not recorded; marked variables no head depends
// on keep their buffers unchanged.
void Backward(std::span<const NDArray> heads, std::span<const NDArray> head_grads,
              bool retain_graph, bool is_train);

// Like Backward, but instead of writing the variables' buffers returns the gradients of
// `variables` (MXNet's autograd.grad without create_graph): new arrays, one per variable.
// ValueError when a variable is not tracked or the heads do not depend on it.
std::vector<NDArray> Grad(std::span<const NDArray> heads, std::span<const NDArray> head_grads,
                          std::span<const NDArray> variables, bool retain_graph, bool is_train);

// --- used by imperative::Invoke ----------------------------------------------------------------

// True when a call with these inputs must be recorded (recording is on and an input is tracked).
// Inputs by pointer, as Invoke holds them (the C ABI's handles, not copies).
bool ShouldRecord(std::span<const NDArray* const> inputs);

// Records one call: op with its parsed param, the inputs as passed, and every output (visible
// then hidden). Sets the autograd entry of each output in `outputs` so later calls chain to it.
void RecordOp(const op::Op& op, std::shared_ptr<const op::ParamBase> param,
              std::span<const NDArray* const> inputs, std::span<NDArray> outputs,
              size_t num_visible, bool is_train);

// A copy of `a` that shares storage but is not on any tape (MXNet's detach()).
NDArray Detach(const NDArray& a);

}  // namespace mixnet::autograd
