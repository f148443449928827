// C ABI: autograd (record/pause, train/predict, mark variables, backward, grad buffers).
#include <cstdio>
#include <vector>

#include "autograd/autograd.h"
#include "c_api/c_api_common.h"

using mixnet::NDArray;
using mixnet::autograd::GradReq;
using mixnet::capi::CheckHandle;
using mixnet::capi::CheckOut;
using mixnet::capi::NewHandle;
using mixnet::capi::ThreadLocalStore;

namespace {

// Reads `n` handles; a NULL entry (allowed only when allow_null) becomes a none array.
std::vector<NDArray> Arrays(NDArrayHandle* handles, mx_uint n, const char* func, const char* arg,
                            bool allow_null) {
  std::vector<NDArray> out;
  if (n == 0) return out;
  MX_CHECK(handles != nullptr, InvalidHandle)
      << func << ": argument '" << arg << "' is NULL but " << n << " entries were announced";
  char name[64];
  for (mx_uint i = 0; i < n; ++i) {
    if (handles[i] == nullptr && allow_null) {
      out.emplace_back();
      continue;
    }
    std::snprintf(name, sizeof(name), "%s[%u]", arg, i);
    out.push_back(CheckHandle(handles[i], func, name)->array);
  }
  return out;
}

}  // namespace

int MXAutogradSetIsRecording(int is_recording, int* prev) {
  API_BEGIN();
  CheckOut(prev, __func__, "prev");
  *prev = mixnet::autograd::SetRecording(is_recording != 0) ? 1 : 0;
  API_END();
}

int MXAutogradSetIsTraining(int is_training, int* prev) {
  API_BEGIN();
  CheckOut(prev, __func__, "prev");
  *prev = mixnet::autograd::SetTraining(is_training != 0) ? 1 : 0;
  API_END();
}

int MXAutogradIsRecording(bool* curr) {
  API_BEGIN();
  CheckOut(curr, __func__, "curr");
  *curr = mixnet::autograd::IsRecording();
  API_END();
}

int MXAutogradIsTraining(bool* curr) {
  API_BEGIN();
  CheckOut(curr, __func__, "curr");
  *curr = mixnet::autograd::IsTraining();
  API_END();
}

int MXAutogradMarkVariables(mx_uint num_var, NDArrayHandle* var_handles, mx_uint* reqs_array,
                            NDArrayHandle* grad_handles) {
  API_BEGIN();
  constexpr const char* kFunc = "MXAutogradMarkVariables";
  if (num_var > 0) {
    MX_CHECK(var_handles != nullptr && reqs_array != nullptr && grad_handles != nullptr,
             InvalidHandle)
        << kFunc << ": var_handles, reqs_array and grad_handles must not be NULL";
  }
  std::vector<NDArray*> vars;
  std::vector<GradReq> reqs;
  char name[64];
  for (mx_uint i = 0; i < num_var; ++i) {
    std::snprintf(name, sizeof(name), "var_handles[%u]", i);
    vars.push_back(&CheckHandle(var_handles[i], kFunc, name)->array);
    reqs.push_back(static_cast<GradReq>(reqs_array[i]));
  }
  std::vector<NDArray> grads = Arrays(grad_handles, num_var, kFunc, "grad_handles", false);
  mixnet::autograd::MarkVariables(vars, reqs, grads);
  API_END();
}

int MXAutogradBackwardEx(mx_uint num_output, NDArrayHandle* output_handles,
                         NDArrayHandle* ograd_handles, mx_uint num_variables,
                         NDArrayHandle* var_handles, int retain_graph, int create_graph,
                         int is_train, NDArrayHandle** grad_handles, int** grad_stypes) {
  API_BEGIN();
  constexpr const char* kFunc = "MXAutogradBackwardEx";
  MX_CHECK(create_graph == 0, NotImplemented)
      << kFunc << ": create_graph (higher-order gradients) is not supported";
  std::vector<NDArray> heads = Arrays(output_handles, num_output, kFunc, "output_handles", false);
  std::vector<NDArray> ograds;
  if (ograd_handles != nullptr) {
    ograds = Arrays(ograd_handles, num_output, kFunc, "ograd_handles", true);
  }
  if (num_variables == 0) {
    mixnet::autograd::Backward(heads, ograds, retain_graph != 0, is_train != 0);
    if (grad_handles != nullptr) *grad_handles = nullptr;
    if (grad_stypes != nullptr) *grad_stypes = nullptr;
  } else {
    CheckOut(grad_handles, kFunc, "grad_handles");
    CheckOut(grad_stypes, kFunc, "grad_stypes");
    std::vector<NDArray> vars = Arrays(var_handles, num_variables, kFunc, "var_handles", false);
    std::vector<NDArray> grads =
        mixnet::autograd::Grad(heads, ograds, vars, retain_graph != 0, is_train != 0);
    ThreadLocalStore* store = ThreadLocalStore::Get();
    store->handles.clear();
    store->ints.assign(grads.size(), 0);
    for (NDArray& g : grads) store->handles.push_back(NewHandle(std::move(g)));
    *grad_handles = store->handles.data();
    *grad_stypes = store->ints.data();
  }
  API_END();
}

int MXAutogradBackward(mx_uint num_output, NDArrayHandle* output_handles,
                       NDArrayHandle* ograd_handles, int retain_graph) {
  return MXAutogradBackwardEx(num_output, output_handles, ograd_handles, 0, nullptr,
                              retain_graph, 0, 1, nullptr, nullptr);
}

int MXNDArrayGetGrad(NDArrayHandle handle, NDArrayHandle* out) {
  API_BEGIN();
  MXNDArray* h = CheckHandle(handle, "MXNDArrayGetGrad", "handle");
  CheckOut(out, "MXNDArrayGetGrad", "out");
  NDArray g = mixnet::autograd::GetGrad(h->array);
  *out = g.is_none() ? nullptr : NewHandle(std::move(g));
  API_END();
}

int MXNDArrayDetach(NDArrayHandle handle, NDArrayHandle* out) {
  API_BEGIN();
  MXNDArray* h = CheckHandle(handle, "MXNDArrayDetach", "handle");
  CheckOut(out, "MXNDArrayDetach", "out");
  *out = NewHandle(mixnet::autograd::Detach(h->array));
  API_END();
}
