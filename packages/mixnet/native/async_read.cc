// The async half of the binding: Napi::AsyncWorkers that wait on the engine off the event loop.
#include <string>

#include "binding.h"

namespace mixnet_node {
namespace {

// Waits for `handle` to be readable and copies it into an ArrayBuffer made on the JS thread.
// The C ABI's last-error is thread-local, so the message and kind are captured on the worker.
class ReadWorker : public Napi::AsyncWorker {
 public:
  ReadWorker(Napi::Env env, NDArrayHandle handle, Napi::ArrayBuffer buffer, size_t elements, bool wait_all)
      : Napi::AsyncWorker(env, "mixnet.read"),
        deferred_(Napi::Promise::Deferred::New(env)),
        handle_(handle),
        data_(buffer.IsEmpty() ? nullptr : buffer.Data()),
        elements_(elements),
        wait_all_(wait_all) {
    if (!buffer.IsEmpty()) buffer_ = Napi::Persistent(buffer.As<Napi::Object>());
  }
  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    int rc = wait_all_ ? MXNDArrayWaitAll() : MXNDArrayWaitToRead(handle_);
    if (rc == 0 && !wait_all_ && elements_ > 0) rc = MXNDArraySyncCopyToCPU(handle_, data_, elements_);
    if (rc != 0) {
      failed_ = true;
      message_ = MXGetLastError();
      kind_ = MXGetLastErrorKind();
    }
  }
  void OnOK() override {
    Napi::Env env = Env();
    if (failed_) {
      deferred_.Reject(MakeError(env, message_.c_str(), kind_, nullptr));
    } else {
      deferred_.Resolve(buffer_.IsEmpty() ? env.Undefined() : buffer_.Value());
    }
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  NDArrayHandle handle_;
  Napi::ObjectReference buffer_;
  void* data_;
  size_t elements_;
  bool wait_all_;
  bool failed_ = false;
  std::string message_;
  int kind_ = 0;
};

}  // namespace

Napi::Value ReadAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber())
    return ThrowArg(env, "readAsync(handle, byteLength, elements)");
  size_t bytes = info[1].As<Napi::Number>().Int64Value();
  size_t elements = info[2].As<Napi::Number>().Int64Value();
  auto buffer = Napi::ArrayBuffer::New(env, bytes);
  auto* worker = new ReadWorker(env, ToHandle(info[0]), buffer, elements, false);
  worker->Queue();
  return worker->Promise();
}

Napi::Value WaitAllAsync(const Napi::CallbackInfo& info) {
  auto* worker = new ReadWorker(info.Env(), nullptr, Napi::ArrayBuffer(), 0, true);
  worker->Queue();
  return worker->Promise();
}

}  // namespace mixnet_node
