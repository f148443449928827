// C ABI: .params files (MXNDArraySave/Load) and their in-memory form.
#include <string>
#include <vector>

#include "c_api/c_api_common.h"
#include "io/params_io.h"

using mixnet::NDArray;
using mixnet::capi::CheckHandle;
using mixnet::capi::CheckOut;
using mixnet::capi::NewHandle;
using mixnet::capi::ThreadLocalStore;

namespace {

struct SaveArgs {
  std::vector<NDArray> arrays;
  std::vector<std::string> names;
};

// Validates the (num_args, args, keys) triple of the save functions and collects the arrays.
SaveArgs CollectSaveArgs(const char* func, mx_uint num_args, NDArrayHandle* args,
                         const char** keys) {
  MX_CHECK(num_args == 0 || args != nullptr, ValueError)
      << func << ": args is NULL but num_args is " << num_args;
  SaveArgs out;
  out.arrays.reserve(num_args);
  for (mx_uint i = 0; i < num_args; ++i) {
    const std::string arg = "args[" + std::to_string(i) + "]";
    out.arrays.push_back(CheckHandle(args[i], func, arg.c_str())->array);
  }
  if (keys != nullptr) {
    out.names.reserve(num_args);
    for (mx_uint i = 0; i < num_args; ++i) {
      MX_CHECK(keys[i] != nullptr, ValueError) << func << ": keys[" << i << "] is NULL";
      out.names.emplace_back(keys[i]);
    }
  }
  return out;
}

// Hands a loaded list to the caller: new handles (the caller frees them) and names, in
// thread-local arrays valid until the next call that uses them.
void ReturnList(mixnet::io::NamedArrays&& list, mx_uint* out_size, NDArrayHandle** out_arr,
                mx_uint* out_name_size, const char*** out_names) {
  ThreadLocalStore* store = ThreadLocalStore::Get();
  store->handles.clear();
  store->handles.reserve(list.arrays.size());
  for (NDArray& a : list.arrays) store->handles.push_back(NewHandle(std::move(a)));
  store->strings = std::move(list.names);
  store->cstrs.clear();
  for (const std::string& s : store->strings) store->cstrs.push_back(s.c_str());
  *out_size = static_cast<mx_uint>(store->handles.size());
  *out_arr = store->handles.data();
  *out_name_size = static_cast<mx_uint>(store->cstrs.size());
  *out_names = store->cstrs.data();
}

void CheckLoadOuts(const char* func, mx_uint* out_size, NDArrayHandle** out_arr,
                   mx_uint* out_name_size, const char*** out_names) {
  CheckOut(out_size, func, "out_size");
  CheckOut(out_arr, func, "out_arr");
  CheckOut(out_name_size, func, "out_name_size");
  CheckOut(out_names, func, "out_names");
}

// More arrays than mx_uint can count cannot be returned through this ABI.
void CheckListSize(const char* func, const mixnet::io::NamedArrays& list) {
  MX_CHECK(list.arrays.size() <= UINT32_MAX, ValueError)
      << func << ": the list holds " << list.arrays.size() << " arrays, more than mx_uint counts";
}

}  // namespace

int MXNDArraySave(const char* fname, mx_uint num_args, NDArrayHandle* args, const char** keys) {
  API_BEGIN();
  MX_CHECK(fname != nullptr, ValueError) << "MXNDArraySave: fname is NULL";
  SaveArgs in = CollectSaveArgs("MXNDArraySave", num_args, args, keys);
  mixnet::io::SaveToFile(fname, in.arrays, in.names);
  API_END();
}

int MXNDArrayLoad(const char* fname, mx_uint* out_size, NDArrayHandle** out_arr,
                  mx_uint* out_name_size, const char*** out_names) {
  API_BEGIN();
  MX_CHECK(fname != nullptr, ValueError) << "MXNDArrayLoad: fname is NULL";
  CheckLoadOuts("MXNDArrayLoad", out_size, out_arr, out_name_size, out_names);
  auto list = mixnet::io::LoadFromFile(fname);
  CheckListSize("MXNDArrayLoad", list);
  ReturnList(std::move(list), out_size, out_arr, out_name_size, out_names);
  API_END();
}

int MXNDArraySaveToBuffer(mx_uint num_args, NDArrayHandle* args, const char** keys,
                          size_t* out_size, const char** out_buf) {
  API_BEGIN();
  CheckOut(out_size, "MXNDArraySaveToBuffer", "out_size");
  CheckOut(out_buf, "MXNDArraySaveToBuffer", "out_buf");
  SaveArgs in = CollectSaveArgs("MXNDArraySaveToBuffer", num_args, args, keys);
  ThreadLocalStore* store = ThreadLocalStore::Get();
  store->str = mixnet::io::SaveToBuffer(in.arrays, in.names);
  *out_size = store->str.size();
  *out_buf = store->str.data();
  API_END();
}

int MXNDArrayLoadFromBuffer(const void* buf, size_t size, mx_uint* out_size,
                            NDArrayHandle** out_arr, mx_uint* out_name_size,
                            const char*** out_names) {
  API_BEGIN();
  MX_CHECK(buf != nullptr || size == 0, ValueError)
      << "MXNDArrayLoadFromBuffer: buf is NULL but size is " << size;
  CheckLoadOuts("MXNDArrayLoadFromBuffer", out_size, out_arr, out_name_size, out_names);
  auto list = mixnet::io::LoadFromBuffer(buf, size, "MXNDArrayLoadFromBuffer");
  CheckListSize("MXNDArrayLoadFromBuffer", list);
  ReturnList(std::move(list), out_size, out_arr, out_name_size, out_names);
  API_END();
}
