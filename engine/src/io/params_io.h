// NDArray list files in Apache MXNet 1.x's format (".params", `mx.nd.save` / `mx.nd.load`), so
// that models exported by MXNet load here and files written here load in MXNet 1.9.1.
//
// File layout (little-endian):
//   uint64 0x112 (list magic), uint64 0 (reserved), uint64 count, count array records,
//   uint64 name count (0 for an unnamed list, else == count), names as uint64 length + bytes.
// Array records (one of):
//   V3 (magic 0xF993FACA, NumPy-shape semantics: ndim 0 is a 0-d array, -1 a "none" array),
//   V2 (magic 0xF993FAC9, MXNet's legacy-shape semantics: ndim 0 is a "none" array),
//   V1 (magic 0xF993FAC8, no storage type) and the magic-less original (first uint32 is ndim,
//   dims are uint32).
//   V2/V3: uint32 magic, int32 storage type (0 = dense), int32 ndim, int64 dims; if the shape is
//   known: int32 dev_type, int32 dev_id, int32 dtype flag, then the raw row-major data.
//
// Writing: V2 for every ordinary array (the layout of every MXNet model .params), V3 for 0-d
// arrays and arrays with a zero-size dimension, which V2 cannot express (MXNet 1.9.1 reads such a
// file in NumPy-shape mode, where it accepts both record versions).
//
// Reading is bounded: every count, length, ndim, dimension, dtype and device code is checked
// against what remains of the input before it is used, so a truncated or corrupt file fails with
// a ValueError naming the source, the record and the problem, and never triggers an allocation
// larger than the input. Arrays are always loaded onto the CPU (as a CPU-only MXNet does).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ndarray/ndarray.h"

namespace mixnet::io {

// The list magic at the start of every file, and the record magics.
inline constexpr uint64_t kListMagic = 0x112;
inline constexpr uint32_t kRecordV1Magic = 0xF993FAC8u;
inline constexpr uint32_t kRecordV2Magic = 0xF993FAC9u;
inline constexpr uint32_t kRecordV3Magic = 0xF993FACAu;
// Largest ndim accepted when reading (NumPy's historical NPY_MAXDIMS); also a sanity bound that
// tells a magic-less legacy record from garbage.
inline constexpr int kMaxLoadNdim = 32;

struct NamedArrays {
  std::vector<NDArray> arrays;
  std::vector<std::string> names;  // empty for an unnamed list, else one per array
};

// Serialises arrays (and names: empty, or exactly one per array) into a byte string. Waits for
// pending writes to each array before reading it. A "none" array is written as a shape-only
// record, as MXNet does.
std::string SaveToBuffer(std::span<const NDArray> arrays, std::span<const std::string> names);

// Writes the same bytes to `path`: into a temporary file in the same directory, flushed and
// synced, then renamed over `path`. On any failure the temporary file is removed and an
// existing file at `path` is left untouched. IOError naming the path and the system error.
// (A symlink at `path` is replaced by the new file, not written through.)
void SaveToFile(const std::string& path, std::span<const NDArray> arrays,
                std::span<const std::string> names);

// Parses a list from memory. `source` names the input in error messages.
NamedArrays LoadFromBuffer(const void* data, size_t size, std::string_view source = "<buffer>");

// Reads a list from a file, streaming record data straight into the arrays (the file is not
// held in memory twice). NotFound for a missing file, IOError for unreadable ones.
NamedArrays LoadFromFile(const std::string& path);

}  // namespace mixnet::io
