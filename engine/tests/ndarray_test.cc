// NDArray core: creation, copies, views and their ordering with the engine, chunk lifetime,
// async errors, contexts and dtypes (half/bfloat16 conversions included).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <future>
#include <limits>
#include <thread>
#include <vector>

#include "common/dtype.h"
#include "common/error.h"
#include "engine/engine.h"
#include "ndarray/context.h"
#include "ndarray/ndarray.h"
#include "ndarray/storage.h"
#include "test_util.h"

namespace mixnet {
namespace {

using test::Array;
using test::Values;

using test::Catch;
using test::Contains;

// ---- creation and copies -------------------------------------------------------------------

TEST(NDArray, CopyRoundTripKeepsValuesShapeAndDtype) {
  NDArray a = Array<float>({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(a.shape(), Shape({2, 3}));
  EXPECT_EQ(a.dtype(), DType::kFloat32);
  EXPECT_EQ(a.Size(), 6);
  EXPECT_EQ(a.nbytes(), 24u);
  EXPECT_EQ(a.ctx(), Context::CPU());
  EXPECT_EQ(Values<float>(a), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  NDArray b = Array<int64_t>({3}, {-1, 1LL << 40, 7});
  EXPECT_EQ(Values<int64_t>(b), (std::vector<int64_t>{-1, 1LL << 40, 7}));
  NDArray c = Array<uint8_t>({2}, {0, 255});
  EXPECT_EQ(Values<uint8_t>(c), (std::vector<uint8_t>{0, 255}));
}

TEST(NDArray, DataIsAlignedForEveryDtype) {
  for (DType t : {DType::kFloat32, DType::kFloat64, DType::kFloat16, DType::kBfloat16,
                  DType::kUint8, DType::kInt8, DType::kInt32, DType::kInt64, DType::kBool}) {
    NDArray a(Shape{5}, Context::CPU(), t);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(a.data()) % 64, 0u) << DTypeName(t);
    EXPECT_EQ(a.nbytes(), 5 * DTypeSize(t));
  }
}

TEST(NDArray, NoneArrayHasNoStorage) {
  NDArray none;
  EXPECT_TRUE(none.is_none());
  EXPECT_EQ(none.data(), nullptr);
  none.WaitToRead();  // nothing to wait for
  float x = 0;
  Error e = Catch([&] { none.SyncCopyFromCPU(&x, 1); });
  EXPECT_EQ(e.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(e, "none")) << e.what();
}

TEST(NDArray, SyncCopySizeMismatchIsAValueError) {
  NDArray a(Shape{2, 3}, Context::CPU(), DType::kFloat32);
  std::vector<float> buf(5);
  Error from = Catch([&] { a.SyncCopyFromCPU(buf.data(), buf.size()); });
  EXPECT_EQ(from.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(from, "SyncCopyFromCPU")) << from.what();
  EXPECT_TRUE(Contains(from, "5")) << from.what();
  EXPECT_TRUE(Contains(from, "(2, 3)")) << from.what();
  Error to = Catch([&] { a.SyncCopyToCPU(buf.data(), buf.size()); });
  EXPECT_EQ(to.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(to, "SyncCopyToCPU")) << to.what();
}

TEST(NDArray, ZeroSizeArraysWork) {
  NDArray a(Shape{0, 3}, Context::CPU(), DType::kFloat32);
  EXPECT_EQ(a.Size(), 0);
  EXPECT_EQ(a.nbytes(), 0u);
  EXPECT_NE(a.data(), nullptr);
  a.SyncCopyFromCPU(nullptr, 0);
  a.SyncCopyToCPU(nullptr, 0);
  EXPECT_EQ(a.Reshape(Shape{3, 0}).shape(), Shape({3, 0}));
  NDArray s(Shape{}, Context::CPU(), DType::kInt32);  // 0-d: one element
  EXPECT_EQ(s.Size(), 1);
  const int32_t v = 42;
  s.SyncCopyFromCPU(&v, 1);
  EXPECT_EQ(Values<int32_t>(s), std::vector<int32_t>{42});
}

TEST(NDArray, BadShapesAndContextsAreRejected) {
  Error neg = Catch([] { NDArray(Shape{2, -1}, Context::CPU(), DType::kFloat32); });
  EXPECT_EQ(neg.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(neg, "(2, -1)")) << neg.what();
  Error huge = Catch([] {
    NDArray(Shape{1LL << 40, 1LL << 40}, Context::CPU(), DType::kFloat32);
  });
  EXPECT_EQ(huge.kind(), ErrorKind::kValueError);
  Error gpu = Catch([] { NDArray(Shape{2}, Context{Context::kGPU, 0}, DType::kFloat32); });
  EXPECT_EQ(gpu.kind(), ErrorKind::kNotImplemented);
  EXPECT_TRUE(Contains(gpu, "without GPU support")) << gpu.what();
  Error dtype = Catch([] { NDArray(Shape{2}, Context::CPU(), static_cast<DType>(9)); });
  EXPECT_EQ(dtype.kind(), ErrorKind::kTypeError);
}

// ---- views ----------------------------------------------------------------------------------

TEST(NDArray, SliceAtReshapeShareStorage) {
  NDArray base = Array<float>({4, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  NDArray rows = base.Slice(1, 3);
  EXPECT_EQ(rows.shape(), Shape({2, 2}));
  EXPECT_TRUE(rows.SharesStorageWith(base));
  EXPECT_EQ(rows.var(), base.var());
  EXPECT_EQ(rows.byte_offset(), 2 * sizeof(float));
  EXPECT_EQ(Values<float>(rows), (std::vector<float>{2, 3, 4, 5}));

  NDArray row = base.At(3);
  EXPECT_EQ(row.shape(), Shape({2}));
  EXPECT_EQ(Values<float>(row), (std::vector<float>{6, 7}));
  NDArray elem = row.At(1);  // 1-d -> 0-d
  EXPECT_EQ(elem.shape().ndim(), 0);
  EXPECT_EQ(Values<float>(elem), std::vector<float>{7});

  NDArray flat = base.Reshape(Shape{8});
  EXPECT_TRUE(flat.SharesStorageWith(base));
  EXPECT_EQ(Values<float>(flat), (std::vector<float>{0, 1, 2, 3, 4, 5, 6, 7}));
  // A reshaped slice keeps the slice's offset.
  EXPECT_EQ(Values<float>(rows.Reshape(Shape{4})), (std::vector<float>{2, 3, 4, 5}));
  EXPECT_EQ(base.Slice(2, 2).Size(), 0);
}

TEST(NDArray, WriteThroughViewIsSeenByBase) {
  NDArray base = Array<float>({3, 2}, {0, 0, 0, 0, 0, 0});
  NDArray mid = base.Slice(1, 2);
  const std::vector<float> v{8, 9};
  mid.SyncCopyFromCPU(v.data(), v.size());
  EXPECT_EQ(Values<float>(base), (std::vector<float>{0, 0, 8, 9, 0, 0}));
}

TEST(NDArray, AsyncWriteThroughViewIsOrderedBeforeReadOfBase) {
  NDArray base = Array<int32_t>({4}, {0, 0, 0, 0});
  NDArray tail = base.Slice(2, 4);
  int32_t* p = static_cast<int32_t*>(tail.data());
  // A slow async writer on the view; reading the base must wait for it (same variable).
  engine::Engine::Get()->Push(
      [p](const engine::RunContext&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        p[0] = 5;
        p[1] = 6;
      },
      {}, std::vector<engine::VarHandle>{tail.var()}, {.name = "slow_write"});
  EXPECT_EQ(Values<int32_t>(base), (std::vector<int32_t>{0, 0, 5, 6}));
}

TEST(NDArray, ViewBoundsAreChecked) {
  NDArray a(Shape{3, 2}, Context::CPU(), DType::kFloat32);
  Error s1 = Catch([&] { a.Slice(2, 1); });
  EXPECT_EQ(s1.kind(), ErrorKind::kIndexError);
  EXPECT_TRUE(Contains(s1, "[2, 1)")) << s1.what();
  Error s2 = Catch([&] { a.Slice(0, 4); });
  EXPECT_EQ(s2.kind(), ErrorKind::kIndexError);
  EXPECT_TRUE(Contains(s2, "size 3")) << s2.what();
  EXPECT_EQ(Catch([&] { a.Slice(-1, 2); }).kind(), ErrorKind::kIndexError);
  Error at = Catch([&] { a.At(3); });
  EXPECT_EQ(at.kind(), ErrorKind::kIndexError);
  EXPECT_TRUE(Contains(at, "index 3")) << at.what();
  EXPECT_EQ(Catch([&] { a.At(-1); }).kind(), ErrorKind::kIndexError);
  NDArray scalar(Shape{}, Context::CPU(), DType::kFloat32);
  EXPECT_EQ(Catch([&] { scalar.At(0); }).kind(), ErrorKind::kIndexError);
  EXPECT_EQ(Catch([&] { scalar.Slice(0, 1); }).kind(), ErrorKind::kIndexError);
  Error r = Catch([&] { a.Reshape(Shape{4}); });
  EXPECT_EQ(r.kind(), ErrorKind::kValueError);
  EXPECT_TRUE(Contains(r, "(3, 2)") && Contains(r, "(4,)")) << r.what();
  EXPECT_EQ(Catch([&] { a.Reshape(Shape{-2, -3}); }).kind(), ErrorKind::kValueError);
}

// ---- lifetime --------------------------------------------------------------------------------

TEST(NDArray, ChunkMemoryOutlivesPendingOps) {
  std::promise<void> gate;
  std::shared_future<void> opened = gate.get_future().share();
  std::vector<float> seen(1024, -1.f);
  {
    NDArray a(Shape{1024}, Context::CPU(), DType::kFloat32);
    std::vector<float> ones(1024, 1.f);
    a.SyncCopyFromCPU(ones.data(), ones.size());
    const float* p = static_cast<const float*>(a.data());
    engine::Engine::Get()->Push(
        [p, opened, &seen](const engine::RunContext&) {
          // Blocks until the array has been dropped and its size class churned (a synchronous
          // engine runs this inside Push: the timeout keeps that case from deadlocking).
          opened.wait_for(std::chrono::seconds(5));
          std::memcpy(seen.data(), p, seen.size() * sizeof(float));
        },
        std::vector<engine::VarHandle>{a.var()}, {}, {.name = "slow_reader"});
  }  // `a` is gone; its memory must stay until slow_reader has run
  // If the memory had been released, these same-size arrays would reuse it and overwrite it.
  std::vector<NDArray> churn;
  std::vector<float> twos(1024, 2.f);
  for (int i = 0; i < 4; ++i) {
    churn.emplace_back(Shape{1024}, Context::CPU(), DType::kFloat32);
    churn.back().SyncCopyFromCPU(twos.data(), twos.size());
  }
  gate.set_value();
  engine::Engine::Get()->WaitForAll();
  EXPECT_EQ(seen, std::vector<float>(1024, 1.f));
}

TEST(NDArray, DroppedArrayReturnsItsMemoryOnceOpsFinish) {
  engine::Engine::Get()->WaitForAll();
  Storage* s = Storage::Get();
  const size_t used0 = s->used_bytes();
  {
    NDArray a(Shape{1 << 18}, Context::CPU(), DType::kFloat32);
    NDArray view = a.Slice(0, 10);
    a = NDArray();
    // The view still holds the chunk.
    engine::Engine::Get()->WaitForAll();
    EXPECT_GE(s->used_bytes(), used0 + (size_t{1} << 20));
  }
  engine::Engine::Get()->WaitForAll();
  EXPECT_EQ(s->used_bytes(), used0);
}

TEST(NDArray, ExternalMemoryIsReleasedOnceAfterLastUse) {
  std::atomic<int> released{0};
  std::vector<double> host{1.5, 2.5, 3.5};
  {
    NDArray a = NDArray::FromExternal(host.data(), Shape{3}, DType::kFloat64, Context::CPU(),
                                      [&released] { released.fetch_add(1); });
    EXPECT_EQ(a.data(), host.data());
    EXPECT_EQ(Values<double>(a), host);
    NDArray v = a.Slice(1, 3);
    a = NDArray();
    engine::Engine::Get()->WaitForAll();
    EXPECT_EQ(released.load(), 0);
    EXPECT_EQ(Values<double>(v), (std::vector<double>{2.5, 3.5}));
  }
  engine::Engine::Get()->WaitForAll();
  EXPECT_EQ(released.load(), 1);
  Error e = Catch([] {
    NDArray::FromExternal(nullptr, Shape{2}, DType::kFloat32, Context::CPU(), nullptr);
  });
  EXPECT_EQ(e.kind(), ErrorKind::kValueError);
}

// ---- async errors ------------------------------------------------------------------------------

TEST(NDArray, AsyncErrorSurfacesAtWaitAndEngineKeepsWorking) {
  NDArray a = Array<float>({2}, {1, 2});
  engine::Engine::Get()->Push(
      [](const engine::RunContext&) {
        MX_THROW(IndexError) << "failing_op (inputs: (2,) float32): index 9 is out of range";
      },
      {}, std::vector<engine::VarHandle>{a.var()}, {.name = "failing_op"});
  Error e = Catch([&] { a.WaitToRead(); });
  EXPECT_EQ(e.kind(), ErrorKind::kIndexError);
  EXPECT_TRUE(Contains(e, "failing_op (inputs: (2,) float32)")) << e.what();
  // Reading the failed array keeps reporting the failure ...
  std::vector<float> out(2);
  EXPECT_EQ(Catch([&] { a.SyncCopyToCPU(out.data(), 2); }).kind(), ErrorKind::kIndexError);
  // ... until it is overwritten; the engine and other arrays are unaffected.
  const std::vector<float> fresh{7, 8};
  a.SyncCopyFromCPU(fresh.data(), fresh.size());
  EXPECT_EQ(Values<float>(a), fresh);
  NDArray b = Array<float>({1}, {3});
  EXPECT_EQ(Values<float>(b), std::vector<float>{3});
  try {
    engine::Engine::Get()->WaitForAll();
  } catch (const Error&) {
    // WaitForAll may report the failure once more if no sync point had claimed it; fine.
  }
}

TEST(NDArray, FailedArrayStillFreesItsMemory) {
  engine::Engine::Get()->WaitForAll();
  Storage* s = Storage::Get();
  const size_t used0 = s->used_bytes();
  {
    NDArray a(Shape{1 << 16}, Context::CPU(), DType::kFloat32);
    engine::Engine::Get()->Push(
        [](const engine::RunContext&) { MX_THROW(ValueError) << "boom"; }, {},
        std::vector<engine::VarHandle>{a.var()}, {.name = "boom"});
  }
  EXPECT_THROW(engine::Engine::Get()->WaitForAll(), Error);
  EXPECT_EQ(s->used_bytes(), used0);
}

// ---- contexts -------------------------------------------------------------------------------

TEST(NDArrayContext, CodesAndNames) {
  EXPECT_EQ(Context::CPU().ToString(), "cpu(0)");
  EXPECT_EQ(Context::FromCodes(1, 2).ToString(), "cpu(2)");
  EXPECT_EQ(Context::FromCodes(3, 0).ToString(), "cpu_pinned(0)");
  EXPECT_EQ(Context::FromCodes(5, 1).ToString(), "cpu_shared(1)");
  EXPECT_EQ((Context{Context::kGPU, 1}).ToString(), "gpu(1)");
  Error gpu = Catch([] { Context::FromCodes(2, 0); });
  EXPECT_EQ(gpu.kind(), ErrorKind::kNotImplemented);
  EXPECT_TRUE(Contains(gpu, "mixnet was built without GPU support")) << gpu.what();
  EXPECT_EQ(Catch([] { Context::FromCodes(4, 0); }).kind(), ErrorKind::kValueError);
  EXPECT_EQ(Catch([] { Context::FromCodes(1, -1); }).kind(), ErrorKind::kValueError);
}

// ---- dtypes ------------------------------------------------------------------------------------

TEST(NDArrayDType, SizesNamesAndParsing) {
  const std::pair<DType, size_t> sizes[] = {
      {DType::kFloat32, 4}, {DType::kFloat64, 8}, {DType::kFloat16, 2}, {DType::kBfloat16, 2},
      {DType::kUint8, 1},   {DType::kInt8, 1},    {DType::kInt32, 4},   {DType::kInt64, 8},
      {DType::kBool, 1}};
  for (auto [t, size] : sizes) {
    EXPECT_EQ(DTypeSize(t), size) << DTypeName(t);
    EXPECT_EQ(ParseDType(DTypeName(t)), t);
    EXPECT_TRUE(IsValidDTypeCode(static_cast<int>(t)));
  }
  EXPECT_STREQ(DTypeName(DType::kBfloat16), "bfloat16");
  EXPECT_STREQ(DTypeName(DType::kInt64), "int64");
  EXPECT_EQ(ParseDType("float"), DType::kFloat32);
  EXPECT_EQ(ParseDType("double"), DType::kFloat64);
  EXPECT_EQ(ParseDType("half"), DType::kFloat16);
  Error e = Catch([] { ParseDType("float128"); });
  EXPECT_EQ(e.kind(), ErrorKind::kTypeError);
  EXPECT_TRUE(Contains(e, "float128")) << e.what();
  for (int bad : {-1, 8, 9, 10, 11, 13, 100}) EXPECT_FALSE(IsValidDTypeCode(bad)) << bad;
  EXPECT_TRUE(IsFloatingDType(DType::kFloat16));
  EXPECT_TRUE(IsFloatingDType(DType::kBfloat16));
  EXPECT_FALSE(IsFloatingDType(DType::kInt32));
  EXPECT_FALSE(IsFloatingDType(DType::kBool));
}

float FromBits(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

TEST(NDArrayDType, HalfFromFloatKnownBitPatterns) {
  EXPECT_EQ(half_t::FromFloat(1.0f), 0x3c00);
  EXPECT_EQ(half_t::FromFloat(-2.0f), 0xc000);
  EXPECT_EQ(half_t::FromFloat(0.0f), 0x0000);
  EXPECT_EQ(half_t::FromFloat(-0.0f), 0x8000);
  EXPECT_EQ(half_t::FromFloat(65504.0f), 0x7bff);  // largest finite half
  EXPECT_EQ(half_t::FromFloat(65519.0f), 0x7bff);  // below the midpoint: rounds down
  EXPECT_EQ(half_t::FromFloat(65520.0f), 0x7c00);  // midpoint, ties-to-even: infinity
  EXPECT_EQ(half_t::FromFloat(1e9f), 0x7c00);
  EXPECT_EQ(half_t::FromFloat(-1e9f), 0xfc00);
  EXPECT_EQ(half_t::FromFloat(std::numeric_limits<float>::infinity()), 0x7c00);
  EXPECT_EQ(half_t::FromFloat(6.103515625e-05f), 0x0400);   // smallest normal, 2^-14
  EXPECT_EQ(half_t::FromFloat(5.9604644775390625e-08f), 0x0001);  // smallest subnormal, 2^-24
  EXPECT_EQ(half_t::FromFloat(2.98023223876953125e-08f), 0x0000);  // 2^-25: tie -> even (0)
  EXPECT_EQ(half_t::FromFloat(FromBits(0x33000001u)), 0x0001);    // just above 2^-25
  EXPECT_EQ(half_t::FromFloat(8.940696716308594e-08f), 0x0002);   // 1.5 * 2^-24: tie -> even
  EXPECT_EQ(half_t::FromFloat(1e-10f), 0x0000);
  // Round to nearest even between 1 and 1 + 2^-10 (half's ulp at 1).
  EXPECT_EQ(half_t::FromFloat(1.0f + 0x1p-11f), 0x3c00);        // tie, 0x3c00 is even
  EXPECT_EQ(half_t::FromFloat(1.0f + 3 * 0x1p-11f), 0x3c02);    // tie, rounds up to even
  EXPECT_EQ(half_t::FromFloat(1.0f + 0x1p-11f + 0x1p-20f), 0x3c01);  // above the tie
  EXPECT_EQ(half_t::FromFloat(0.1f), 0x2e66);
  const uint16_t nan = half_t::FromFloat(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7c00, 0x7c00);
  EXPECT_NE(nan & 0x03ff, 0);
  const uint16_t snan = half_t::FromFloat(FromBits(0x7f800001u));  // payload only in low bits
  EXPECT_EQ(snan & 0x7c00, 0x7c00);
  EXPECT_NE(snan & 0x03ff, 0) << "a NaN must not turn into infinity";
}

TEST(NDArrayDType, HalfToFloatKnownBitPatterns) {
  EXPECT_EQ(half_t::ToFloat(0x3c00), 1.0f);
  EXPECT_EQ(half_t::ToFloat(0xc000), -2.0f);
  EXPECT_EQ(half_t::ToFloat(0x7bff), 65504.0f);
  EXPECT_EQ(half_t::ToFloat(0x0001), 5.9604644775390625e-08f);
  EXPECT_EQ(half_t::ToFloat(0x03ff), 6.097555160522461e-05f);  // largest subnormal
  EXPECT_EQ(half_t::ToFloat(0x0400), 6.103515625e-05f);
  EXPECT_EQ(half_t::ToFloat(0x7c00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(half_t::ToFloat(0xfc00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::signbit(half_t::ToFloat(0x8000)));
  EXPECT_TRUE(std::isnan(half_t::ToFloat(0x7e00)));
  EXPECT_TRUE(std::isnan(half_t::ToFloat(0x7c01)));
  // Every finite half survives float -> half exactly.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00) continue;
    ASSERT_EQ(half_t::FromFloat(half_t::ToFloat(static_cast<uint16_t>(h))), h) << std::hex << h;
  }
  half_t x = 3.0f;  // the implicit conversions used by kernels
  EXPECT_EQ(x.bits, 0x4200);
  EXPECT_EQ(static_cast<float>(x) * 2, 6.0f);
}

TEST(NDArrayDType, Bfloat16KnownBitPatterns) {
  EXPECT_EQ(bf16_t::FromFloat(1.0f), 0x3f80);
  EXPECT_EQ(bf16_t::FromFloat(-2.0f), 0xc000);
  EXPECT_EQ(static_cast<float>(bf16_t(1.0f)), 1.0f);
  // 1 + 2^-8 is halfway between 1 and the next bf16 (1 + 2^-7): ties to even -> 1.
  EXPECT_EQ(bf16_t::FromFloat(1.0f + 0x1p-8f), 0x3f80);
  EXPECT_EQ(bf16_t::FromFloat(1.0f + 3 * 0x1p-8f), 0x3f82);
  EXPECT_EQ(bf16_t::FromFloat(std::numeric_limits<float>::infinity()), 0x7f80);
  EXPECT_TRUE(std::isnan(static_cast<float>(bf16_t(std::numeric_limits<float>::quiet_NaN()))));
  EXPECT_TRUE(std::isnan(static_cast<float>(bf16_t(FromBits(0x7f800001u)))));
}

}  // namespace
}  // namespace mixnet
