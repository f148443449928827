// Zero-copy exchange with other frameworks through DLPack 0.6 (DLManagedTensor).
//
// dtype mapping (DLPack 0.6 has no bool code):
//   float32/64/16 <-> {kDLFloat, 32/64/16}, bfloat16 <-> {kDLBfloat, 16},
//   int8/32/64 <-> {kDLInt, 8/32/64}, uint8 <-> {kDLUInt, 8}.
//   bool is exported as {kDLUInt, 8} (byte-compatible: one byte, 0 or 1), so every consumer can
//   read it; on import {kDLUInt, 8} is uint8 unless bool is explicitly requested. Two bool
//   encodings of other producers are imported as bool: {kDLUInt, 1} (Apache MXNet 1.x's export)
//   and code 6 with 8 bits (kDLBool of DLPack >= 0.8, e.g. NumPy). lanes must be 1.
#pragma once

#include <dlpack/dlpack.h>

#include <optional>

#include "ndarray/ndarray.h"

namespace mixnet {

// The DLPack dtype an array of `dtype` is exported with.
DLDataType ToDLDataType(DType dtype);
// The dtype a DLPack tensor of `t` is imported as; TypeError naming {code, bits, lanes} for a
// type mixnet cannot hold.
DType FromDLDataType(DLDataType t);

// Exports `array` without copying: waits for its pending writes (re-throwing their errors), then
// returns a tensor whose data points at the array's first element (byte_offset 0, strides NULL:
// compact row-major), on kDLCPU. The tensor keeps the array's storage alive until its deleter
// runs (call it exactly once). ValueError for a none array.
DLManagedTensor* ToDLPack(const NDArray& array);

// Imports a CPU, compact row-major tensor without copying. On success the returned array owns
// `tensor`: its deleter runs exactly once, when neither the array, its views nor a pending op use
// the memory any more. On failure (exception) ownership stays with the caller, who must still
// call the deleter. Errors: ValueError for null/ill-formed tensors, non-compact strides (naming
// them) and misaligned data; NotImplemented for non-CPU devices; TypeError for dtypes.
// `as_dtype` reinterprets {kDLUInt, 8} data as bool when kBool is given; any other value must
// match the tensor's own dtype.
NDArray FromDLPack(DLManagedTensor* tensor, std::optional<DType> as_dtype = std::nullopt);

}  // namespace mixnet
