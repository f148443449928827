// .params reading and writing, checked against files written by Apache MXNet 1.9.1
// (shared/fixtures/mxnet-1.9.1: ndlist*.params with exact values in ndlist.json, mlp-0000.params).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "io/params_io.h"
#include "json_lite.h"
#include "test_util.h"

namespace mixnet {
namespace {

namespace fs = std::filesystem;
using io::LoadFromBuffer;
using io::LoadFromFile;
using io::SaveToBuffer;
using io::SaveToFile;
using test::Array;
using test::Values;

std::string Fixture(const std::string& name) { return std::string(MIXNET_FIXTURES_DIR) + "/" + name; }

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const test::json::Value& NdlistJson() {
  static const test::json::Value v = test::json::ParseFile(Fixture("ndlist.json"));
  return v;
}

// IEEE binary16 bits -> double, written out here so float16 checks do not depend on the
// engine's own conversion.
double HalfBitsToDouble(uint16_t h) {
  const int sign = h >> 15, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  double mag;
  if (exp == 0) mag = std::ldexp(frac, -24);
  else if (exp == 31) mag = frac ? NAN : INFINITY;
  else mag = std::ldexp(1024 + frac, exp - 25);
  return sign ? -mag : mag;
}

// Raw bytes of an array, read after its pending writes.
std::string RawBytes(const NDArray& a) {
  a.WaitToRead();
  return std::string(static_cast<const char*>(a.data()), a.nbytes());
}

// Compares an array with a {dtype, shape, data} record of ndlist.json: dtype and shape exactly,
// values exactly (the JSON holds each float32/float16 value as the exact double it widens to, so
// float32 compares after a cast and float16 through HalfBitsToDouble, bit for bit).
void ExpectMatchesJson(const NDArray& a, const test::json::Value& e, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_FALSE(a.is_none());
  EXPECT_EQ(std::string(DTypeName(a.dtype())), e["dtype"].text);
  std::vector<int64_t> shape;
  for (const auto& d : e["shape"].items) shape.push_back(d.AsInt64());
  EXPECT_EQ(a.shape(), Shape(shape.begin(), shape.end())) << a.shape();
  const auto& data = e["data"].items;
  ASSERT_EQ(static_cast<size_t>(a.Size()), data.size());
  a.WaitToRead();
  const void* p = a.data();
  for (size_t i = 0; i < data.size(); ++i) {
    SCOPED_TRACE("element " + std::to_string(i));
    switch (a.dtype()) {
      case DType::kFloat32:
        EXPECT_EQ(static_cast<const float*>(p)[i], static_cast<float>(data[i].AsDouble()));
        break;
      case DType::kFloat64:
        EXPECT_EQ(static_cast<const double*>(p)[i], data[i].AsDouble());
        break;
      case DType::kFloat16:
        EXPECT_EQ(HalfBitsToDouble(static_cast<const uint16_t*>(p)[i]), data[i].AsDouble());
        break;
      case DType::kInt64:
        EXPECT_EQ(static_cast<const int64_t*>(p)[i], data[i].AsInt64());
        break;
      case DType::kInt32:
        EXPECT_EQ(static_cast<const int32_t*>(p)[i], data[i].AsInt64());
        break;
      case DType::kInt8:
        EXPECT_EQ(static_cast<const int8_t*>(p)[i], data[i].AsInt64());
        break;
      case DType::kUint8:
        EXPECT_EQ(static_cast<const uint8_t*>(p)[i], data[i].AsInt64());
        break;
      default: FAIL() << "unexpected dtype " << DTypeName(a.dtype());
    }
  }
}

// Loads a fixture and checks it against ndlist.json entries "<prefix>/<name or index>".
void CheckFixture(const std::string& file, const std::string& prefix, bool named) {
  const io::NamedArrays list = LoadFromFile(Fixture(file));
  const auto& json = NdlistJson();
  std::vector<std::string> keys;
  for (const auto& [k, v] : json.members) {
    if (k.rfind(prefix + "/", 0) == 0) keys.push_back(k.substr(prefix.size() + 1));
  }
  ASSERT_EQ(list.arrays.size(), keys.size()) << file;
  if (named) {
    ASSERT_EQ(list.names, keys) << file;  // MXNet keeps the dict's insertion order
  } else {
    EXPECT_TRUE(list.names.empty()) << file;
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    ExpectMatchesJson(list.arrays[i], json[prefix + "/" + keys[i]], file + ": " + keys[i]);
  }
}

TEST(ParamsIOFixtures, NumpyShapeDictMatchesJson) { CheckFixture("ndlist.params", "dict", true); }
TEST(ParamsIOFixtures, NumpyShapeListMatchesJson) { CheckFixture("ndlist-list.params", "list", false); }
TEST(ParamsIOFixtures, LegacyDictMatchesJson) { CheckFixture("ndlist-legacy.params", "legacy", true); }
TEST(ParamsIOFixtures, LegacyListMatchesJson) {
  CheckFixture("ndlist-legacy-list.params", "legacy-list", false);
}

// A few values written out by hand, independent of the JSON reader.
TEST(ParamsIOFixtures, HandCheckedValues) {
  const io::NamedArrays list = LoadFromFile(Fixture("ndlist.params"));
  auto find = [&](const std::string& name) {
    for (size_t i = 0; i < list.names.size(); ++i) {
      if (list.names[i] == name) return list.arrays[i];
    }
    ADD_FAILURE() << "no array named " << name;
    return NDArray();
  };
  EXPECT_EQ(Values<int64_t>(find("i64")),
            (std::vector<int64_t>{-4611686018427387904LL, -1, 0, 1, 4611686018427387907LL}));
  EXPECT_EQ(Values<int8_t>(find("i8")), (std::vector<int8_t>{-128, -1, 0, 1, 64, 127}));
  const NDArray f16 = find("f16");
  ASSERT_EQ(f16.dtype(), DType::kFloat16);
  f16.WaitToRead();
  EXPECT_EQ(static_cast<const uint16_t*>(f16.data())[0], 0x3A58);  // 0.79296875
  const NDArray scalar = find("scalar_f32");
  EXPECT_EQ(scalar.shape().ndim(), 0);
  EXPECT_EQ(Values<float>(scalar), std::vector<float>{3.25f});
  const NDArray scalar_i64 = find("scalar_i64");
  EXPECT_EQ(scalar_i64.shape().ndim(), 0);
  EXPECT_EQ(Values<int64_t>(scalar_i64), std::vector<int64_t>{-7});
  const NDArray empty = find("empty_f32");
  EXPECT_EQ(empty.shape(), Shape({0, 3}));
  EXPECT_EQ(empty.Size(), 0);
  EXPECT_EQ(find("f32").ctx(), Context::CPU());
}

TEST(ParamsIOFixtures, GluonExportedModelParams) {
  const io::NamedArrays list = LoadFromFile(Fixture("mlp-0000.params"));
  ASSERT_EQ(list.names, (std::vector<std::string>{
                            "arg:hybridsequential0_dense0_weight", "arg:hybridsequential0_dense0_bias",
                            "arg:hybridsequential0_dense1_weight", "arg:hybridsequential0_dense1_bias"}));
  EXPECT_EQ(list.arrays[0].shape(), Shape({64, 20}));
  EXPECT_EQ(list.arrays[1].shape(), Shape({64}));
  EXPECT_EQ(list.arrays[2].shape(), Shape({10, 64}));
  EXPECT_EQ(list.arrays[3].shape(), Shape({10}));
  for (const auto& a : list.arrays) EXPECT_EQ(a.dtype(), DType::kFloat32);
}

// What we write for ordinary arrays is byte for byte what MXNet 1.9.1 wrote (V2 records).
TEST(ParamsIOWrite, V2OutputIsByteIdenticalToMXNet) {
  for (const char* file : {"ndlist-legacy.params", "ndlist-legacy-list.params", "mlp-0000.params"}) {
    SCOPED_TRACE(file);
    const std::string original = ReadBytes(Fixture(file));
    const io::NamedArrays list = LoadFromBuffer(original.data(), original.size());
    const std::string ours = SaveToBuffer(list.arrays, list.names);
    EXPECT_EQ(ours.size(), original.size());
    EXPECT_TRUE(ours == original) << "re-saved bytes differ from MXNet's";
  }
}

// ndlist.params is all V3 (MXNet in NumPy-shape mode). We write V3 only for the 0-d and empty
// arrays; with the V2 magic of the others swapped for V3 the bytes must equal MXNet's exactly.
TEST(ParamsIOWrite, DegenerateArraysUseV3LikeMXNet) {
  for (const char* file : {"ndlist.params", "ndlist-list.params"}) {
    SCOPED_TRACE(file);
    const std::string original = ReadBytes(Fixture(file));
    const io::NamedArrays list = LoadFromBuffer(original.data(), original.size());
    std::string ours = SaveToBuffer(list.arrays, list.names);
    ASSERT_EQ(ours.size(), original.size());
    // Walk our records to find each magic (layouts of V2 and V3 are identical past the magic).
    size_t pos = 24, v2 = 0, v3 = 0;
    for (const NDArray& a : list.arrays) {
      uint32_t magic;
      std::memcpy(&magic, ours.data() + pos, 4);
      const bool degenerate = a.shape().ndim() == 0 || a.Size() == 0;
      EXPECT_EQ(magic, degenerate ? io::kRecordV3Magic : io::kRecordV2Magic) << a.shape();
      if (magic == io::kRecordV2Magic) {
        const uint32_t v3magic = io::kRecordV3Magic;
        std::memcpy(ours.data() + pos, &v3magic, 4);
        ++v2;
      } else {
        ++v3;
      }
      pos += 4 + 4 + 4 + 8 * a.shape().ndim() + 12 + a.nbytes();
    }
    EXPECT_GT(v2, 0u);
    EXPECT_GT(v3, 0u);
    EXPECT_TRUE(ours == original);
  }
}

// Every dtype, including the degenerate shapes, survives save -> load through memory and files.
TEST(ParamsIOWrite, RoundTripEveryDtype) {
  std::vector<NDArray> arrays;
  arrays.push_back(Array<float>({2, 3}, {1.5f, -2.f, 0.f, 3.25f, -0.f, 1e-30f}));
  arrays.push_back(Array<double>({3}, {1.0 / 3, -1e300, 2.5}));
  arrays.push_back(Array<half_t>({2}, {half_t(0.5f), half_t(-65504.f)}));
  arrays.push_back(Array<bf16_t>({1, 2}, {bf16_t(3.0f), bf16_t(-0.125f)}));
  arrays.push_back(Array<uint8_t>({4}, {0, 1, 200, 255}));
  arrays.push_back(Array<int8_t>({2, 1, 2}, {-128, 127, 0, -1}));
  arrays.push_back(Array<int32_t>({2}, {INT32_MIN, INT32_MAX}));
  arrays.push_back(Array<int64_t>({2}, {INT64_MIN, INT64_MAX}));
  arrays.push_back(Array<bool>({3}, {true, false, true}));
  arrays.push_back(Array<float>({}, {42.f}));                   // 0-d
  arrays.push_back(NDArray(Shape({2, 0, 4}), Context::CPU(), DType::kInt64));  // empty
  arrays.push_back(Array<bool>({}, {true}));  // 0-d bool
  std::vector<std::string> names;
  for (size_t i = 0; i < arrays.size(); ++i) names.push_back("arg:p" + std::to_string(i));

  const fs::path dir = fs::temp_directory_path() / ("mixnet_params_rt_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  struct Cleanup {
    fs::path p;
    ~Cleanup() { fs::remove_all(p); }
  } cleanup{dir};
  const std::string path = (dir / "all.params").string();
  SaveToFile(path, arrays, names);
  const std::string buffer = SaveToBuffer(arrays, names);
  EXPECT_TRUE(ReadBytes(path) == buffer) << "file and buffer forms differ";

  for (const io::NamedArrays& back :
       {LoadFromFile(path), LoadFromBuffer(buffer.data(), buffer.size())}) {
    EXPECT_EQ(back.names, names);
    ASSERT_EQ(back.arrays.size(), arrays.size());
    for (size_t i = 0; i < arrays.size(); ++i) {
      SCOPED_TRACE(names[i]);
      EXPECT_EQ(back.arrays[i].dtype(), arrays[i].dtype());
      EXPECT_EQ(back.arrays[i].shape(), arrays[i].shape());
      EXPECT_TRUE(RawBytes(back.arrays[i]) == RawBytes(arrays[i]));
    }
  }
  // Unnamed list.
  const std::string unnamed = SaveToBuffer(arrays, {});
  const io::NamedArrays back = LoadFromBuffer(unnamed.data(), unnamed.size());
  EXPECT_TRUE(back.names.empty());
  EXPECT_EQ(back.arrays.size(), arrays.size());
  // Only the file itself is left in the directory (no temporary files).
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(ParamsIOWrite, SavesViewsAndEmptyList) {
  const NDArray base = Array<int32_t>({3, 2}, {1, 2, 3, 4, 5, 6});
  const NDArray rows[] = {base.Slice(1, 3), base.At(0)};
  const std::string bytes = SaveToBuffer(rows, {});
  const io::NamedArrays back = LoadFromBuffer(bytes.data(), bytes.size());
  EXPECT_EQ(Values<int32_t>(back.arrays[0]), (std::vector<int32_t>{3, 4, 5, 6}));
  EXPECT_EQ(back.arrays[0].shape(), Shape({2, 2}));
  EXPECT_EQ(Values<int32_t>(back.arrays[1]), (std::vector<int32_t>{1, 2}));

  const std::string empty = SaveToBuffer({}, {});
  EXPECT_EQ(empty.size(), 32u);  // header, reserved, count 0, name count 0
  EXPECT_TRUE(LoadFromBuffer(empty.data(), empty.size()).arrays.empty());
}

// A none array is written as MXNet 1.9.1 does (V2, ndim -1) and read back as none.
TEST(ParamsIOWrite, NoneArrayRoundTrip) {
  const NDArray arrays[] = {NDArray(), Array<float>({1}, {7.f})};
  const std::string bytes = SaveToBuffer(arrays, {});
  const io::NamedArrays back = LoadFromBuffer(bytes.data(), bytes.size());
  ASSERT_EQ(back.arrays.size(), 2u);
  EXPECT_TRUE(back.arrays[0].is_none());
  EXPECT_EQ(Values<float>(back.arrays[1]), std::vector<float>{7.f});
}

TEST(ParamsIOWrite, NameCountMismatchIsRejected) {
  const NDArray arrays[] = {Array<float>({1}, {1.f}), Array<float>({1}, {2.f})};
  const std::string one_name[] = {"a"};
  try {
    SaveToBuffer(arrays, one_name);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kValueError);
    EXPECT_NE(std::string(e.what()).find("1 names for 2 arrays"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mixnet
