// The C ABI as a foreign caller sees it: return codes, thread-local errors, handle checks,
// NDArray functions, views with MXNet's reshape codes, and MXImperativeInvoke.
#include <gtest/gtest.h>

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "mixnet/c_api.h"

namespace {

std::string LastError() { return MXGetLastError(); }

// Expects a failed call of the given kind whose message contains every fragment.
void ExpectFail(int rc, int kind, std::initializer_list<const char*> fragments) {
  ASSERT_EQ(rc, -1) << "call unexpectedly succeeded";
  EXPECT_EQ(MXGetLastErrorKind(), kind) << LastError();
  for (const char* f : fragments) {
    EXPECT_NE(LastError().find(f), std::string::npos) << "'" << f << "' not in: " << LastError();
  }
}

NDArrayHandle MakeFloat(std::vector<int64_t> shape, const std::vector<float>& values) {
  NDArrayHandle h = nullptr;
  EXPECT_EQ(MXNDArrayCreate64(shape.data(), static_cast<int>(shape.size()), MX_CPU, 0,
                              MX_FLOAT32, &h),
            0)
      << LastError();
  EXPECT_EQ(MXNDArraySyncCopyFromCPU(h, values.data(), values.size()), 0) << LastError();
  return h;
}

std::vector<float> ReadFloat(NDArrayHandle h) {
  int ndim = 0;
  const dim_t* dims = nullptr;
  EXPECT_EQ(MXNDArrayGetShapeEx64(h, &ndim, &dims), 0) << LastError();
  size_t n = 1;
  for (int i = 0; i < ndim; ++i) n *= static_cast<size_t>(dims[i]);
  std::vector<float> out(n);
  EXPECT_EQ(MXNDArraySyncCopyToCPU(h, out.data(), n), 0) << LastError();
  return out;
}

std::vector<int64_t> Shape64(NDArrayHandle h) {
  int ndim = 0;
  const dim_t* dims = nullptr;
  EXPECT_EQ(MXNDArrayGetShapeEx64(h, &ndim, &dims), 0) << LastError();
  return ndim < 0 ? std::vector<int64_t>{} : std::vector<int64_t>(dims, dims + ndim);
}

OpHandle GetOp(const char* name) {
  OpHandle op = nullptr;
  EXPECT_EQ(NNGetOpHandle(name, &op), 0) << LastError();
  return op;
}

TEST(CApi, Versions) {
  int v = 0;
  ASSERT_EQ(MXGetVersion(&v), 0);
  EXPECT_EQ(v, MIXNET_VERSION);
  ASSERT_EQ(MXGetABIVersion(&v), 0);
  EXPECT_EQ(v, MIXNET_ABI_VERSION);
  ExpectFail(MXGetVersion(nullptr), MX_ERR_INVALID_HANDLE, {"MXGetVersion", "out"});
}

TEST(CApi, CreateInspectCopyFree) {
  const mx_uint shape[] = {2, 3};
  NDArrayHandle h = nullptr;
  ASSERT_EQ(MXNDArrayCreateEx(shape, 2, MX_CPU, 0, 0, MX_INT32, &h), 0) << LastError();
  int ndim = 0;
  const int* dims = nullptr;
  ASSERT_EQ(MXNDArrayGetShapeEx(h, &ndim, &dims), 0);
  ASSERT_EQ(ndim, 2);
  EXPECT_EQ(dims[0], 2);
  EXPECT_EQ(dims[1], 3);
  int dtype = -1, dev_type = -1, dev_id = -1;
  ASSERT_EQ(MXNDArrayGetDType(h, &dtype), 0);
  EXPECT_EQ(dtype, MX_INT32);
  ASSERT_EQ(MXNDArrayGetContext(h, &dev_type, &dev_id), 0);
  EXPECT_EQ(dev_type, MX_CPU);
  EXPECT_EQ(dev_id, 0);
  const int32_t in[] = {1, -2, 3, -4, 5, -6};
  ASSERT_EQ(MXNDArraySyncCopyFromCPU(h, in, 6), 0);
  int32_t out[6] = {};
  ASSERT_EQ(MXNDArraySyncCopyToCPU(h, out, 6), 0);
  EXPECT_EQ(std::memcmp(in, out, sizeof(in)), 0);
  void* data = nullptr;
  ASSERT_EQ(MXNDArrayGetData(h, &data), 0);
  EXPECT_EQ(static_cast<int32_t*>(data)[3], -4);
  ASSERT_EQ(MXNDArrayWaitToRead(h), 0);
  ASSERT_EQ(MXNDArrayWaitToWrite(h), 0);
  ASSERT_EQ(MXNDArrayWaitAll(), 0);
  ExpectFail(MXNDArraySyncCopyToCPU(h, out, 5), MX_ERR_VALUE, {"SyncCopyToCPU", "5"});
  ASSERT_EQ(MXNDArrayFree(h), 0);

  NDArrayHandle none = nullptr;
  ASSERT_EQ(MXNDArrayCreateNone(&none), 0);
  ASSERT_EQ(MXNDArrayGetShapeEx(none, &ndim, &dims), 0);
  EXPECT_EQ(ndim, -1);
  ASSERT_EQ(MXNDArrayFree(none), 0);

  NDArrayHandle scalar = nullptr;  // 0-d
  ASSERT_EQ(MXNDArrayCreate64(nullptr, 0, MX_CPU, 0, MX_FLOAT64, &scalar), 0) << LastError();
  EXPECT_TRUE(Shape64(scalar).empty());
  ASSERT_EQ(MXNDArrayFree(scalar), 0);
}

TEST(CApi, CreateValidatesDtypeDeviceAndShape) {
  const dim_t shape[] = {2, 2};
  NDArrayHandle h = nullptr;
  ExpectFail(MXNDArrayCreate64(shape, 2, MX_CPU, 0, 9, &h), MX_ERR_TYPE,
             {"MXNDArrayCreate64", "dtype code 9"});
  const mx_uint ushape[] = {2};
  ExpectFail(MXNDArrayCreateEx(ushape, 1, MX_CPU, 0, 0, 42, &h), MX_ERR_TYPE,
             {"MXNDArrayCreateEx", "42"});
  ExpectFail(MXNDArrayCreate64(shape, 2, MX_GPU, 0, MX_FLOAT32, &h), MX_ERR_NOT_IMPLEMENTED,
             {"mixnet was built without GPU support"});
  ExpectFail(MXNDArrayCreate64(shape, 2, 77, 0, MX_FLOAT32, &h), MX_ERR_VALUE, {"77"});
  const dim_t negative[] = {2, -3};
  ExpectFail(MXNDArrayCreate64(negative, 2, MX_CPU, 0, MX_FLOAT32, &h), MX_ERR_VALUE,
             {"MXNDArrayCreate64", "negative"});
  ExpectFail(MXNDArrayCreate64(shape, -1, MX_CPU, 0, MX_FLOAT32, &h), MX_ERR_VALUE, {"ndim"});
  ExpectFail(MXNDArrayCreate64(nullptr, 2, MX_CPU, 0, MX_FLOAT32, &h), MX_ERR_INVALID_HANDLE,
             {"MXNDArrayCreate64", "'shape'"});
  EXPECT_EQ(h, nullptr);
}

// Every NDArray function with a NULL handle, a freed handle, and a NULL out-pointer.
TEST(CApi, EveryNDArrayFunctionRejectsBadHandlesAndNullOuts) {
  NDArrayHandle freed = MakeFloat({2}, {1, 2});
  ASSERT_EQ(MXNDArrayFree(freed), 0);
  NDArrayHandle good = MakeFloat({2, 2}, {1, 2, 3, 4});
  int i = 0;
  const int* pi = nullptr;
  const dim_t* pd = nullptr;
  void* pv = nullptr;
  float buf[4];
  NDArrayHandle out = nullptr;
  const dim_t dims[] = {4};
  struct Case {
    const char* func;
    std::function<int(NDArrayHandle)> call;  // called with the handle under test
    std::function<int()> null_out;           // called with `good` and a NULL out-pointer
    const char* out_name;
  };
  const std::vector<Case> cases = {
      {"MXNDArrayFree", [](NDArrayHandle h) { return MXNDArrayFree(h); }, nullptr, nullptr},
      {"MXNDArrayGetShapeEx", [&](NDArrayHandle h) { return MXNDArrayGetShapeEx(h, &i, &pi); },
       [&] { return MXNDArrayGetShapeEx(good, nullptr, &pi); }, "out_dim"},
      {"MXNDArrayGetShapeEx64",
       [&](NDArrayHandle h) { return MXNDArrayGetShapeEx64(h, &i, &pd); },
       [&] { return MXNDArrayGetShapeEx64(good, &i, nullptr); }, "out_pdata"},
      {"MXNDArrayGetDType", [&](NDArrayHandle h) { return MXNDArrayGetDType(h, &i); },
       [&] { return MXNDArrayGetDType(good, nullptr); }, "out_dtype"},
      {"MXNDArrayGetContext", [&](NDArrayHandle h) { return MXNDArrayGetContext(h, &i, &i); },
       [&] { return MXNDArrayGetContext(good, &i, nullptr); }, "out_dev_id"},
      {"MXNDArrayGetData", [&](NDArrayHandle h) { return MXNDArrayGetData(h, &pv); },
       [&] { return MXNDArrayGetData(good, nullptr); }, "out_pdata"},
      {"MXNDArraySyncCopyFromCPU",
       [&](NDArrayHandle h) { return MXNDArraySyncCopyFromCPU(h, buf, 4); },
       [&] { return MXNDArraySyncCopyFromCPU(good, nullptr, 4); }, "data"},
      {"MXNDArraySyncCopyToCPU", [&](NDArrayHandle h) { return MXNDArraySyncCopyToCPU(h, buf, 4); },
       [&] { return MXNDArraySyncCopyToCPU(good, nullptr, 4); }, "data"},
      {"MXNDArrayWaitToRead", [](NDArrayHandle h) { return MXNDArrayWaitToRead(h); }, nullptr,
       nullptr},
      {"MXNDArrayWaitToWrite", [](NDArrayHandle h) { return MXNDArrayWaitToWrite(h); }, nullptr,
       nullptr},
      {"MXNDArraySlice64", [&](NDArrayHandle h) { return MXNDArraySlice64(h, 0, 1, &out); },
       [&] { return MXNDArraySlice64(good, 0, 1, nullptr); }, "out"},
      {"MXNDArrayAt64", [&](NDArrayHandle h) { return MXNDArrayAt64(h, 0, &out); },
       [&] { return MXNDArrayAt64(good, 0, nullptr); }, "out"},
      {"MXNDArrayReshape64",
       [&](NDArrayHandle h) { return MXNDArrayReshape64(h, 1, dims, 0, &out); },
       [&] { return MXNDArrayReshape64(good, 1, dims, 0, nullptr); }, "out"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.func);
    ExpectFail(c.call(nullptr), MX_ERR_INVALID_HANDLE, {c.func, "'handle'", "NULL"});
    ExpectFail(c.call(freed), MX_ERR_INVALID_HANDLE, {c.func, "'handle'", "freed"});
    if (c.null_out) ExpectFail(c.null_out(), MX_ERR_INVALID_HANDLE, {c.func, c.out_name});
  }
  EXPECT_EQ(out, nullptr);
  ExpectFail(MXNDArrayCreateNone(nullptr), MX_ERR_INVALID_HANDLE, {"MXNDArrayCreateNone", "out"});
  ExpectFail(MXNDArrayCreate64(dims, 1, MX_CPU, 0, MX_FLOAT32, nullptr), MX_ERR_INVALID_HANDLE,
             {"MXNDArrayCreate64", "'out'"});
  const mx_uint udims[] = {4};
  ExpectFail(MXNDArrayCreateEx(udims, 1, MX_CPU, 0, 0, MX_FLOAT32, nullptr),
             MX_ERR_INVALID_HANDLE, {"MXNDArrayCreateEx", "'out'"});
  // The good handle still works after all that.
  EXPECT_EQ(ReadFloat(good), (std::vector<float>{1, 2, 3, 4}));
  ASSERT_EQ(MXNDArrayFree(good), 0);
}

TEST(CApi, FreedHandleStaysDetectableAfterManyOtherAllocations) {
  NDArrayHandle victim = MakeFloat({1}, {1});
  ASSERT_EQ(MXNDArrayFree(victim), 0);
  // Churn: many creates and frees (fewer than the quarantine length).
  for (int k = 0; k < 1000; ++k) {
    NDArrayHandle h = nullptr;
    ASSERT_EQ(MXNDArrayCreateNone(&h), 0);
    ASSERT_NE(h, victim);
    ASSERT_EQ(MXNDArrayFree(h), 0);
  }
  int dtype = 0;
  ExpectFail(MXNDArrayGetDType(victim, &dtype), MX_ERR_INVALID_HANDLE, {"freed"});
  ExpectFail(MXNDArrayFree(victim), MX_ERR_INVALID_HANDLE, {"MXNDArrayFree"});  // double free
}

// Each thread parks its freed handles in its own ring, which goes to a process-wide FIFO when the
// thread ends: a handle freed on a thread that ended must stay detectable while other threads
// create and free many handles (fewer frees after it than the quarantine length).
TEST(CApi, FreedHandleStaysDetectableAfterItsThreadEnded) {
  NDArrayHandle victim = nullptr;
  std::thread([&] {
    victim = MakeFloat({1}, {1});
    std::vector<NDArrayHandle> many(2000);
    for (NDArrayHandle& h : many) ASSERT_EQ(MXNDArrayCreateNone(&h), 0);
    ASSERT_EQ(MXNDArrayFree(victim), 0);
    for (NDArrayHandle h : many) ASSERT_EQ(MXNDArrayFree(h), 0);
  }).join();
  for (int k = 0; k < 1500; ++k) {
    NDArrayHandle h = nullptr;
    ASSERT_EQ(MXNDArrayCreateNone(&h), 0);
    ASSERT_NE(h, victim);
    ASSERT_EQ(MXNDArrayFree(h), 0);
  }
  int dtype = 0;
  ExpectFail(MXNDArrayGetDType(victim, &dtype), MX_ERR_INVALID_HANDLE, {"freed"});
}

// A thread that frees far more handles than it creates (its ring fills and spills to the shared
// FIFO): its handles are found again by other threads, and everything keeps working.
TEST(CApi, HandlesFreedOnAFreeOnlyThreadAreReusedElsewhere) {
  std::vector<NDArrayHandle> made(12000);
  for (NDArrayHandle& h : made) ASSERT_EQ(MXNDArrayCreateNone(&h), 0);
  std::thread([&] {
    for (NDArrayHandle h : made) ASSERT_EQ(MXNDArrayFree(h), 0);
  }).join();
  std::sort(made.begin(), made.end());
  int reused = 0;
  // On a fresh thread: one whose own ring holds no old handles (as this test's thread may, when
  // earlier tests ran in the same process) takes its handles from the shared FIFO.
  std::thread([&] {
    for (int k = 0; k < 3000; ++k) {
      NDArrayHandle h = MakeFloat({1}, {static_cast<float>(k)});
      reused += std::binary_search(made.begin(), made.end(), h) ? 1 : 0;
      EXPECT_EQ(ReadFloat(h), (std::vector<float>{static_cast<float>(k)}));
      ASSERT_EQ(MXNDArrayFree(h), 0);
    }
  }).join();
  EXPECT_GT(reused, 0);
}

// Handles are reused once enough later frees happened (the quarantine bounds memory), and a
// reused handle is a fully working array.
TEST(CApi, HandlesAreReusedAfterTheQuarantine) {
  std::vector<NDArrayHandle> seen;
  for (int k = 0; k < 10000; ++k) {
    NDArrayHandle h = MakeFloat({2}, {static_cast<float>(k), 1.f});
    seen.push_back(h);
    EXPECT_EQ(ReadFloat(h), (std::vector<float>{static_cast<float>(k), 1.f}));
    ASSERT_EQ(MXNDArrayFree(h), 0);
  }
  std::sort(seen.begin(), seen.end());
  const auto distinct = std::unique(seen.begin(), seen.end()) - seen.begin();
  EXPECT_LT(distinct, 10000);
}

// Arrays created on one thread and freed on another (their chunks and engine variables go
// through per-thread free lists) keep working, under concurrent dispatch.
TEST(CApi, ArraysCreatedAndFreedOnDifferentThreads) {
  OpHandle add = nullptr;
  ASSERT_EQ(NNGetOpHandle("broadcast_add", &add), 0);
  NDArrayHandle in[2] = {MakeFloat({1}, {1}), MakeFloat({1}, {2})};
  std::vector<NDArrayHandle> made(4000);
  std::thread producer([&] {
    for (NDArrayHandle& h : made) {
      int n_out = 0;
      NDArrayHandle* out = nullptr;
      ASSERT_EQ(MXImperativeInvoke(add, 2, in, &n_out, &out, 0, nullptr, nullptr), 0);
      h = out[0];
    }
  });
  producer.join();
  std::thread consumer([&] {
    for (NDArrayHandle h : made) {
      EXPECT_EQ(ReadFloat(h), (std::vector<float>{3}));
      ASSERT_EQ(MXNDArrayFree(h), 0);
    }
  });
  // Meanwhile this thread dispatches too, reusing what the consumer frees.
  for (int k = 0; k < 4000; ++k) {
    int n_out = 0;
    NDArrayHandle* out = nullptr;
    ASSERT_EQ(MXImperativeInvoke(add, 2, in, &n_out, &out, 0, nullptr, nullptr), 0);
    ASSERT_EQ(MXNDArrayFree(out[0]), 0);
  }
  consumer.join();
  ASSERT_EQ(MXNDArrayWaitAll(), 0) << LastError();
  ASSERT_EQ(MXNDArrayFree(in[0]), 0);
  ASSERT_EQ(MXNDArrayFree(in[1]), 0);
}

TEST(CApi, ViewsAndReshapeCodes) {
  std::vector<float> v(24);
  for (int k = 0; k < 24; ++k) v[k] = static_cast<float>(k);
  NDArrayHandle a = MakeFloat({2, 3, 4}, v);
  struct Case {
    std::vector<dim_t> codes;
    bool reverse;
    std::vector<int64_t> expected;
  };
  const std::vector<Case> cases = {
      {{0, -1}, false, {2, 12}},       {{-1}, false, {24}},
      {{-2}, false, {2, 3, 4}},        {{-3, 4}, false, {6, 4}},
      {{0, -3}, false, {2, 12}},       {{-4, 1, 2, -2}, false, {1, 2, 3, 4}},
      {{-4, -1, 2, -2}, false, {1, 2, 3, 4}}, {{4, 0, -1}, false, {4, 3, 2}},
      {{-1, 0}, true, {6, 4}},         {{-1, 0}, false, {8, 3}},
  };
  for (const Case& c : cases) {
    NDArrayHandle r = nullptr;
    ASSERT_EQ(MXNDArrayReshape64(a, static_cast<int>(c.codes.size()), c.codes.data(),
                                 c.reverse, &r),
              0)
        << LastError();
    EXPECT_EQ(Shape64(r), c.expected);
    EXPECT_EQ(ReadFloat(r), v);  // same data, new shape
    ASSERT_EQ(MXNDArrayFree(r), 0);
  }
  NDArrayHandle r = nullptr;
  const dim_t two_infer[] = {-1, -1};
  ExpectFail(MXNDArrayReshape64(a, 2, two_infer, 0, &r), MX_ERR_VALUE,
             {"MXNDArrayReshape64", "-1"});
  const dim_t wrong[] = {5, 5};
  ExpectFail(MXNDArrayReshape64(a, 2, wrong, 0, &r), MX_ERR_VALUE, {"(5, 5)"});
  const dim_t bad_split[] = {-4, 5, -1, -2};
  ExpectFail(MXNDArrayReshape64(a, 4, bad_split, 0, &r), MX_ERR_VALUE, {"split"});

  NDArrayHandle s = nullptr;
  ASSERT_EQ(MXNDArraySlice64(a, 1, 2, &s), 0) << LastError();
  EXPECT_EQ(Shape64(s), (std::vector<int64_t>{1, 3, 4}));
  NDArrayHandle row = nullptr;
  ASSERT_EQ(MXNDArrayAt64(s, 0, &row), 0) << LastError();
  EXPECT_EQ(Shape64(row), (std::vector<int64_t>{3, 4}));
  std::vector<float> expected(v.begin() + 12, v.end());
  EXPECT_EQ(ReadFloat(row), expected);
  // Writing through the view changes the base (shared storage).
  std::vector<float> fill(12, -1.f);
  ASSERT_EQ(MXNDArraySyncCopyFromCPU(row, fill.data(), fill.size()), 0);
  EXPECT_EQ(ReadFloat(a)[12], -1.f);
  EXPECT_EQ(ReadFloat(a)[11], 11.f);
  ExpectFail(MXNDArraySlice64(a, 1, 3, &r), MX_ERR_INDEX, {"Slice", "[1, 3)"});
  ExpectFail(MXNDArrayAt64(a, 2, &r), MX_ERR_INDEX, {"At", "index 2"});
  // Freeing the base first: the views keep the storage alive.
  ASSERT_EQ(MXNDArrayFree(a), 0);
  EXPECT_EQ(ReadFloat(row), fill);
  ASSERT_EQ(MXNDArrayFree(row), 0);
  ASSERT_EQ(MXNDArrayFree(s), 0);
}

TEST(CApi, RegistryAndOpHandles) {
  mx_uint n = 0;
  const char** names = nullptr;
  ASSERT_EQ(MXListAllOpNames(&n, &names), 0);
  std::vector<std::string> all(names, names + n);
  EXPECT_NE(std::find(all.begin(), all.end(), "broadcast_add"), all.end());
  EXPECT_NE(std::find(all.begin(), all.end(), "broadcast_plus"), all.end());  // an alias
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  const char* json = nullptr;
  const char* hash = nullptr;
  ASSERT_EQ(MXGetRegistryJSON(&json, &hash), 0);
  EXPECT_NE(std::string(json).find("\"broadcast_add\""), std::string::npos);
  EXPECT_GT(std::strlen(hash), 0u);
  OpHandle op = nullptr;
  ExpectFail(NNGetOpHandle("no_such_op", &op), MX_ERR_NOT_FOUND, {"NNGetOpHandle", "no_such_op"});
  ExpectFail(NNGetOpHandle(nullptr, &op), MX_ERR_INVALID_HANDLE, {"op_name"});
  ExpectFail(NNGetOpHandle("broadcast_add", nullptr), MX_ERR_INVALID_HANDLE, {"out"});
  OpHandle a = GetOp("broadcast_add");
  OpHandle b = GetOp("broadcast_plus");
  EXPECT_EQ(a, b);  // an alias finds the same op
}

TEST(CApi, ImperativeInvokeAllocatesOrWritesOutputs) {
  OpHandle add = GetOp("broadcast_add");
  NDArrayHandle in[] = {MakeFloat({2, 2}, {1, 2, 3, 4}), MakeFloat({2}, {10, 20})};
  int num_out = 0;
  NDArrayHandle* outs = nullptr;
  ASSERT_EQ(MXImperativeInvoke(add, 2, in, &num_out, &outs, 0, nullptr, nullptr), 0)
      << LastError();
  ASSERT_EQ(num_out, 1);
  NDArrayHandle result = outs[0];
  EXPECT_EQ(Shape64(result), (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(ReadFloat(result), (std::vector<float>{11, 22, 13, 24}));

  // Into caller-provided handles: an existing array, and a none array that gets allocated.
  NDArrayHandle none = nullptr;
  ASSERT_EQ(MXNDArrayCreateNone(&none), 0);
  NDArrayHandle provided[] = {none};
  NDArrayHandle* provided_ptr = provided;
  num_out = 1;
  ASSERT_EQ(MXImperativeInvoke(add, 2, in, &num_out, &provided_ptr, 0, nullptr, nullptr), 0)
      << LastError();
  EXPECT_EQ(ReadFloat(none), (std::vector<float>{11, 22, 13, 24}));
  NDArrayHandle inplace[] = {in[0]};
  NDArrayHandle* inplace_ptr = inplace;
  ASSERT_EQ(MXImperativeInvoke(add, 2, in, &num_out, &inplace_ptr, 0, nullptr, nullptr), 0);
  EXPECT_EQ(ReadFloat(in[0]), (std::vector<float>{11, 22, 13, 24}));

  // Parameters as strings.
  OpHandle zeros = GetOp("_zeros");
  const char* keys[] = {"shape", "dtype"};
  const char* vals[] = {"(3,)", "float64"};
  outs = nullptr;
  ASSERT_EQ(MXImperativeInvoke(zeros, 0, nullptr, &num_out, &outs, 2, keys, vals), 0)
      << LastError();
  int dtype = -1;
  ASSERT_EQ(MXNDArrayGetDType(outs[0], &dtype), 0);
  EXPECT_EQ(dtype, MX_FLOAT64);
  EXPECT_EQ(Shape64(outs[0]), (std::vector<int64_t>{3}));
  ASSERT_EQ(MXNDArrayFree(outs[0]), 0);

  for (NDArrayHandle h : {in[0], in[1], result, none}) ASSERT_EQ(MXNDArrayFree(h), 0);
}

TEST(CApi, ImperativeInvokeValidatesEverything) {
  OpHandle add = GetOp("broadcast_add");
  NDArrayHandle x = MakeFloat({2}, {1, 2});
  NDArrayHandle in[] = {x, x, x};
  int num_out = 0;
  NDArrayHandle* outs = nullptr;
  ExpectFail(MXImperativeInvoke(nullptr, 2, in, &num_out, &outs, 0, nullptr, nullptr),
             MX_ERR_INVALID_HANDLE, {"MXImperativeInvoke", "'op'"});
  int not_an_op = 0;
  ExpectFail(MXImperativeInvoke(reinterpret_cast<OpHandle>(&not_an_op), 2, in, &num_out, &outs,
                                0, nullptr, nullptr),
             MX_ERR_INVALID_HANDLE, {"'op'"});
  ExpectFail(MXImperativeInvoke(add, 3, in, &num_out, &outs, 0, nullptr, nullptr), MX_ERR_VALUE,
             {"broadcast_add: expected 2 inputs (lhs, rhs), got 3"});
  ExpectFail(MXImperativeInvoke(add, -1, in, &num_out, &outs, 0, nullptr, nullptr), MX_ERR_VALUE,
             {"num_inputs"});
  ExpectFail(MXImperativeInvoke(add, 2, nullptr, &num_out, &outs, 0, nullptr, nullptr),
             MX_ERR_INVALID_HANDLE, {"'inputs'"});
  NDArrayHandle with_null[] = {x, nullptr};
  ExpectFail(MXImperativeInvoke(add, 2, with_null, &num_out, &outs, 0, nullptr, nullptr),
             MX_ERR_INVALID_HANDLE, {"inputs[1]"});
  ExpectFail(MXImperativeInvoke(add, 2, in, nullptr, &outs, 0, nullptr, nullptr),
             MX_ERR_INVALID_HANDLE, {"num_outputs"});
  ExpectFail(MXImperativeInvoke(add, 2, in, &num_out, nullptr, 0, nullptr, nullptr),
             MX_ERR_INVALID_HANDLE, {"'outputs'"});
  const char* keys[] = {"shape"};
  const char* null_val[] = {nullptr};
  ExpectFail(MXImperativeInvoke(add, 2, in, &num_out, &outs, 1, nullptr, null_val),
             MX_ERR_INVALID_HANDLE, {"param_keys"});
  ExpectFail(MXImperativeInvoke(add, 2, in, &num_out, &outs, 1, keys, null_val),
             MX_ERR_INVALID_HANDLE, {"param_vals[0]"});
  ExpectFail(MXImperativeInvoke(add, 2, in, &num_out, &outs, -2, keys, null_val), MX_ERR_VALUE,
             {"num_params"});
  const char* unknown_key[] = {"colour"};
  const char* val[] = {"red"};
  ExpectFail(MXImperativeInvoke(add, 2, in, &num_out, &outs, 1, unknown_key, val),
             MX_ERR_NOT_FOUND, {"colour"});
  // Provided outputs: wrong count, wrong shape.
  NDArrayHandle o1 = MakeFloat({2}, {0, 0});
  NDArrayHandle two[] = {o1, o1};
  NDArrayHandle* two_ptr = two;
  num_out = 2;
  ExpectFail(MXImperativeInvoke(add, 2, in, &num_out, &two_ptr, 0, nullptr, nullptr),
             MX_ERR_VALUE, {"expected 1 output, got 2"});
  num_out = 0;
  ExpectFail(MXImperativeInvoke(add, 2, in, &num_out, &two_ptr, 0, nullptr, nullptr),
             MX_ERR_VALUE, {"num_outputs"});
  NDArrayHandle small = MakeFloat({1}, {0});
  NDArrayHandle one[] = {small};
  NDArrayHandle* one_ptr = one;
  num_out = 1;
  ExpectFail(MXImperativeInvoke(add, 2, in, &num_out, &one_ptr, 0, nullptr, nullptr),
             MX_ERR_VALUE, {"output 0", "(1,)", "(2,)"});
  for (NDArrayHandle h : {x, o1, small}) ASSERT_EQ(MXNDArrayFree(h), 0);
  ExpectFail(MXImperativeInvoke(add, 2, in, &num_out, &outs, 0, nullptr, nullptr),
             MX_ERR_INVALID_HANDLE, {"inputs[0]", "freed"});
}

TEST(CApi, LastErrorIsPerThread) {
  NDArrayHandle h = nullptr;
  ExpectFail(MXNDArrayCreate64(nullptr, -5, MX_CPU, 0, MX_FLOAT32, &h), MX_ERR_VALUE, {"-5"});
  std::string other_msg;
  int other_kind = -1;
  std::thread t([&] {
    OpHandle op = nullptr;
    EXPECT_EQ(NNGetOpHandle("definitely_missing", &op), -1);
    other_msg = MXGetLastError();
    other_kind = MXGetLastErrorKind();
  });
  t.join();
  EXPECT_NE(other_msg.find("definitely_missing"), std::string::npos) << other_msg;
  EXPECT_EQ(other_kind, MX_ERR_NOT_FOUND);
  // This thread's error is untouched by the other thread's failure.
  EXPECT_NE(LastError().find("-5"), std::string::npos) << LastError();
  EXPECT_EQ(MXGetLastErrorKind(), MX_ERR_VALUE);
  std::string fresh;
  std::thread([&] { fresh = MXGetLastError(); }).join();
  EXPECT_EQ(fresh, "");
}

TEST(CApi, SeedAndEngineInfo) {
  int workers = -1, threads = -1;
  ASSERT_EQ(MXEngineGetInfo(&workers, &threads), 0);
  EXPECT_GE(workers, 0);
  EXPECT_GE(threads, 1);
  ExpectFail(MXEngineGetInfo(nullptr, &threads), MX_ERR_INVALID_HANDLE, {"out_num_workers"});
  EXPECT_EQ(MXRandomSeed(7), 0);
  EXPECT_EQ(MXRandomSeed(-7), 0);
  EXPECT_EQ(MXNDArrayWaitAll(), 0);
}

// Draws 4 uniform numbers through the ABI.
std::vector<float> DrawUniform() {
  OpHandle op = GetOp("_random_uniform");
  const char* keys[] = {"shape"};
  const char* vals[] = {"(4,)"};
  int n_out = 0;
  NDArrayHandle* outs = nullptr;
  EXPECT_EQ(MXImperativeInvoke(op, 0, nullptr, &n_out, &outs, 1, keys, vals), 0) << LastError();
  NDArrayHandle h = outs[0];
  std::vector<float> v = ReadFloat(h);
  MXNDArrayFree(h);
  return v;
}

TEST(CApi, RandomStateRoundTripsAndRejectsGarbage) {
  ASSERT_EQ(MXRandomSeed(11), 0);
  DrawUniform();  // move away from the seeded state
  const char* text = nullptr;
  size_t len = 0;
  ASSERT_EQ(MXRandomGetState(&text, &len), 0) << LastError();
  const std::string saved(text, len);
  EXPECT_GT(saved.size(), 1000u);  // 312 words of mt19937_64
  const std::vector<float> first = DrawUniform();
  const std::vector<float> second = DrawUniform();
  EXPECT_NE(first, second);
  ASSERT_EQ(MXRandomSetState(saved.data(), saved.size()), 0) << LastError();
  EXPECT_EQ(DrawUniform(), first);
  EXPECT_EQ(DrawUniform(), second);
  // Malformed text is refused and leaves the state alone.
  ASSERT_EQ(MXRandomSetState(saved.data(), saved.size()), 0);
  ExpectFail(MXRandomSetState("12 34", 5), MX_ERR_VALUE, {"random state"});
  const std::string trailing = saved + " junk";
  ExpectFail(MXRandomSetState(trailing.data(), trailing.size()), MX_ERR_VALUE, {"unexpected text"});
  EXPECT_EQ(DrawUniform(), first);
  ExpectFail(MXRandomGetState(nullptr, &len), MX_ERR_INVALID_HANDLE, {"out_state"});
}

double ThreadCpuNs() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e9 + static_cast<double>(t.tv_nsec);
}

// Per-op cost through the ABI: invoke a 1-element broadcast_add and free its output handle.
TEST(CApi, SmallOpDispatchThroughTheABI) {
  OpHandle add = GetOp("broadcast_add");
  NDArrayHandle in[] = {MakeFloat({1}, {1}), MakeFloat({1}, {2})};
  constexpr int kIters = 20000;
  std::vector<double> per_op_ns;
  for (int rep = 0; rep < 5; ++rep) {
    const double t0 = ThreadCpuNs();
    for (int k = 0; k < kIters; ++k) {
      int n = 0;
      NDArrayHandle* outs = nullptr;
      if (MXImperativeInvoke(add, 2, in, &n, &outs, 0, nullptr, nullptr) != 0 ||
          MXNDArrayFree(outs[0]) != 0) {
        FAIL() << LastError();
      }
    }
    ASSERT_EQ(MXNDArrayWaitAll(), 0);
    per_op_ns.push_back((ThreadCpuNs() - t0) / kIters);
  }
  std::sort(per_op_ns.begin(), per_op_ns.end());
  std::printf("[ dispatch ] broadcast_add on 1 element via MXImperativeInvoke + MXNDArrayFree: "
              "%.0f ns/op (calling-thread CPU time, median of 5)\n",
              per_op_ns[2]);
  EXPECT_LT(per_op_ns[2], 5000.0);  // generous: catches pathological regressions only
  for (NDArrayHandle h : in) ASSERT_EQ(MXNDArrayFree(h), 0);
}

}  // namespace
