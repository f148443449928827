// DLPack export/import: memory is shared both ways, lifetimes are right (the deleter runs exactly
// once, after the last user), and bad tensors are refused without taking ownership.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "ndarray/dlpack.h"
#include "test_util.h"

namespace mixnet {
namespace {

using test::Array;
using test::Values;

// A producer-side tensor over memory the test owns; counts deleter calls.
struct ForeignTensor {
  std::vector<uint8_t> storage;
  std::vector<int64_t> shape;
  std::vector<int64_t> strides;
  DLManagedTensor managed{};
  int deleted = 0;

  ForeignTensor(std::vector<int64_t> dims, DLDataType dtype, size_t nbytes)
      : storage(nbytes + 64), shape(std::move(dims)) {
    DLTensor& t = managed.dl_tensor;
    // 64-byte aligned start inside the vector.
    t.data = storage.data() + (64 - reinterpret_cast<uintptr_t>(storage.data()) % 64) % 64;
    t.device = {kDLCPU, 0};
    t.ndim = static_cast<int>(shape.size());
    t.dtype = dtype;
    t.shape = shape.data();
    t.strides = nullptr;
    t.byte_offset = 0;
    managed.manager_ctx = this;
    managed.deleter = [](DLManagedTensor* self) {
      ++static_cast<ForeignTensor*>(self->manager_ctx)->deleted;
    };
  }
  float* floats() { return static_cast<float*>(managed.dl_tensor.data); }
  void SetStrides(std::vector<int64_t> s) {
    strides = std::move(s);
    managed.dl_tensor.strides = strides.data();
  }
};

constexpr DLDataType kF32{kDLFloat, 32, 1};

// Expects FromDLPack to throw `kind` with `fragment`, without calling the deleter.
void ExpectImportError(ForeignTensor& f, ErrorKind kind, const std::string& fragment) {
  try {
    FromDLPack(&f.managed);
    ADD_FAILURE() << "import succeeded; expected '" << fragment << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
  engine::Engine::Get()->WaitForAll();
  EXPECT_EQ(f.deleted, 0) << "a failed import must leave ownership with the caller";
}

TEST(DLPackExport, SharesMemoryBothWays) {
  const NDArray a = Array<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  DLManagedTensor* t = ToDLPack(a);
  const DLTensor& d = t->dl_tensor;
  EXPECT_EQ(d.device.device_type, kDLCPU);
  EXPECT_EQ(d.ndim, 2);
  EXPECT_EQ(d.shape[0], 2);
  EXPECT_EQ(d.shape[1], 3);
  EXPECT_EQ(d.dtype.code, kDLFloat);
  EXPECT_EQ(d.dtype.bits, 32);
  EXPECT_EQ(d.dtype.lanes, 1);
  EXPECT_EQ(d.strides, nullptr);
  EXPECT_EQ(d.byte_offset, 0u);
  auto* p = static_cast<float*>(d.data);
  EXPECT_EQ(p[4], 5.f);
  p[0] = -10.f;  // write through the tensor, read through the array
  EXPECT_EQ(Values<float>(a), (std::vector<float>{-10, 2, 3, 4, 5, 6}));
  const std::vector<float> fresh{6, 5, 4, 3, 2, 1};
  a.SyncCopyFromCPU(fresh.data(), fresh.size());  // write through the array
  EXPECT_EQ(p[0], 6.f);
  EXPECT_EQ(p[5], 1.f);
  t->deleter(t);
}

TEST(DLPackExport, ViewPointsAtItsFirstElement) {
  const NDArray a = Array<int32_t>({3, 2}, {0, 1, 2, 3, 4, 5});
  const NDArray row = a.Slice(1, 3);
  DLManagedTensor* t = ToDLPack(row);
  a.WaitToRead();
  EXPECT_EQ(t->dl_tensor.data, static_cast<int32_t*>(a.data()) + 2);
  EXPECT_EQ(t->dl_tensor.byte_offset, 0u);
  EXPECT_EQ(t->dl_tensor.shape[0], 2);
  EXPECT_EQ(static_cast<int32_t*>(t->dl_tensor.data)[0], 2);
  t->deleter(t);
}

// The tensor keeps the memory alive after the last NDArray is gone: if it did not, the pool
// would hand the same block to the next array of the same size and the values would change.
TEST(DLPackExport, KeepsStorageAliveUntilDeleter) {
  NDArray a = Array<float>({256}, std::vector<float>(256, 7.f));
  DLManagedTensor* t = ToDLPack(a);
  a = NDArray();
  engine::Engine::Get()->WaitForAll();
  const NDArray other = Array<float>({256}, std::vector<float>(256, -1.f));
  other.WaitToRead();
  EXPECT_NE(other.data(), t->dl_tensor.data);
  const auto* p = static_cast<const float*>(t->dl_tensor.data);
  EXPECT_EQ(std::vector<float>(p, p + 256), std::vector<float>(256, 7.f));
  t->deleter(t);
}

TEST(DLPackExport, WaitsForPendingWrites) {
  const NDArray a = Array<float>({4}, {0, 0, 0, 0});
  const engine::VarHandle writes[] = {a.var()};
  engine::Engine::Get()->Push(
      [a](const engine::RunContext&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        auto* p = static_cast<float*>(a.data());
        for (int i = 0; i < 4; ++i) p[i] = static_cast<float>(i + 1);
      },
      {}, writes, engine::PushOptions{.name = "slow_write"});
  DLManagedTensor* t = ToDLPack(a);
  const auto* p = static_cast<const float*>(t->dl_tensor.data);
  EXPECT_EQ(std::vector<float>(p, p + 4), (std::vector<float>{1, 2, 3, 4}));
  t->deleter(t);
}

TEST(DLPackExport, NoneArrayAndFailedInputsAreErrors) {
  try {
    ToDLPack(NDArray());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kValueError);
    EXPECT_NE(std::string(e.what()).find("none"), std::string::npos) << e.what();
  }
  const NDArray bad(Shape({2}), Context::CPU(), DType::kFloat32);
  const engine::VarHandle writes[] = {bad.var()};
  engine::Engine::Get()->Push(
      [](const engine::RunContext&) { MX_THROW(ValueError) << "injected failure"; }, {}, writes,
      engine::PushOptions{.name = "inject"});
  try {
    ToDLPack(bad);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("injected failure"), std::string::npos) << e.what();
  }
}

TEST(DLPackImport, SharesMemoryAndDeleterRunsOnceAfterLastUser) {
  ForeignTensor f({2, 2}, kF32, 16);
  for (int i = 0; i < 4; ++i) f.floats()[i] = static_cast<float>(i);
  NDArray a = FromDLPack(&f.managed);
  EXPECT_EQ(a.shape(), Shape({2, 2}));
  EXPECT_EQ(a.dtype(), DType::kFloat32);
  a.WaitToRead();
  EXPECT_EQ(a.data(), f.floats());
  EXPECT_EQ(Values<float>(a), (std::vector<float>{0, 1, 2, 3}));
  f.floats()[3] = 30.f;  // producer writes, array reads
  EXPECT_EQ(Values<float>(a)[3], 30.f);
  const std::vector<float> fresh{9, 8, 7, 6};
  a.SyncCopyFromCPU(fresh.data(), 4);  // array writes, producer reads
  EXPECT_EQ(f.floats()[0], 9.f);
  // A view keeps the memory: dropping the array alone must not release it.
  NDArray view = a.At(1);
  a = NDArray();
  engine::Engine::Get()->WaitForAll();
  EXPECT_EQ(f.deleted, 0);
  EXPECT_EQ(Values<float>(view), (std::vector<float>{7, 6}));
  view = NDArray();
  engine::Engine::Get()->WaitForAll();
  EXPECT_EQ(f.deleted, 1);
}

TEST(DLPackImport, OffsetsStridesAndDegenerateShapes) {
  // byte_offset moves the start; explicit compact strides and any stride on an extent-1 axis
  // are accepted.
  ForeignTensor f({1, 3}, kF32, 32);
  for (int i = 0; i < 8; ++i) f.floats()[i] = static_cast<float>(i);
  f.managed.dl_tensor.byte_offset = 8;
  f.SetStrides({99, 1});
  {
    const NDArray a = FromDLPack(&f.managed);
    EXPECT_EQ(Values<float>(a), (std::vector<float>{2, 3, 4}));
  }
  engine::Engine::Get()->WaitForAll();
  EXPECT_EQ(f.deleted, 1);

  ForeignTensor scalar({}, kF32, 4);
  scalar.floats()[0] = 2.5f;
  scalar.managed.dl_tensor.shape = nullptr;  // allowed for ndim 0
  {
    const NDArray a = FromDLPack(&scalar.managed);
    EXPECT_EQ(a.shape().ndim(), 0);
    EXPECT_EQ(Values<float>(a), std::vector<float>{2.5f});
  }
  ForeignTensor empty({0, 5}, kF32, 0);
  empty.managed.dl_tensor.data = nullptr;
  empty.SetStrides({7, 3});  // no layout to check for an empty tensor
  {
    const NDArray a = FromDLPack(&empty.managed);
    EXPECT_EQ(a.shape(), Shape({0, 5}));
    EXPECT_FALSE(a.is_none());
  }
  engine::Engine::Get()->WaitForAll();
  EXPECT_EQ(scalar.deleted, 1);
  EXPECT_EQ(empty.deleted, 1);
}

TEST(DLPackImport, RejectsBadTensorsWithoutTakingOwnership) {
  ForeignTensor transposed({2, 3}, kF32, 24);
  transposed.SetStrides({1, 2});
  ExpectImportError(transposed, ErrorKind::kValueError, "strides (1, 2)");
  ForeignTensor gpu({2}, kF32, 8);
  gpu.managed.dl_tensor.device = {kDLCUDA, 0};
  ExpectImportError(gpu, ErrorKind::kNotImplemented, "device type 2");
  ForeignTensor f8({2}, DLDataType{kDLFloat, 8, 1}, 2);
  ExpectImportError(f8, ErrorKind::kTypeError, "{code 2, bits 8, lanes 1}");
  ForeignTensor lanes({2}, DLDataType{kDLFloat, 32, 4}, 32);
  ExpectImportError(lanes, ErrorKind::kTypeError, "lanes 4");
  ForeignTensor negative({-2}, kF32, 8);
  ExpectImportError(negative, ErrorKind::kValueError, "negative dimension");
  ForeignTensor misaligned({2}, kF32, 12);
  misaligned.managed.dl_tensor.byte_offset = 2;
  ExpectImportError(misaligned, ErrorKind::kValueError, "aligned");
  ForeignTensor null_data({2}, kF32, 8);
  null_data.managed.dl_tensor.data = nullptr;
  ExpectImportError(null_data, ErrorKind::kValueError, "data is NULL");
  ForeignTensor as_int({2}, kF32, 8);
  try {
    FromDLPack(&as_int.managed, DType::kInt32);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kTypeError);
  }
  EXPECT_EQ(as_int.deleted, 0);
  EXPECT_THROW(FromDLPack(nullptr), Error);
}

TEST(DLPackDtypes, EveryDtypeRoundTrips) {
  struct Case { DType dtype; DLDataType dl; };
  const Case cases[] = {
      {DType::kFloat32, {kDLFloat, 32, 1}}, {DType::kFloat64, {kDLFloat, 64, 1}},
      {DType::kFloat16, {kDLFloat, 16, 1}}, {DType::kBfloat16, {kDLBfloat, 16, 1}},
      {DType::kUint8, {kDLUInt, 8, 1}},     {DType::kInt8, {kDLInt, 8, 1}},
      {DType::kInt32, {kDLInt, 32, 1}},     {DType::kInt64, {kDLInt, 64, 1}},
      {DType::kBool, {kDLUInt, 8, 1}},  // DLPack 0.6 has no bool: byte-compatible uint8
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(DTypeName(c.dtype));
    const NDArray a(Shape({3}), Context::CPU(), c.dtype);
    std::vector<uint8_t> bytes(a.nbytes());
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(c.dtype == DType::kBool ? i % 2 : i * 7 + 1);
    a.SyncCopyFromCPU(bytes.data(), 3);
    DLManagedTensor* t = ToDLPack(a);
    EXPECT_EQ(t->dl_tensor.dtype.code, c.dl.code);
    EXPECT_EQ(t->dl_tensor.dtype.bits, c.dl.bits);
    EXPECT_EQ(t->dl_tensor.dtype.lanes, c.dl.lanes);
    // Import the exported tensor: same memory, the export's reference released by the deleter.
    const NDArray b = FromDLPack(t, c.dtype == DType::kBool ? std::optional(DType::kBool) : std::nullopt);
    EXPECT_EQ(b.dtype(), c.dtype);
    b.WaitToRead();
    a.WaitToRead();
    EXPECT_EQ(b.data(), a.data());
    EXPECT_EQ(std::memcmp(b.data(), bytes.data(), bytes.size()), 0);
  }
  // Without the request, an exported bool comes back as uint8; other producers' bools are bool.
  EXPECT_EQ(FromDLDataType({kDLUInt, 8, 1}), DType::kUint8);
  EXPECT_EQ(FromDLDataType({kDLUInt, 1, 1}), DType::kBool);  // Apache MXNet 1.x
  EXPECT_EQ(FromDLDataType({6, 8, 1}), DType::kBool);        // kDLBool (DLPack >= 0.8)
  EXPECT_THROW(FromDLDataType({kDLComplex, 64, 1}), Error);
}

}  // namespace
}  // namespace mixnet
