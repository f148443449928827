// Imperative execution: parse parameters, infer shapes/dtypes, allocate outputs, and push the
// kernel to the engine with the right read/write variables. Used by the C ABI and by tests.
#pragma once

#include <span>
#include <vector>

#include "common/small_vec.h"
#include "ndarray/ndarray.h"
#include "operator/op.h"

namespace mixnet::op {

// Runs op on inputs and returns its visible outputs. With `outputs` empty they are allocated (shapes and dtypes from
// inference); otherwise their count, shapes and dtypes must match inference (ValueError naming
// the op and the shapes). Parameter, shape and dtype errors throw here, synchronously; errors
// raised inside the kernel are stored by the engine and re-thrown at the next sync point, with a
// message that starts with the op name and lists the input shapes.
std::vector<NDArray> Invoke(const Op& op, std::span<const NDArray> inputs, AttrList attrs,
                            std::vector<NDArray> outputs = {});

// Every output of a call: the visible ones first (what Invoke returns), then the hidden ones
// (saved state for the gradient, e.g. Dropout's mask).
struct InvokeResult {
  std::vector<NDArray> outputs;
  size_t num_visible = 0;
};
// Invoke, returning hidden outputs too. `outputs`, when given, holds the visible outputs only.
InvokeResult InvokeAll(const Op& op, std::span<const NDArray> inputs, AttrList attrs,
                       std::vector<NDArray> outputs = {});

// The dispatch path's form of InvokeAll (the C ABI calls it per op): the inputs by pointer (the
// arrays the caller's handles hold, not copies of them) and the outputs in a list with inline
// room, so a small op's call copies no array and allocates no list. `outputs` holds the visible
// outputs the caller provides, or nothing to have them allocated; afterwards it holds every
// output, visible first. Returns how many are visible.
using OutputList = SmallVec<NDArray, 4>;
size_t InvokeInto(const Op& op, std::span<const NDArray* const> inputs, AttrList attrs,
                  OutputList& outputs);

// Convenience for C++ callers and tests: look the op up by name (NotFound if unknown).
std::vector<NDArray> Invoke(std::string_view op_name, std::span<const NDArray> inputs,
                            AttrList attrs = {}, std::vector<NDArray> outputs = {});

// Seeds the generator that every random op draws from (MXRandomSeed). Ordered with respect to
// pending random ops like any other op on the RNG variable.
void SeedRandom(uint64_t seed);

// The generator's whole state as text (waits for pending random ops; rethrows an error one of
// them left), and its restoration. Checkpoints use the pair so a resumed run draws the same
// numbers. SetRandomState validates the text before anything changes (ValueError otherwise).
std::string GetRandomState();
void SetRandomState(std::string_view state);

}  // namespace mixnet::op
