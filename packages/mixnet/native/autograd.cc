// Autograd exports of the addon (see addon.cc for the conventions). Gradient buffers are views:
// handles made here that share storage with an array JS already owns are tracked with 0 bytes.
#include <vector>

#include "binding.h"

namespace mixnet_node {
namespace {

bool ReadHandles(const Napi::Value& v, std::vector<NDArrayHandle>* out, bool allow_zero) {
  if (!v.IsArray()) return false;
  auto a = v.As<Napi::Array>();
  out->resize(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value e = a.Get(i);
    if (!e.IsNumber()) return false;
    (*out)[i] = ToHandle(e);
    if ((*out)[i] == nullptr && !allow_zero) return false;
  }
  return true;
}

// [sync] setRecording(on): previous mode (boolean).
Napi::Value SetRecording(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsBoolean()) return ThrowArg(info.Env(), "setRecording");
  int prev = 0;
  if (MXAutogradSetIsRecording(info[0].As<Napi::Boolean>() ? 1 : 0, &prev) != 0) return ThrowLast(info.Env());
  return Napi::Boolean::New(info.Env(), prev != 0);
}

// [sync] setTraining(on): previous mode (boolean).
Napi::Value SetTraining(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsBoolean()) return ThrowArg(info.Env(), "setTraining");
  int prev = 0;
  if (MXAutogradSetIsTraining(info[0].As<Napi::Boolean>() ? 1 : 0, &prev) != 0) return ThrowLast(info.Env());
  return Napi::Boolean::New(info.Env(), prev != 0);
}

// [sync] modes(): [isRecording, isTraining] of the calling thread.
Napi::Value Modes(const Napi::CallbackInfo& info) {
  bool rec = false, train = false;
  if (MXAutogradIsRecording(&rec) != 0 || MXAutogradIsTraining(&train) != 0) return ThrowLast(info.Env());
  auto out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, Napi::Boolean::New(info.Env(), rec));
  out.Set(1u, Napi::Boolean::New(info.Env(), train));
  return out;
}

// [sync] markVariables(vars, reqs, grads). Throws MXNetError.
Napi::Value MarkVariables(const Napi::CallbackInfo& info) {
  std::vector<NDArrayHandle> vars, grads;
  if (info.Length() < 3 || !ReadHandles(info[0], &vars, false) || !info[1].IsArray() ||
      !ReadHandles(info[2], &grads, false)) {
    return ThrowArg(info.Env(), "markVariables");
  }
  auto r = info[1].As<Napi::Array>();
  std::vector<mx_uint> reqs(r.Length());
  for (uint32_t i = 0; i < r.Length(); ++i) reqs[i] = r.Get(i).As<Napi::Number>().Uint32Value();
  if (reqs.size() != vars.size() || grads.size() != vars.size()) return ThrowArg(info.Env(), "markVariables");
  if (MXAutogradMarkVariables(static_cast<mx_uint>(vars.size()), vars.data(), reqs.data(), grads.data()) != 0) {
    return ThrowLast(info.Env());
  }
  return info.Env().Undefined();
}

// [sync] backward(heads, headGrads (0 = ones), retainGraph, variables?): with variables, returns
// their gradients as new handles; otherwise undefined. Queues the work; throws MXNetError.
Napi::Value Backward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<NDArrayHandle> heads, ograds, vars;
  if (info.Length() < 3 || !ReadHandles(info[0], &heads, false) || !ReadHandles(info[1], &ograds, true) ||
      !info[2].IsBoolean() || (info.Length() > 3 && !info[3].IsUndefined() && !ReadHandles(info[3], &vars, false))) {
    return ThrowArg(env, "backward");
  }
  if (ograds.size() != heads.size()) return ThrowArg(env, "backward");
  NDArrayHandle* out = nullptr;
  int* stypes = nullptr;
  const int retain = info[2].As<Napi::Boolean>() ? 1 : 0;
  if (MXAutogradBackwardEx(static_cast<mx_uint>(heads.size()), heads.data(), ograds.data(),
                           static_cast<mx_uint>(vars.size()), vars.empty() ? nullptr : vars.data(), retain, 0, 1,
                           &out, &stypes) != 0) {
    return ThrowLast(env);
  }
  if (vars.empty()) return env.Undefined();
  auto result = Napi::Array::New(env, vars.size());
  for (size_t i = 0; i < vars.size(); ++i) {
    TrackNew(env, out[i], true);
    result.Set(static_cast<uint32_t>(i), FromHandle(env, out[i]));
  }
  return result;
}

// [sync] getGrad(h): a view handle on the gradient buffer, or null when not marked.
Napi::Value GetGrad(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) return ThrowArg(info.Env(), "getGrad");
  NDArrayHandle out = nullptr;
  if (MXNDArrayGetGrad(ToHandle(info[0]), &out) != 0) return ThrowLast(info.Env());
  if (out == nullptr) return info.Env().Null();
  TrackNew(info.Env(), out, false);
  return FromHandle(info.Env(), out);
}

// [sync] detach(h): a view handle off the recorded graph.
Napi::Value Detach(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsNumber()) return ThrowArg(info.Env(), "detach");
  NDArrayHandle out = nullptr;
  if (MXNDArrayDetach(ToHandle(info[0]), &out) != 0) return ThrowLast(info.Env());
  TrackNew(info.Env(), out, false);
  return FromHandle(info.Env(), out);
}

}  // namespace

void InitAutograd(Napi::Env env, Napi::Object exports) {
  exports.Set("setRecording", Napi::Function::New(env, SetRecording, "setRecording"));
  exports.Set("setTraining", Napi::Function::New(env, SetTraining, "setTraining"));
  exports.Set("modes", Napi::Function::New(env, Modes, "modes"));
  exports.Set("markVariables", Napi::Function::New(env, MarkVariables, "markVariables"));
  exports.Set("backward", Napi::Function::New(env, Backward, "backward"));
  exports.Set("getGrad", Napi::Function::New(env, GetGrad, "getGrad"));
  exports.Set("detach", Napi::Function::New(env, Detach, "detach"));
}

}  // namespace mixnet_node
