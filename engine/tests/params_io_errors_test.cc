// .params readers must reject truncated and corrupt input with a clear error (never crash, never
// allocate from a corrupt count), and a failed save must never damage an existing file.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "io/params_io.h"
#include "test_util.h"

namespace mixnet {
namespace {

namespace fs = std::filesystem;
using io::LoadFromBuffer;
using io::LoadFromFile;
using test::Array;
using test::Values;

std::string Fixture(const std::string& name) { return std::string(MIXNET_FIXTURES_DIR) + "/" + name; }

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A fresh directory under the system temp dir, removed at scope exit.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag) {
    path = fs::temp_directory_path() /
           ("mixnet_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  size_t Entries() const {
    return static_cast<size_t>(std::distance(fs::directory_iterator(path), fs::directory_iterator()));
  }
  static inline int counter = 0;
};

// Builds a .params image field by field (little-endian like the host).
struct Bytes {
  std::string s;
  template <typename T>
  Bytes& Put(T v) {
    s.append(reinterpret_cast<const char*>(&v), sizeof(T));
    return *this;
  }
  Bytes& Header(uint64_t count) { return Put<uint64_t>(0x112).Put<uint64_t>(0).Put<uint64_t>(count); }
  // A dense V2/V3 record header up to (not including) the context.
  Bytes& Record(uint32_t magic, std::vector<int64_t> dims, int32_t stype = 0) {
    Put<uint32_t>(magic).Put<int32_t>(stype).Put<int32_t>(static_cast<int32_t>(dims.size()));
    for (int64_t d : dims) Put<int64_t>(d);
    return *this;
  }
  Bytes& Body(int32_t dtype, int32_t dev_type = 1, int32_t dev_id = 0) {
    return Put<int32_t>(dev_type).Put<int32_t>(dev_id).Put<int32_t>(dtype);
  }
  Bytes& Floats(std::vector<float> v) {
    for (float f : v) Put<float>(f);
    return *this;
  }
  Bytes& NoNames() { return Put<uint64_t>(0); }
};

// Loads `bytes` and expects an Error of `kind` whose message contains every fragment.
void ExpectLoadError(const std::string& bytes, ErrorKind kind,
                     std::initializer_list<std::string> fragments) {
  try {
    LoadFromBuffer(bytes.data(), bytes.size(), "bad.params");
    ADD_FAILURE() << "expected an error containing '" << *fragments.begin() << "'";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    const std::string msg = e.what();
    EXPECT_NE(msg.find("bad.params"), std::string::npos) << msg;
    for (const auto& f : fragments) EXPECT_NE(msg.find(f), std::string::npos) << "'" << f << "' not in: " << msg;
  }
}

io::NamedArrays Load(const std::string& bytes) { return LoadFromBuffer(bytes.data(), bytes.size()); }

TEST(ParamsIOCorrupt, TruncatedAtEveryOffset) {
  const std::string file = ReadBytes(Fixture("ndlist-list.params"));  // 6 records, no names
  ASSERT_GT(file.size(), 100u);
  for (size_t n = 0; n < file.size(); ++n) {
    SCOPED_TRACE("prefix of " + std::to_string(n) + " bytes");
    try {
      LoadFromBuffer(file.data(), n, "trunc.params");
      ADD_FAILURE() << "a truncated file loaded";
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_EQ(e.kind(), ErrorKind::kValueError) << msg;
      EXPECT_NE(msg.find("trunc.params"), std::string::npos) << msg;
      EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
      // Past the point where 6 records could still fit, the failing record is named.
      if (n >= 24 + 6 * 4 && n < file.size() - 8) {
        EXPECT_NE(msg.find("record "), std::string::npos) << msg;
        EXPECT_NE(msg.find("of 6"), std::string::npos) << msg;
      }
    }
  }
}

TEST(ParamsIOCorrupt, TruncatedFilesNameTheFile) {
  const std::string file = ReadBytes(Fixture("ndlist.params"));
  TempDir dir("trunc");
  const std::string path = (dir.path / "cut.params").string();
  for (size_t n = 0; n < file.size(); n += 37) {
    WriteBytes(path, file.substr(0, n));
    try {
      LoadFromFile(path);
      ADD_FAILURE() << "a truncated file loaded (" << n << " bytes)";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kValueError) << e.what();
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
}

// Flipping any bit of a real file either still loads or fails with a mixnet::Error.
TEST(ParamsIOCorrupt, BitFlipsNeverCrash) {
  const std::string file = ReadBytes(Fixture("ndlist.params"));
  int failures = 0;
  for (size_t byte = 0; byte < file.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = file;
      bad[byte] = static_cast<char>(bad[byte] ^ (1 << bit));
      try {
        Load(bad);
        EXPECT_FALSE(byte < 8) << "a corrupt list magic loaded";
      } catch (const Error& e) {
        ++failures;
        EXPECT_FALSE(byte >= 8 && byte < 16) << "the reserved field is ignored: " << e.what();
      } catch (const std::exception& e) {
        ADD_FAILURE() << "byte " << byte << " bit " << bit << ": non-mixnet exception " << e.what();
      }
    }
  }
  EXPECT_GT(failures, 64);
}

TEST(ParamsIOCorrupt, HeaderAndCounts) {
  ExpectLoadError(Bytes().Put<uint64_t>(0x113).Put<uint64_t>(0).Put<uint64_t>(0).NoNames().s,
                  ErrorKind::kValueError, {"not an NDArray list file", "0x113"});
  // A count that would reserve exabytes is refused before anything is allocated.
  ExpectLoadError(Bytes().Header(1ull << 62).NoNames().s, ErrorKind::kValueError,
                  {"array count 4611686018427387904"});
  ExpectLoadError(Bytes().Header(1).Put<uint32_t>(0xDEADBEEF).Put<uint64_t>(0).s,
                  ErrorKind::kValueError, {"record 0 (0-based) of 1", "unknown record magic 0xdeadbeef"});
  // Names: a count that is neither 0 nor the array count; a length past the end.
  Bytes two;
  two.Header(2);
  for (int i = 0; i < 2; ++i) two.Record(io::kRecordV2Magic, {1}).Body(0).Floats({1.f});
  ExpectLoadError(Bytes(two).Put<uint64_t>(1).Put<uint64_t>(1).Put<char>('a').s,
                  ErrorKind::kValueError, {"name count 1", "array count 2"});
  ExpectLoadError(Bytes(two).Put<uint64_t>(2).Put<uint64_t>(1ull << 40).s, ErrorKind::kValueError,
                  {"name 0", "length 1099511627776"});
}

TEST(ParamsIOCorrupt, RecordFields) {
  auto one = [](Bytes b) { return b.s; };
  ExpectLoadError(one(Bytes().Header(1).Record(io::kRecordV2Magic, {2}, /*stype=*/1)),
                  ErrorKind::kNotImplemented, {"row_sparse"});
  ExpectLoadError(one(Bytes().Header(1).Record(io::kRecordV2Magic, {2}, /*stype=*/2)),
                  ErrorKind::kNotImplemented, {"csr"});
  ExpectLoadError(one(Bytes().Header(1).Record(io::kRecordV2Magic, {2}, /*stype=*/7)),
                  ErrorKind::kValueError, {"storage type 7"});
  ExpectLoadError(one(Bytes().Header(1).Put<uint32_t>(io::kRecordV2Magic).Put<int32_t>(0)
                          .Put<int32_t>(1000).Put<uint64_t>(0)),
                  ErrorKind::kValueError, {"ndim 1000"});
  ExpectLoadError(one(Bytes().Header(1).Put<uint32_t>(io::kRecordV3Magic).Put<int32_t>(0)
                          .Put<int32_t>(-5).Put<uint64_t>(0)),
                  ErrorKind::kValueError, {"ndim -5"});
  ExpectLoadError(one(Bytes().Header(1).Record(io::kRecordV2Magic, {3, -7}).Body(0)),
                  ErrorKind::kValueError, {"dimension -7"});
  ExpectLoadError(one(Bytes().Header(1).Record(io::kRecordV2Magic, {1 << 20, 1 << 20}).Body(0).Floats({1.f})),
                  ErrorKind::kValueError, {"truncated", "4398046511104 bytes"});
  ExpectLoadError(one(Bytes().Header(1).Record(io::kRecordV2Magic, {1ll << 40, 1ll << 40, 1ll << 40})
                          .Body(0)),
                  ErrorKind::kValueError, {"overflows"});
  ExpectLoadError(one(Bytes().Header(1).Record(io::kRecordV2Magic, {1}).Body(0, /*dev_type=*/9)),
                  ErrorKind::kValueError, {"device type code 9"});
  ExpectLoadError(one(Bytes().Header(1).Record(io::kRecordV2Magic, {1}).Body(0, 1, /*dev_id=*/-1)),
                  ErrorKind::kValueError, {"device id -1"});
  ExpectLoadError(one(Bytes().Header(1).Record(io::kRecordV2Magic, {1}).Body(/*dtype=*/99)),
                  ErrorKind::kValueError, {"dtype flag 99"});
  ExpectLoadError(one(Bytes().Header(1).Record(io::kRecordV2Magic, {1}).Body(/*dtype=*/8)),
                  ErrorKind::kNotImplemented, {"int16"});
}

// The record versions MXNet never writes any more, and the "none" encodings.
TEST(ParamsIOCorrupt, LegacyRecordVersionsAndNone) {
  // Magic-less original: uint32 ndim, uint32 dims.
  Bytes v0;
  v0.Header(1).Put<uint32_t>(2).Put<uint32_t>(1).Put<uint32_t>(2).Body(0).Floats({1.5f, -2.f}).NoNames();
  io::NamedArrays l = Load(v0.s);
  EXPECT_EQ(l.arrays.at(0).shape(), Shape({1, 2}));
  EXPECT_EQ(Values<float>(l.arrays[0]), (std::vector<float>{1.5f, -2.f}));
  // V1: magic, uint32 ndim, int64 dims, no storage type.
  Bytes v1;
  v1.Header(1).Put<uint32_t>(io::kRecordV1Magic).Put<uint32_t>(1).Put<int64_t>(3);
  v1.Body(6).Put<int64_t>(-1).Put<int64_t>(0).Put<int64_t>(1ll << 40).NoNames();
  l = Load(v1.s);
  EXPECT_EQ(Values<int64_t>(l.arrays.at(0)), (std::vector<int64_t>{-1, 0, 1ll << 40}));
  // None encodings: V2 ndim 0, V2/V3 ndim -1, an unknown (-1) dimension; V3 ndim 0 is 0-d.
  Bytes none;
  none.Header(5).Record(io::kRecordV2Magic, {});
  none.Put<uint32_t>(io::kRecordV2Magic).Put<int32_t>(0).Put<int32_t>(-1);
  none.Put<uint32_t>(io::kRecordV3Magic).Put<int32_t>(0).Put<int32_t>(-1);
  none.Record(io::kRecordV3Magic, {2, -1});
  none.Record(io::kRecordV3Magic, {}).Body(0).Floats({9.f}).NoNames();
  l = Load(none.s);
  ASSERT_EQ(l.arrays.size(), 5u);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(l.arrays[i].is_none()) << i;
  EXPECT_EQ(l.arrays[4].shape().ndim(), 0);
  EXPECT_EQ(Values<float>(l.arrays[4]), std::vector<float>{9.f});
}

TEST(ParamsIOCorrupt, GpuRecordsLoadOntoCpuAndBoolsAreNormalised) {
  Bytes b;
  b.Header(2).Record(io::kRecordV2Magic, {2}).Body(0, /*dev_type=*/2, /*dev_id=*/1).Floats({1.f, 2.f});
  b.Record(io::kRecordV2Magic, {3}).Body(/*bool*/ 7).Put<uint8_t>(0).Put<uint8_t>(1).Put<uint8_t>(2);
  b.NoNames();
  const io::NamedArrays l = Load(b.s);
  EXPECT_EQ(l.arrays[0].ctx(), Context::CPU());
  EXPECT_EQ(Values<float>(l.arrays[0]), (std::vector<float>{1.f, 2.f}));
  l.arrays[1].WaitToRead();
  const auto* p = static_cast<const uint8_t*>(l.arrays[1].data());
  EXPECT_EQ(std::vector<uint8_t>(p, p + 3), (std::vector<uint8_t>{0, 1, 1}));
}

TEST(ParamsIOFiles, MissingAndUnreadableFiles) {
  TempDir dir("files");
  const std::string missing = (dir.path / "nope.params").string();
  try {
    LoadFromFile(missing);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kNotFound);
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }
  try {
    LoadFromFile(dir.path.string());
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIOError) << e.what();
  }
}

TEST(ParamsIOFiles, SaveToUnwritablePathsFailsCleanly) {
  TempDir dir("unwritable");
  const NDArray arrays[] = {Array<float>({2}, {1.f, 2.f})};
  const std::string in_missing_dir = (dir.path / "no" / "such" / "x.params").string();
  try {
    io::SaveToFile(in_missing_dir, arrays, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIOError);
    EXPECT_NE(std::string(e.what()).find(in_missing_dir), std::string::npos) << e.what();
  }
  // The target is a directory: the rename is refused, the directory and its parent are unchanged.
  fs::create_directory(dir.path / "sub");
  try {
    io::SaveToFile((dir.path / "sub").string(), arrays, {});
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIOError) << e.what();
  }
  EXPECT_TRUE(fs::is_directory(dir.path / "sub"));
  EXPECT_EQ(dir.Entries(), 1u) << "a temporary file was left behind";
}

// A failure in the middle of writing (an input whose pending op failed) leaves the old file.
TEST(ParamsIOFiles, FailedSaveKeepsExistingFile) {
  TempDir dir("keep");
  const std::string path = (dir.path / "model.params").string();
  WriteBytes(path, "old content");
  const NDArray good = Array<float>({1000}, std::vector<float>(1000, 1.f));
  const NDArray bad(Shape({4}), Context::CPU(), DType::kFloat32);
  const engine::VarHandle writes[] = {bad.var()};
  engine::Engine::Get()->Push(
      [](const engine::RunContext&) { MX_THROW(ValueError) << "injected failure"; }, {}, writes,
      engine::PushOptions{.name = "inject"});
  const NDArray arrays[] = {good, bad};
  try {
    io::SaveToFile(path, arrays, {});
    FAIL() << "save succeeded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("injected failure"), std::string::npos) << e.what();
  }
  EXPECT_EQ(ReadBytes(path), "old content");
  EXPECT_EQ(dir.Entries(), 1u) << "a temporary file was left behind";
  // A successful save then replaces it.
  io::SaveToFile(path, std::span<const NDArray>(arrays, 1), {});
  EXPECT_EQ(LoadFromFile(path).arrays.size(), 1u);
  EXPECT_EQ(dir.Entries(), 1u);
}

// A full disk (simulated with RLIMIT_FSIZE) fails the save with IOError and keeps the old file.
TEST(ParamsIOFiles, DiskFullKeepsExistingFile) {
  TempDir dir("full");
  const std::string path = (dir.path / "model.params").string();
  WriteBytes(path, "old content");
  const NDArray big = Array<float>({1 << 16}, std::vector<float>(1 << 16, 3.f));  // 256 KiB
  rlimit old_limit{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);  // get EFBIG instead of being killed
  rlimit small = old_limit;
  small.rlim_cur = 4096;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  bool threw = false;
  std::string msg;
  try {
    io::SaveToFile(path, std::span<const NDArray>(&big, 1), {});
  } catch (const Error& e) {
    threw = true;
    msg = e.what();
    EXPECT_EQ(e.kind(), ErrorKind::kIOError) << msg;
  }
  setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_TRUE(threw);
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_EQ(ReadBytes(path), "old content");
  EXPECT_EQ(dir.Entries(), 1u) << "a temporary file was left behind";
}

}  // namespace
}  // namespace mixnet
