// mixnet's Node-API addon: a thin 1:1 binding of the C ABI functions the TS package needs.
// Every export's comment says [sync] or [async], what it takes, and what it throws. Engine
// failures throw MXNetError (the class JS registers with init()), carrying MXGetLastError()'s
// message and MXGetLastErrorKind(); misuse of the binding itself throws TypeError. The JS-side
// shape of this object is declared once, in src/native.ts (interface NativeBinding).
#include <string>
#include <unordered_map>
#include <vector>

#include "binding.h"
#include "handle_table.h"

namespace mixnet_node {
namespace {

Napi::FunctionReference g_error_class;  // MXNetError, from init()
std::vector<OpHandle> g_ops;            // opIndex() results: invoke() takes the index
std::vector<std::string> g_op_names;
std::unordered_map<std::string, int> g_op_index;
HandleTable g_bytes;  // live handles made here -> owned bytes
int64_t g_live_bytes = 0;

size_t DTypeBytes(int dtype) {
  switch (dtype) {
    case MX_FLOAT64: case MX_INT64: return 8;
    case MX_FLOAT32: case MX_INT32: return 4;
    case MX_FLOAT16: case MX_BFLOAT16: return 2;
    default: return 1;
  }
}

int64_t OwnedBytes(NDArrayHandle h) {
  int ndim = 0, dtype = 0;
  const dim_t* dims = nullptr;
  if (MXNDArrayGetShapeEx64(h, &ndim, &dims) != 0 || MXNDArrayGetDType(h, &dtype) != 0 || ndim < 0) return 0;
  int64_t n = 1;
  for (int i = 0; i < ndim; ++i) n *= dims[i];
  return n * static_cast<int64_t>(DTypeBytes(dtype));
}

/** Reads a JS number[] of dims into `dims`; false when it is not one. */
bool ReadDims(const Napi::Value& v, std::vector<dim_t>* dims) {
  if (!v.IsArray()) return false;
  auto a = v.As<Napi::Array>();
  dims->resize(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value d = a.Get(i);
    if (!d.IsNumber()) return false;
    (*dims)[i] = d.As<Napi::Number>().Int64Value();
  }
  return true;
}

/** Returns the new handle to JS, or throws when rc failed. */
Napi::Value NewHandle(Napi::Env env, int rc, NDArrayHandle h, bool owns_storage, const char* op = nullptr) {
  if (rc != 0) return ThrowLast(env, op);
  TrackNew(env, h, owns_storage);
  return FromHandle(env, h);
}

// [sync] init(MXNetError): registers the error class engine failures are thrown as.
// MXNetError is called as new MXNetError(message, kind, op). Throws TypeError on misuse.
Napi::Value Init(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsFunction()) return ThrowArg(info.Env(), "init(errorClass)");
  g_error_class = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

// [sync] version(): [version, abiVersion]. Never throws.
Napi::Value Version(const Napi::CallbackInfo& info) {
  int v = 0, abi = 0;
  MXGetVersion(&v);
  MXGetABIVersion(&abi);
  auto out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, v);
  out.Set(1u, abi);
  return out;
}

// [sync] registry(): [json, hash] from MXGetRegistryJSON. Throws MXNetError.
Napi::Value Registry(const Napi::CallbackInfo& info) {
  const char *json = nullptr, *hash = nullptr;
  if (MXGetRegistryJSON(&json, &hash) != 0) return ThrowLast(info.Env());
  auto out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, json);
  out.Set(1u, hash);
  return out;
}

// [sync] opIndex(name): a small int naming the op for invoke(); handles are cached by name.
// Throws MXNetError (kind NotFound) for an unknown op.
Napi::Value OpIndex(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) return ThrowArg(env, "opIndex(name)");
  std::string name = info[0].As<Napi::String>();
  auto it = g_op_index.find(name);
  if (it != g_op_index.end()) return Napi::Number::New(env, it->second);
  OpHandle op = nullptr;
  if (NNGetOpHandle(name.c_str(), &op) != 0) return ThrowLast(env, name.c_str());
  int idx = static_cast<int>(g_ops.size());
  g_ops.push_back(op);
  g_op_names.push_back(name);
  g_op_index.emplace(name, idx);
  return Napi::Number::New(env, idx);
}

// [sync] create(shape: number[], dtype, devType, devId, data?: TypedArray): handle.
// Allocates (MXNDArrayCreate64) and, with data, copies it in (MXNDArraySyncCopyFromCPU; data's
// element count must equal the size). Throws MXNetError.
Napi::Value Create(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<dim_t> dims;
  if (info.Length() < 4 || !ReadDims(info[0], &dims)) return ThrowArg(env, "create(shape, dtype, devType, devId, data?)");
  NDArrayHandle h = nullptr;
  int rc = MXNDArrayCreate64(dims.data(), static_cast<int>(dims.size()), info[2].As<Napi::Number>().Int32Value(),
                             info[3].As<Napi::Number>().Int32Value(), info[1].As<Napi::Number>().Int32Value(), &h);
  if (rc != 0) return ThrowLast(env);
  if (info.Length() > 4 && info[4].IsTypedArray()) {
    auto ta = info[4].As<Napi::TypedArray>();
    auto bytes = ta.ArrayBuffer().Data();
    const char* data = static_cast<const char*>(bytes) + ta.ByteOffset();
    if (MXNDArraySyncCopyFromCPU(h, data, ta.ElementLength()) != 0) {
      Napi::Value err = MakeError(env, MXGetLastError(), MXGetLastErrorKind(), nullptr);
      MXNDArrayFree(h);
      Napi::Error(env, err).ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  return NewHandle(env, 0, h, true);
}

// [sync] free(handle): MXNDArrayFree. Throws MXNetError (InvalidHandle for a freed one).
Napi::Value Free(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  NDArrayHandle h = ToHandle(info[0]);
  TrackFree(env, h);
  if (MXNDArrayFree(h) != 0) return ThrowLast(env);
  return env.Undefined();
}

// [sync] shape(handle): number[] (MXNDArrayGetShapeEx64). Throws MXNetError.
Napi::Value Shape(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int ndim = 0;
  const dim_t* dims = nullptr;
  if (MXNDArrayGetShapeEx64(ToHandle(info[0]), &ndim, &dims) != 0) return ThrowLast(env);
  auto out = Napi::Array::New(env, ndim < 0 ? 0 : ndim);
  for (int i = 0; i < ndim; ++i) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, static_cast<double>(dims[i])));
  return out;
}

// [sync] dtype(handle): the MX_* dtype code. Throws MXNetError.
Napi::Value DType(const Napi::CallbackInfo& info) {
  int dtype = 0;
  if (MXNDArrayGetDType(ToHandle(info[0]), &dtype) != 0) return ThrowLast(info.Env());
  return Napi::Number::New(info.Env(), dtype);
}

// [sync] context(handle): [devType, devId]. Throws MXNetError.
Napi::Value Context(const Napi::CallbackInfo& info) {
  int type = 0, id = 0;
  if (MXNDArrayGetContext(ToHandle(info[0]), &type, &id) != 0) return ThrowLast(info.Env());
  auto out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, type);
  out.Set(1u, id);
  return out;
}

// [sync, blocks] copyFrom(handle, data: TypedArray): MXNDArraySyncCopyFromCPU. Throws MXNetError.
// [sync, blocks] copyTo(handle, data: TypedArray): waits for the array, then copies it out.
Napi::Value CopyImpl(const Napi::CallbackInfo& info, bool to_cpu) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[1].IsTypedArray()) return ThrowArg(env, "copy(handle, typedArray)");
  auto ta = info[1].As<Napi::TypedArray>();
  char* data = static_cast<char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  int rc = to_cpu ? MXNDArraySyncCopyToCPU(ToHandle(info[0]), data, ta.ElementLength())
                  : MXNDArraySyncCopyFromCPU(ToHandle(info[0]), data, ta.ElementLength());
  if (rc != 0) return ThrowLast(env);
  return env.Undefined();
}
Napi::Value CopyFrom(const Napi::CallbackInfo& info) { return CopyImpl(info, false); }
Napi::Value CopyTo(const Napi::CallbackInfo& info) { return CopyImpl(info, true); }

// [sync, blocks] waitToRead(handle) / waitAll(): engine sync points; re-throw async op errors
// as MXNetError.
Napi::Value WaitToRead(const Napi::CallbackInfo& info) {
  if (MXNDArrayWaitToRead(ToHandle(info[0])) != 0) return ThrowLast(info.Env());
  return info.Env().Undefined();
}
Napi::Value WaitAll(const Napi::CallbackInfo& info) {
  if (MXNDArrayWaitAll() != 0) return ThrowLast(info.Env());
  return info.Env().Undefined();
}

// [sync] slice(handle, begin, end) / at(handle, idx) / reshape(handle, dims, reverse): views
// without copy (MXNDArraySlice64 / At64 / Reshape64). Throw MXNetError (IndexError, ValueError).
Napi::Value Slice(const Napi::CallbackInfo& info) {
  NDArrayHandle out = nullptr;
  int rc = MXNDArraySlice64(ToHandle(info[0]), info[1].As<Napi::Number>().Int64Value(),
                            info[2].As<Napi::Number>().Int64Value(), &out);
  return NewHandle(info.Env(), rc, out, false, "slice");
}
Napi::Value At(const Napi::CallbackInfo& info) {
  NDArrayHandle out = nullptr;
  int rc = MXNDArrayAt64(ToHandle(info[0]), info[1].As<Napi::Number>().Int64Value(), &out);
  return NewHandle(info.Env(), rc, out, false, "at");
}
Napi::Value Reshape(const Napi::CallbackInfo& info) {
  std::vector<dim_t> dims;
  if (info.Length() < 3 || !ReadDims(info[1], &dims)) return ThrowArg(info.Env(), "reshape(handle, dims, reverse)");
  NDArrayHandle out = nullptr;
  int rc = MXNDArrayReshape64(ToHandle(info[0]), static_cast<int>(dims.size()), dims.data(),
                              info[2].ToBoolean() ? 1 : 0, &out);
  return NewHandle(info.Env(), rc, out, false, "reshape");
}

/** Reads an optional string[] (undefined -> empty). */
bool ReadStrings(const Napi::Value& v, std::vector<std::string>* out) {
  out->clear();
  if (v.IsUndefined() || v.IsNull()) return true;
  if (!v.IsArray()) return false;
  auto a = v.As<Napi::Array>();
  out->reserve(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value s = a.Get(i);
    if (!s.IsString()) return false;
    out->push_back(s.As<Napi::String>());
  }
  return true;
}

// [sync] invoke(op: number, inputs: handle[], keys?: string[], vals?: string[], outs?: handle[]):
// runs the op (MXImperativeInvoke; the op is queued, not waited for). Returns the single output
// handle as a number, or an array of handles when the op has several outputs or `outs` is given
// (then `outs` is written in place and returned). Shape/dtype/parameter errors throw MXNetError
// naming the op; kernel errors surface later at a sync point.
Napi::Value Invoke(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsArray()) return ThrowArg(env, "invoke(op, inputs, keys?, vals?, outs?)");
  uint32_t op_index = info[0].As<Napi::Number>().Uint32Value();
  if (op_index >= g_ops.size()) return ThrowArg(env, "invoke: unknown op index");
  auto in_arr = info[1].As<Napi::Array>();
  NDArrayHandle in_stack[8];
  std::vector<NDArrayHandle> in_heap;
  uint32_t n_in = in_arr.Length();
  NDArrayHandle* inputs = in_stack;
  if (n_in > 8) {
    in_heap.resize(n_in);
    inputs = in_heap.data();
  }
  for (uint32_t i = 0; i < n_in; ++i) inputs[i] = ToHandle(in_arr.Get(i));
  std::vector<std::string> keys, vals;
  std::vector<const char*> kp, vp;
  if (info.Length() > 3 && (!info[2].IsUndefined() || !info[3].IsUndefined())) {
    if (!ReadStrings(info[2], &keys) || !ReadStrings(info[3], &vals) || keys.size() != vals.size())
      return ThrowArg(env, "invoke: keys and vals must be string arrays of equal length");
    for (size_t i = 0; i < keys.size(); ++i) {
      kp.push_back(keys[i].c_str());
      vp.push_back(vals[i].c_str());
    }
  }
  std::vector<NDArrayHandle> given;
  NDArrayHandle* outputs = nullptr;
  int n_out = 0;
  bool has_outs = info.Length() > 4 && info[4].IsArray();
  if (has_outs) {
    auto o = info[4].As<Napi::Array>();
    given.resize(o.Length());
    for (uint32_t i = 0; i < o.Length(); ++i) given[i] = ToHandle(o.Get(i));
    outputs = given.data();
    n_out = static_cast<int>(given.size());
  }
  int rc = MXImperativeInvoke(g_ops[op_index], static_cast<int>(n_in), inputs, &n_out, &outputs,
                              static_cast<int>(kp.size()), kp.data(), vp.data());
  if (rc != 0) return ThrowLast(env, g_op_names[op_index].c_str());
  if (has_outs) return info[4];
  for (int i = 0; i < n_out; ++i) TrackNew(env, outputs[i], true);
  if (n_out == 1) return FromHandle(env, outputs[0]);
  auto out = Napi::Array::New(env, n_out);
  for (int i = 0; i < n_out; ++i) out.Set(static_cast<uint32_t>(i), FromHandle(env, outputs[i]));
  return out;
}

// [sync] invokeN(op: number, h0?: handle, h1?: handle, h2?: handle): the fast path for the
// common call — up to 3 inputs, no parameters, library-allocated single output — with the handles
// as plain arguments (no JS array to build and walk). Returns the output handle, or an array when
// the op has several outputs. Throws as invoke().
Napi::Value InvokeN(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  size_t argc = info.Length();
  if (argc < 1 || argc > 4 || !info[0].IsNumber()) return ThrowArg(env, "invokeN(op, ...handles)");
  uint32_t op_index = info[0].As<Napi::Number>().Uint32Value();
  if (op_index >= g_ops.size()) return ThrowArg(env, "invokeN: unknown op index");
  NDArrayHandle inputs[3];
  int n_in = static_cast<int>(argc) - 1;
  for (int i = 0; i < n_in; ++i) inputs[i] = ToHandle(info[i + 1]);
  NDArrayHandle* outputs = nullptr;
  int n_out = 0;
  if (MXImperativeInvoke(g_ops[op_index], n_in, inputs, &n_out, &outputs, 0, nullptr, nullptr) != 0)
    return ThrowLast(env, g_op_names[op_index].c_str());
  for (int i = 0; i < n_out; ++i) TrackNew(env, outputs[i], true);
  if (n_out == 1) return FromHandle(env, outputs[0]);
  auto out = Napi::Array::New(env, n_out);
  for (int i = 0; i < n_out; ++i) out.Set(static_cast<uint32_t>(i), FromHandle(env, outputs[i]));
  return out;
}

// [sync, blocks] save(fname, handles, keys?) : MXNDArraySave. Throws MXNetError (IOError).
Napi::Value Save(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<std::string> keys;
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsArray() || !ReadStrings(info.Length() > 2 ? info[2] : env.Undefined(), &keys))
    return ThrowArg(env, "save(fname, handles, keys?)");
  auto arr = info[1].As<Napi::Array>();
  std::vector<NDArrayHandle> hs(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); ++i) hs[i] = ToHandle(arr.Get(i));
  std::vector<const char*> kp;
  for (auto& k : keys) kp.push_back(k.c_str());
  std::string fname = info[0].As<Napi::String>();
  if (!keys.empty() && keys.size() != hs.size()) return ThrowArg(env, "save: keys and arrays differ in length");
  if (MXNDArraySave(fname.c_str(), static_cast<mx_uint>(hs.size()), hs.data(), keys.empty() ? nullptr : kp.data()) != 0)
    return ThrowLast(env);
  return env.Undefined();
}

// [sync, blocks] load(fname): [handles, names] (MXNDArrayLoad). Throws MXNetError (IOError).
Napi::Value Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) return ThrowArg(env, "load(fname)");
  std::string fname = info[0].As<Napi::String>();
  mx_uint n = 0, n_names = 0;
  NDArrayHandle* arrs = nullptr;
  const char** names = nullptr;
  if (MXNDArrayLoad(fname.c_str(), &n, &arrs, &n_names, &names) != 0) return ThrowLast(env);
  auto hs = Napi::Array::New(env, n);
  auto ns = Napi::Array::New(env, n_names);
  for (mx_uint i = 0; i < n; ++i) {
    TrackNew(env, arrs[i], true);
    hs.Set(i, FromHandle(env, arrs[i]));
  }
  for (mx_uint i = 0; i < n_names; ++i) ns.Set(i, names[i]);
  auto out = Napi::Array::New(env, 2);
  out.Set(0u, hs);
  out.Set(1u, ns);
  return out;
}

// [sync] seed(n): MXRandomSeed. Throws MXNetError.
Napi::Value Seed(const Napi::CallbackInfo& info) {
  if (MXRandomSeed(info[0].As<Napi::Number>().Int32Value()) != 0) return ThrowLast(info.Env());
  return info.Env().Undefined();
}

// [sync] randomState(): the generator's state text (MXRandomGetState). Throws MXNetError.
Napi::Value RandomState(const Napi::CallbackInfo& info) {
  const char* text = nullptr;
  size_t len = 0;
  if (MXRandomGetState(&text, &len) != 0) return ThrowLast(info.Env());
  return Napi::String::New(info.Env(), text, len);
}

// [sync] setRandomState(text): MXRandomSetState. Throws MXNetError.
Napi::Value SetRandomState(const Napi::CallbackInfo& info) {
  std::string text = info[0].As<Napi::String>().Utf8Value();
  if (MXRandomSetState(text.data(), text.size()) != 0) return ThrowLast(info.Env());
  return info.Env().Undefined();
}

// [sync] memory(): [liveHandles, liveBytes] of the handles this binding made and not yet freed.
Napi::Value Memory(const Napi::CallbackInfo& info) {
  auto out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, Napi::Number::New(info.Env(), static_cast<double>(g_bytes.size())));
  out.Set(1u, Napi::Number::New(info.Env(), static_cast<double>(g_live_bytes)));
  return out;
}

// [sync] engineInfo(): [workers, threads]. Throws MXNetError.
Napi::Value EngineInfo(const Napi::CallbackInfo& info) {
  int w = 0, t = 0;
  if (MXEngineGetInfo(&w, &t) != 0) return ThrowLast(info.Env());
  auto out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, w);
  out.Set(1u, t);
  return out;
}

}  // namespace

Napi::Object InitModule(Napi::Env env, Napi::Object exports) {
  struct Fn { const char* name; Napi::Value (*fn)(const Napi::CallbackInfo&); };
  const Fn fns[] = {
      {"init", Init},         {"version", Version},     {"registry", Registry}, {"opIndex", OpIndex},
      {"create", Create},     {"free", Free},           {"shape", Shape},       {"dtype", DType},
      {"context", Context},   {"copyFrom", CopyFrom},   {"copyTo", CopyTo},     {"waitToRead", WaitToRead},
      {"waitAll", WaitAll},   {"readAsync", ReadAsync}, {"waitAllAsync", WaitAllAsync},
      {"slice", Slice},       {"at", At},               {"reshape", Reshape},   {"invoke", Invoke},     {"invokeN", InvokeN},
      {"save", Save},         {"load", Load},           {"seed", Seed}, {"randomState", RandomState}, {"setRandomState", SetRandomState},         {"memory", Memory},
      {"engineInfo", EngineInfo},
  };
  for (const Fn& f : fns) exports.Set(f.name, Napi::Function::New(env, f.fn, f.name));
  InitAutograd(env, exports);
  return exports;
}

Napi::Value MakeError(Napi::Env env, const char* message, int kind, const char* op) {
  if (g_error_class.IsEmpty()) return Napi::Error::New(env, message).Value();
  return g_error_class.New({Napi::String::New(env, message), Napi::Number::New(env, kind),
                            op ? Napi::String::New(env, op) : env.Undefined()});
}

Napi::Value ThrowLast(Napi::Env env, const char* op) {
  Napi::Value err = MakeError(env, MXGetLastError(), MXGetLastErrorKind(), op);
  if (!env.IsExceptionPending()) Napi::Error(env, err).ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value ThrowArg(Napi::Env env, const char* what) {
  Napi::TypeError::New(env, std::string("mixnet native binding: bad arguments to ") + what).ThrowAsJavaScriptException();
  return env.Undefined();
}

// V8 hears about native bytes in batches of kReportStep: napi_adjust_external_memory on every
// 4-byte array would cost more than the op itself.
constexpr int64_t kReportStep = 1 << 20;
int64_t g_unreported = 0;

void Report(Napi::Env env, int64_t delta) {
  g_unreported += delta;
  if (g_unreported >= kReportStep || g_unreported <= -kReportStep) {
    Napi::MemoryManagement::AdjustExternalMemory(env, g_unreported);
    g_unreported = 0;
  }
}

void TrackNew(Napi::Env env, NDArrayHandle h, bool owns_storage) {
  const int64_t bytes = owns_storage ? OwnedBytes(h) : 0;
  const int64_t replaced = g_bytes.Put(h, bytes);  // an already tracked handle is overwritten
  g_live_bytes += bytes - replaced;
  if (bytes != replaced) Report(env, bytes - replaced);
}

void TrackFree(Napi::Env env, NDArrayHandle h) {
  int64_t bytes = 0;
  if (!g_bytes.Take(h, &bytes)) return;
  g_live_bytes -= bytes;
  if (bytes > 0) Report(env, -bytes);
}

}  // namespace mixnet_node

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) {
  return mixnet_node::InitModule(env, exports);
}
NODE_API_MODULE(mixnet, InitAddon)
