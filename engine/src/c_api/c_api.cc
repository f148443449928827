// C ABI: versions, the operator registry, running ops, the random seed and engine facts.
// (Errors: c_api_common.cc; NDArray functions: c_api_ndarray.cc; files: c_api_io.cc.)
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "c_api/c_api_common.h"
#include "common/small_vec.h"
#include "engine/engine.h"
#include "operator/imperative.h"
#include "operator/op.h"

using mixnet::NDArray;
using mixnet::capi::CheckHandle;
using mixnet::capi::CheckOut;
using mixnet::capi::NewHandle;
using mixnet::capi::ThreadLocalStore;
using mixnet::op::Op;

namespace {

// Every registered Op*, sorted by address, to reject foreign OpHandles cheaply (a binary
// search instead of trusting an arbitrary pointer). The registry is complete before main().
const std::vector<const Op*>& OpsByAddress() {
  static const std::vector<const Op*> ops = [] {
    std::vector<const Op*> v = mixnet::op::AllOps();
    std::sort(v.begin(), v.end(), std::less<const Op*>());
    return v;
  }();
  return ops;
}

const Op* CheckOp(OpHandle handle, const char* func) {
  MX_CHECK(handle != nullptr, InvalidHandle) << func << ": argument 'op' is NULL";
  const Op* op = reinterpret_cast<const Op*>(handle);
  // The op checked last (a loop calls the same op again and again) skips the search. Any value
  // stored here is a valid op, so a stale read is harmless.
  static std::atomic<const Op*> last_valid{nullptr};
  if (op == last_valid.load(std::memory_order_relaxed)) return op;
  const auto& ops = OpsByAddress();
  MX_CHECK(std::binary_search(ops.begin(), ops.end(), op, std::less<const Op*>()), InvalidHandle)
      << func << ": argument 'op' is not an op handle from NNGetOpHandle";
  last_valid.store(op, std::memory_order_relaxed);
  return op;
}

// Names of every op and alias, sorted; built once (the registry never changes after start-up).
const std::vector<const char*>& AllOpNames() {
  static const std::vector<const char*> names = [] {
    std::vector<const char*> v;
    for (const Op* op : mixnet::op::AllOps()) {
      v.push_back(op->name());
      for (const char* alias : op->schema->aliases) v.push_back(alias);
    }
    std::sort(v.begin(), v.end(),
              [](const char* a, const char* b) { return std::string_view(a) < b; });
    return v;
  }();
  return names;
}

}  // namespace

int MXGetVersion(int* out) {
  API_BEGIN();
  CheckOut(out, __func__, "out");
  *out = MIXNET_VERSION;
  API_END();
}

int MXGetABIVersion(int* out) {
  API_BEGIN();
  CheckOut(out, __func__, "out");
  *out = MIXNET_ABI_VERSION;
  API_END();
}

int MXListAllOpNames(mx_uint* out_size, const char*** out_array) {
  API_BEGIN();
  CheckOut(out_size, __func__, "out_size");
  CheckOut(out_array, __func__, "out_array");
  const auto& names = AllOpNames();
  // Copied into the thread-local store, as the header promises that lifetime and no longer;
  // callers must not write through the returned array into a shared table.
  std::vector<const char*>& cstrs = ThreadLocalStore::Get()->cstrs;
  cstrs.assign(names.begin(), names.end());
  *out_size = static_cast<mx_uint>(cstrs.size());
  *out_array = cstrs.data();
  API_END();
}

int MXGetRegistryJSON(const char** out_json, const char** out_hash) {
  API_BEGIN();
  CheckOut(out_json, __func__, "out_json");
  CheckOut(out_hash, __func__, "out_hash");
  *out_json = mixnet::op::RegistryJSON();
  *out_hash = mixnet::op::RegistryHash();
  API_END();
}

int NNGetOpHandle(const char* op_name, OpHandle* out) {
  API_BEGIN();
  MX_CHECK(op_name != nullptr, InvalidHandle) << __func__ << ": argument 'op_name' is NULL";
  CheckOut(out, __func__, "out");
  const Op* op = mixnet::op::FindOp(op_name);
  MX_CHECK(op != nullptr, NotFound) << __func__ << ": unknown operator '" << op_name << "'";
  *out = reinterpret_cast<OpHandle>(op);
  API_END();
}

int MXImperativeInvoke(OpHandle op_handle, int num_inputs, NDArrayHandle* inputs,
                       int* num_outputs, NDArrayHandle** outputs, int num_params,
                       const char** param_keys, const char** param_vals) {
  API_BEGIN();
  constexpr const char* kFunc = "MXImperativeInvoke";
  const Op* op = CheckOp(op_handle, kFunc);
  MX_CHECK(num_inputs >= 0, ValueError)
      << kFunc << ": num_inputs must be non-negative, got " << num_inputs;
  MX_CHECK(num_params >= 0, ValueError)
      << kFunc << ": num_params must be non-negative, got " << num_params;
  MX_CHECK(num_inputs == 0 || inputs != nullptr, InvalidHandle)
      << kFunc << ": argument 'inputs' is NULL but num_inputs is " << num_inputs;
  CheckOut(num_outputs, kFunc, "num_outputs");
  CheckOut(outputs, kFunc, "outputs");
  if (num_params > 0) {
    MX_CHECK(param_keys != nullptr, InvalidHandle) << kFunc << ": argument 'param_keys' is NULL";
    MX_CHECK(param_vals != nullptr, InvalidHandle) << kFunc << ": argument 'param_vals' is NULL";
  }

  // Argument lists, inline for the common sizes (this is the per-op dispatch path). Inputs are
  // the arrays the handles hold, by pointer: no copy (two reference counts) per input.
  mixnet::SmallVec<const NDArray*, 8> in;
  char arg_name[32];
  for (int i = 0; i < num_inputs; ++i) {
    if (inputs[i] == nullptr || inputs[i]->magic != MXNDArray::kMagic) {
      std::snprintf(arg_name, sizeof(arg_name), "inputs[%d]", i);
      CheckHandle(inputs[i], kFunc, arg_name);  // throws with the message
    }
    in.push_back(&inputs[i]->array);
  }
  mixnet::SmallVec<std::pair<std::string_view, std::string_view>, 8> attrs;
  for (int i = 0; i < num_params; ++i) {
    MX_CHECK(param_keys[i] != nullptr, InvalidHandle)
        << kFunc << ": argument 'param_keys[" << i << "]' is NULL";
    MX_CHECK(param_vals[i] != nullptr, InvalidHandle)
        << kFunc << ": argument 'param_vals[" << i << "]' is NULL";
    attrs.emplace_back(param_keys[i], param_vals[i]);
  }
  const std::span<const NDArray* const> in_span = in.span();
  const mixnet::op::AttrList attr_span = attrs.span();

  mixnet::op::OutputList results;
  if (*outputs == nullptr) {
    // Empty `results` asks Invoke to allocate the outputs.
    const size_t num_visible = mixnet::op::InvokeInto(*op, in_span, attr_span, results);
    ThreadLocalStore* store = ThreadLocalStore::Get();
    std::vector<NDArrayHandle>& handles = store->handles;
    handles.clear();
    for (size_t i = 0; i < num_visible; ++i) {
      handles.push_back(NewHandle(std::move(results[i]), store));
    }
    *num_outputs = static_cast<int>(handles.size());
    *outputs = handles.data();
  } else {
    // The caller's handles receive the results (none arrays among them get allocated).
    const int n = *num_outputs;
    MX_CHECK(n > 0, ValueError)
        << kFunc << ": " << op->name() << ": *num_outputs is " << n
        << " but *outputs is not NULL; pass *outputs = NULL to have the outputs allocated";
    mixnet::SmallVec<MXNDArray*, 4> out_handles;
    for (int i = 0; i < n; ++i) {
      std::snprintf(arg_name, sizeof(arg_name), "outputs[%d]", i);
      MXNDArray* h = CheckHandle((*outputs)[i], kFunc, arg_name);
      out_handles.push_back(h);
      results.push_back(h->array);
    }
    mixnet::op::InvokeInto(*op, in_span, attr_span, results);
    for (int i = 0; i < n; ++i) out_handles[i]->array = std::move(results[i]);
  }
  API_END();
}

int MXRandomSeed(int seed) {
  API_BEGIN();
  mixnet::op::SeedRandom(static_cast<uint64_t>(static_cast<int64_t>(seed)));
  API_END();
}

int MXRandomGetState(const char** out_state, size_t* out_len) {
  API_BEGIN();
  CheckOut(out_state, __func__, "out_state");
  CheckOut(out_len, __func__, "out_len");
  static thread_local std::string ret;
  ret = mixnet::op::GetRandomState();
  *out_state = ret.c_str();
  *out_len = ret.size();
  API_END();
}

int MXRandomSetState(const char* state, size_t len) {
  API_BEGIN();
  MX_CHECK(state != nullptr || len == 0, ValueError) << "MXRandomSetState: state is null";
  mixnet::op::SetRandomState(std::string_view(state == nullptr ? "" : state, len));
  API_END();
}

int MXEngineGetInfo(int* out_num_workers, int* out_num_threads) {
  API_BEGIN();
  CheckOut(out_num_workers, __func__, "out_num_workers");
  CheckOut(out_num_threads, __func__, "out_num_threads");
  mixnet::engine::Engine* eng = mixnet::engine::Engine::Get();
  *out_num_workers = eng->num_workers();
  *out_num_threads = eng->num_threads();
  API_END();
}
