// Thread-local state read on every op dispatch. In a shared library (libmixnet.so) each
// thread_local access is a call to __tls_get_addr, and a function-local thread_local object with
// a destructor adds a guard check (a second call). GCC also repeats the call at every use rather
// than keep the address in a register. FastThreadLocal<T>::Get() costs one call: a plain pointer,
// set when the thread's object is created. (The initial-exec TLS model would cost none, but its
// static block has too little room left for a library that Node or Python load with dlopen:
// loading then fails with "cannot allocate memory in static TLS block".) Callers that need the
// state several times should call Get() once and keep the reference.
#pragma once

namespace mixnet {

// Per-thread instance of T, created on a thread's first Get().
template <typename T>
class FastThreadLocal {
 public:
  static T& Get() {
    T* p = ptr_;
    return p != nullptr ? *p : Create();
  }

 private:
  struct Holder {
    T value;
    Holder() { ptr_ = &value; }
    ~Holder() { ptr_ = nullptr; }
  };
  [[gnu::noinline]] static T& Create() {
    thread_local Holder holder;
    return holder.value;
  }
  static inline thread_local T* ptr_ = nullptr;
};

}  // namespace mixnet
