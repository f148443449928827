// .params reader and writer. See params_io.h for the format; the byte plumbing (memory/file
// sources and sinks, the atomic temp-file-and-rename) lives in byte_stream.{h,cc}.
#include "io/params_io.h"

#include <bit>
#include <cstring>
#include <limits>
#include <sstream>

#include "io/byte_stream.h"

namespace mixnet::io {

static_assert(std::endian::native == std::endian::little,
              ".params files are little-endian; this reader copies fields byte for byte");

namespace {

// MXNet's storage-type codes (only dense arrays are supported).
const char* StorageTypeName(int32_t stype) {
  switch (stype) {
    case 1: return "row_sparse";
    case 2: return "csr";
    default: return nullptr;
  }
}

// MXNet type flags that name real dtypes this build does not implement.
const char* UnsupportedDTypeName(int32_t flag) {
  switch (flag) {
    case 8: return "int16";
    case 9: return "uint16";
    case 10: return "uint32";
    case 11: return "uint64";
    default: return nullptr;
  }
}

bool IsKnownDevType(int32_t dev_type) {
  return dev_type == Context::kCPU || dev_type == Context::kGPU ||
         dev_type == Context::kCPUPinned || dev_type == Context::kCPUShared;
}

std::string Hex(uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

// Parses one list. Every read goes through Read<T>/ReadBytes, which check the remaining input
// first; every count is checked against the remaining input before anything is reserved.
class ListReader {
 public:
  ListReader(ByteSource& src, std::string_view source) : src_(src), source_(source) {}

  NamedArrays ReadList() {
    NamedArrays out;
    const auto magic = Read<uint64_t>("the list magic");
    if (magic != kListMagic) {
      MX_THROW(ValueError) << Where() << "not an NDArray list file: starts with " << Hex(magic)
                           << ", expected " << Hex(kListMagic);
    }
    Read<uint64_t>("the reserved field");  // MXNet writes 0 and never checks it
    const auto count = Read<uint64_t>("the array count");
    // The smallest record (a magic-less legacy "none" array) is 4 bytes.
    if (count > src_.remaining() / 4) {
      MX_THROW(ValueError) << Where() << "truncated or corrupt file: array count " << count
                           << " but only " << src_.remaining()
                           << " bytes remain (a record takes at least 4)";
    }
    count_ = count;
    out.arrays.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
      record_ = static_cast<int64_t>(i);
      out.arrays.push_back(ReadRecord());
    }
    record_ = -1;
    const auto name_count = Read<uint64_t>("the name count");
    if (name_count != 0 && name_count != count) {
      MX_THROW(ValueError) << Where() << "corrupt name count " << name_count
                           << ": must be 0 or equal the array count " << count;
    }
    out.names.reserve(name_count);
    for (uint64_t i = 0; i < name_count; ++i) {
      const auto len = Read<uint64_t>("a name length");
      if (len > src_.remaining()) {
        MX_THROW(ValueError) << Where() << "truncated or corrupt name " << i << ": length " << len
                             << " but only " << src_.remaining() << " bytes remain";
      }
      std::string name(len, '\0');
      src_.Read(name.data(), len);
      out.names.push_back(std::move(name));
    }
    // Trailing bytes are ignored, as MXNet does.
    return out;
  }

 private:
  // "'model.params': record 3 (0-based) of 10, byte offset 1234: "
  std::string Where() const {
    std::ostringstream os;
    os << source_ << ": ";
    if (record_ >= 0) os << "record " << record_ << " (0-based) of " << count_ << ", ";
    os << "byte offset " << src_.pos() << ": ";
    return os.str();
  }

  void Need(uint64_t n, const char* what) {
    if (src_.remaining() < n) {
      MX_THROW(ValueError) << Where() << "truncated file: " << what << " needs " << n
                           << " bytes but only " << src_.remaining() << " remain";
    }
  }

  template <typename T>
  T Read(const char* what) {
    Need(sizeof(T), what);
    T v;
    src_.Read(&v, sizeof(T));
    return v;
  }

  NDArray ReadRecord() {
    const auto magic = Read<uint32_t>("the record magic");
    switch (magic) {
      case kRecordV3Magic: return ReadV2V3(/*numpy_shape=*/true);
      case kRecordV2Magic: return ReadV2V3(/*numpy_shape=*/false);
      case kRecordV1Magic: return ReadV1();
      default: return ReadMagicless(magic);
    }
  }

  // V2/V3: storage type, int32 ndim, int64 dims, then the body when the shape is known.
  NDArray ReadV2V3(bool numpy_shape) {
    const auto stype = Read<int32_t>("the storage type");
    if (stype != 0) {
      if (const char* name = StorageTypeName(stype)) {
        MX_THROW(NotImplemented) << Where() << "storage type " << name << " (" << stype
                                 << ") is not supported; only dense arrays can be loaded";
      }
      MX_THROW(ValueError) << Where() << "corrupt storage type " << stype;
    }
    const auto ndim = Read<int32_t>("ndim");
    // -1: a "none" array (MXNet 1.6+ writes this for an array without storage).
    if (ndim == -1) return NDArray();
    CheckNdim(ndim);
    // Legacy-shape semantics: ndim 0 meant "no shape", i.e. a none array, and nothing follows.
    if (ndim == 0 && !numpy_shape) return NDArray();
    Need(8ull * ndim, "the dimensions");
    std::vector<int64_t> dims(ndim);
    src_.Read(dims.data(), 8ull * ndim);
    for (int64_t d : dims) {
      // -1 is MXNet's "unknown" dimension: the array is none and no body follows.
      if (d == -1) return NDArray();
      if (d < 0) {
        MX_THROW(ValueError) << Where() << "corrupt dimension " << d << " in shape "
                             << Shape(dims.begin(), dims.end());
      }
    }
    // A zero-size dimension in a V2 record is read as an empty array (as MXNet before 1.6 and
    // MXNet in NumPy-shape mode do), not as "unknown".
    return ReadBody(Shape(dims.begin(), dims.end()));
  }

  // V1: no storage type; uint32 ndim, int64 dims.
  NDArray ReadV1() {
    const auto ndim = Read<uint32_t>("ndim");
    if (ndim == 0) return NDArray();
    CheckNdim(ndim);
    Need(8ull * ndim, "the dimensions");
    std::vector<int64_t> dims(ndim);
    src_.Read(dims.data(), 8ull * ndim);
    for (int64_t d : dims) {
      if (d < 0) {
        MX_THROW(ValueError) << Where() << "corrupt dimension " << d << " in shape "
                             << Shape(dims.begin(), dims.end());
      }
    }
    return ReadBody(Shape(dims.begin(), dims.end()));
  }

  // The original layout: the first uint32 was ndim itself, dims were uint32.
  NDArray ReadMagicless(uint32_t ndim) {
    if (ndim > static_cast<uint32_t>(kMaxLoadNdim)) {
      MX_THROW(ValueError) << Where() << "corrupt record: unknown record magic " << Hex(ndim)
                           << " (expected " << Hex(kRecordV2Magic) << " or "
                           << Hex(kRecordV3Magic) << ", or a legacy ndim <= " << kMaxLoadNdim
                           << ")";
    }
    if (ndim == 0) return NDArray();
    Need(4ull * ndim, "the dimensions");
    std::vector<uint32_t> dims32(ndim);
    src_.Read(dims32.data(), 4ull * ndim);
    return ReadBody(Shape(dims32.begin(), dims32.end()));
  }

  void CheckNdim(int64_t ndim) {
    if (ndim < 0 || ndim > kMaxLoadNdim) {
      MX_THROW(ValueError) << Where() << "corrupt ndim " << ndim << " (must be between 0 and "
                           << kMaxLoadNdim << ")";
    }
  }

  // Context, dtype flag and data.
  NDArray ReadBody(const Shape& shape) {
    const auto dev_type = Read<int32_t>("the device type");
    const auto dev_id = Read<int32_t>("the device id");
    if (!IsKnownDevType(dev_type)) {
      MX_THROW(ValueError) << Where() << "corrupt device type code " << dev_type;
    }
    if (dev_id < 0) MX_THROW(ValueError) << Where() << "corrupt device id " << dev_id;
    // Arrays saved from a GPU are loaded onto the CPU, as a CPU-only MXNet does.
    const auto flag = Read<int32_t>("the dtype flag");
    if (!IsValidDTypeCode(flag)) {
      if (const char* name = UnsupportedDTypeName(flag)) {
        MX_THROW(NotImplemented) << Where() << "dtype " << name << " (type flag " << flag
                                 << ") is not supported";
      }
      MX_THROW(ValueError) << Where() << "corrupt dtype flag " << flag;
    }
    const auto dtype = static_cast<DType>(flag);
    const uint64_t nbytes = CheckedByteSize(shape, dtype);
    if (nbytes > src_.remaining()) {
      MX_THROW(ValueError) << Where() << "truncated file: the data of a " << DTypeName(dtype)
                           << " array of shape " << shape << " needs " << nbytes
                           << " bytes but only " << src_.remaining() << " remain";
    }
    NDArray arr(shape, Context::CPU(), dtype);
    if (nbytes == 0) return arr;
    arr.WaitToWrite();  // a fresh array: nothing pending, but keep the engine's contract
    src_.Read(arr.data(), nbytes);
    if (dtype == DType::kBool) {
      // A bool must be 0 or 1 for C++; any other byte from a file means true.
      auto* p = static_cast<uint8_t*>(arr.data());
      for (uint64_t i = 0; i < nbytes; ++i) p[i] = p[i] != 0;
    }
    return arr;
  }

  // Element count x element size, refusing overflow (a corrupt shape must not wrap around to a
  // small size that then passes the remaining-bytes check).
  uint64_t CheckedByteSize(const Shape& shape, DType dtype) {
    for (int64_t d : shape.dims()) {
      if (d == 0) return 0;
    }
    uint64_t n = DTypeSize(dtype);
    for (int64_t d : shape.dims()) {
      if (__builtin_mul_overflow(n, static_cast<uint64_t>(d), &n) ||
          n > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        MX_THROW(ValueError) << Where() << "corrupt shape " << shape << ": its size overflows";
      }
    }
    return n;
  }

  ByteSource& src_;
  std::string source_;
  int64_t record_ = -1;
  uint64_t count_ = 0;
};

// Writes one list. Fields are written as raw little-endian bytes (checked at compile time).
class ListWriter {
 public:
  explicit ListWriter(ByteSink& sink) : sink_(sink) {}

  void WriteList(std::span<const NDArray> arrays, std::span<const std::string> names) {
    Put<uint64_t>(kListMagic);
    Put<uint64_t>(0);
    Put<uint64_t>(arrays.size());
    for (const NDArray& a : arrays) WriteRecord(a);
    Put<uint64_t>(names.size());
    for (const std::string& name : names) {
      Put<uint64_t>(name.size());
      sink_.Write(name.data(), name.size());
    }
  }

 private:
  template <typename T>
  void Put(T v) {
    sink_.Write(&v, sizeof(T));
  }

  void WriteRecord(const NDArray& a) {
    if (a.is_none()) {
      // MXNet 1.9.1's own encoding of a none array; it reads it back as none in both shape modes.
      Put<uint32_t>(kRecordV2Magic);
      Put<int32_t>(0);
      Put<int32_t>(-1);
      return;
    }
    const Shape& shape = a.shape();
    // V2 cannot express 0-d arrays (ndim 0 means "none" there) or zero-size dimensions (0 means
    // "unknown" to MXNet 1.9.1's legacy-shape reader); those take V3, as MXNet writes them.
    const bool numpy_only = shape.ndim() == 0 || shape.Size() == 0;
    Put<uint32_t>(numpy_only ? kRecordV3Magic : kRecordV2Magic);
    Put<int32_t>(0);  // dense storage
    Put<int32_t>(shape.ndim());
    for (int64_t d : shape.dims()) Put<int64_t>(d);
    const Context ctx = a.ctx();
    Put<int32_t>(static_cast<int32_t>(ctx.dev_type));
    Put<int32_t>(ctx.dev_id);
    Put<int32_t>(static_cast<int32_t>(a.dtype()));
    a.WaitToRead();  // pending writes land first; re-throws their errors
    sink_.Write(a.data(), a.nbytes());
  }

  ByteSink& sink_;
};

void CheckNames(std::span<const NDArray> arrays, std::span<const std::string> names,
                std::string_view what) {
  if (!names.empty() && names.size() != arrays.size()) {
    MX_THROW(ValueError) << what << ": got " << names.size() << " names for " << arrays.size()
                         << " arrays (pass no names, or one per array)";
  }
}

}  // namespace

std::string SaveToBuffer(std::span<const NDArray> arrays, std::span<const std::string> names) {
  CheckNames(arrays, names, "save");
  StringSink sink;
  ListWriter(sink).WriteList(arrays, names);
  return std::move(sink.str);
}

void SaveToFile(const std::string& path, std::span<const NDArray> arrays,
                std::span<const std::string> names) {
  CheckNames(arrays, names, "save '" + path + "'");
  WriteFileAtomically(path, [&](ByteSink& sink) { ListWriter(sink).WriteList(arrays, names); });
}

NamedArrays LoadFromBuffer(const void* data, size_t size, std::string_view source) {
  MX_CHECK(data != nullptr || size == 0, ValueError) << source << ": null buffer of size " << size;
  MemorySource src(data, size);
  return ListReader(src, source).ReadList();
}

NamedArrays LoadFromFile(const std::string& path) {
  FileSource src(path);
  return ListReader(src, "load '" + path + "'").ReadList();
}

}  // namespace mixnet::io
