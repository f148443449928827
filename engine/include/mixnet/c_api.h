/*
 * mixnet C ABI — the only public header of libmixnet.
 *
 * Conventions (every function):
 *   - returns 0 on success and -1 on failure; on failure MXGetLastError() holds a message that
 *     names what was wrong and MXGetLastErrorKind() its kind (MX_ERR_*). Both are thread-local.
 *   - results are written through out-parameters; out-pointers must not be NULL.
 *   - strings and arrays returned by the library stay valid until the next call on the same
 *     thread (copy them if you need them longer).
 *   - no C++ exception and no abort ever crosses this boundary; bad handles, shapes, dtypes, op
 *     names and parameters all come back as -1.
 * Names and signatures follow Apache MXNet 1.x's c_api.h where it had the function, so that
 * MXNet knowledge and tools carry over. New operators never add functions: they come from the
 * registry (MXListAllOpNames / MXGetRegistryJSON) and run through MXImperativeInvoke.
 */
#ifndef MIXNET_C_API_H_
#define MIXNET_C_API_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define MX_API __declspec(dllexport)
#else
#define MX_API __attribute__((visibility("default")))
#endif

/* 1.0.0 -> 10000, as MXNET_VERSION was major*10000 + minor*100 + patch. */
#define MIXNET_VERSION 100
/* Bumped whenever a function's signature or meaning changes. */
#define MIXNET_ABI_VERSION 1

typedef uint32_t mx_uint;
typedef int64_t dim_t;
/* Opaque handles. */
typedef struct MXNDArray* NDArrayHandle;
typedef const struct MXOp* OpHandle;
/* DLPack's DLManagedTensor (dlpack.h); declared opaquely so this header needs no dlpack.h. */
struct DLManagedTensor;

/* Error kinds (MXGetLastErrorKind). */
enum {
  MX_ERR_INTERNAL = 0,
  MX_ERR_VALUE = 1,
  MX_ERR_TYPE = 2,
  MX_ERR_INDEX = 3,
  MX_ERR_NOT_FOUND = 4,
  MX_ERR_NOT_IMPLEMENTED = 5,
  MX_ERR_IO = 6,
  MX_ERR_INVALID_HANDLE = 7
};

/* dtype codes (Apache MXNet 1.x type flags). */
enum {
  MX_FLOAT32 = 0, MX_FLOAT64 = 1, MX_FLOAT16 = 2, MX_UINT8 = 3, MX_INT32 = 4,
  MX_INT8 = 5, MX_INT64 = 6, MX_BOOL = 7, MX_BFLOAT16 = 12
};
/* device type codes. */
enum { MX_CPU = 1, MX_GPU = 2, MX_CPU_PINNED = 3 };

/* ---- errors and versions ------------------------------------------------------------------ */
/* Message of the last failed call on this thread ("" if none). Never fails. */
MX_API const char* MXGetLastError(void);
/* Kind (MX_ERR_*) of the last failed call on this thread. Never fails. */
MX_API int MXGetLastErrorKind(void);
MX_API int MXGetVersion(int* out);
MX_API int MXGetABIVersion(int* out);

/* ---- registry ----------------------------------------------------------------------------- */
/* Names of every registered op (aliases included). */
MX_API int MXListAllOpNames(mx_uint* out_size, const char*** out_array);
/* The whole operator registry as JSON, and its hash (the bindings compare it with the hash their
 * generated wrappers were made from). */
MX_API int MXGetRegistryJSON(const char** out_json, const char** out_hash);
/* Looks an op up by name or alias; MX_ERR_NOT_FOUND when unknown. Handles are never freed. */
MX_API int NNGetOpHandle(const char* op_name, OpHandle* out);

/* ---- NDArray ------------------------------------------------------------------------------ */
/* A "none" array: a placeholder with no storage (e.g. for outputs MXImperativeInvoke allocates). */
MX_API int MXNDArrayCreateNone(NDArrayHandle* out);
/* New uninitialised array. delay_alloc is accepted for MXNet compatibility. */
MX_API int MXNDArrayCreateEx(const mx_uint* shape, mx_uint ndim, int dev_type, int dev_id,
                             int delay_alloc, int dtype, NDArrayHandle* out);
/* Same with 64-bit dimensions (ndim may be 0 for a 0-d array). */
MX_API int MXNDArrayCreate64(const dim_t* shape, int ndim, int dev_type, int dev_id, int dtype,
                             NDArrayHandle* out);
/* Releases the handle; storage goes when no view and no pending op uses it. NULL is an error. */
MX_API int MXNDArrayFree(NDArrayHandle handle);
/* Shape as int dims (MXNet 1.x) / int64 dims. out_dim is -1 for a none array. */
MX_API int MXNDArrayGetShapeEx(NDArrayHandle handle, int* out_dim, const int** out_pdata);
MX_API int MXNDArrayGetShapeEx64(NDArrayHandle handle, int* out_dim, const dim_t** out_pdata);
MX_API int MXNDArrayGetDType(NDArrayHandle handle, int* out_dtype);
MX_API int MXNDArrayGetContext(NDArrayHandle handle, int* out_dev_type, int* out_dev_id);
/* Raw pointer to the first element (waits for pending writes first). */
MX_API int MXNDArrayGetData(NDArrayHandle handle, void** out_pdata);
/* Blocking copies; size is the number of elements and must equal the array's size. */
MX_API int MXNDArraySyncCopyFromCPU(NDArrayHandle handle, const void* data, size_t size);
MX_API int MXNDArraySyncCopyToCPU(NDArrayHandle handle, void* data, size_t size);
/* Sync points: re-throw (as -1) errors of async ops that produced this array. */
MX_API int MXNDArrayWaitToRead(NDArrayHandle handle);
MX_API int MXNDArrayWaitToWrite(NDArrayHandle handle);
MX_API int MXNDArrayWaitAll(void);
/* Views without copy: rows [begin, end) of axis 0; row idx; a new shape of equal size.
 * MXNDArrayReshape64 understands MXNet's special codes 0/-1/-2/-3/-4 (reverse: match from the
 * right). */
MX_API int MXNDArraySlice64(NDArrayHandle handle, dim_t begin, dim_t end, NDArrayHandle* out);
MX_API int MXNDArrayAt64(NDArrayHandle handle, dim_t idx, NDArrayHandle* out);
MX_API int MXNDArrayReshape64(NDArrayHandle handle, int ndim, const dim_t* dims, int reverse,
                              NDArrayHandle* out);
/* DLPack: export shares memory (waits for pending writes first); import takes ownership of
 * the managed tensor and calls its deleter when the array is freed. If import fails (-1), the
 * caller keeps ownership and must still call the deleter. */
MX_API int MXNDArrayToDLPack(NDArrayHandle handle, struct DLManagedTensor** out);
MX_API int MXNDArrayFromDLPack(struct DLManagedTensor* dlpack, NDArrayHandle* out);
MX_API int MXNDArrayCallDLPackDeleter(struct DLManagedTensor* dlpack);

/* ---- files (Apache MXNet 1.x .params format) ----------------------------------------------- */
/* Saves num_args arrays; keys may be NULL for an unnamed list. Written to a temporary file and
 * renamed, so a failure never leaves a half-written file behind. */
MX_API int MXNDArraySave(const char* fname, mx_uint num_args, NDArrayHandle* args,
                         const char** keys);
/* Loads a .params file (V1, V2 and V3 records). Validates every length and code before it
 * trusts it. out_arr handles are owned by the caller (free each with MXNDArrayFree). */
MX_API int MXNDArrayLoad(const char* fname, mx_uint* out_size, NDArrayHandle** out_arr,
                         mx_uint* out_name_size, const char*** out_names);
/* The same from/to memory. Save returns a buffer valid until the next call on this thread. */
MX_API int MXNDArraySaveToBuffer(mx_uint num_args, NDArrayHandle* args, const char** keys,
                                 size_t* out_size, const char** out_buf);
MX_API int MXNDArrayLoadFromBuffer(const void* buf, size_t size, mx_uint* out_size,
                                   NDArrayHandle** out_arr, mx_uint* out_name_size,
                                   const char*** out_names);

/* ---- running ops -------------------------------------------------------------------------- */
/* Runs op on inputs with MXNet-style string parameters. If *outputs is NULL the library allocates
 * the outputs and returns them in a thread-local array (valid until the next call; the handles
 * themselves belong to the caller); otherwise *num_outputs handles are written in place.
 * Shape/dtype/parameter errors fail here; errors inside the kernel surface at the next sync. */
MX_API int MXImperativeInvoke(OpHandle op, int num_inputs, NDArrayHandle* inputs,
                              int* num_outputs, NDArrayHandle** outputs, int num_params,
                              const char** param_keys, const char** param_vals);
/* ---- autograd (Apache MXNet 1.x mx.autograd) ---------------------------------------------- */
/* Per-thread modes. The setters return the previous mode in *prev. While recording, calls of
 * differentiable ops on marked variables (or on results of such calls) are recorded; the
 * training flag selects training behaviour (Dropout, BatchNorm) for every op call. */
MX_API int MXAutogradSetIsRecording(int is_recording, int* prev);
MX_API int MXAutogradSetIsTraining(int is_training, int* prev);
MX_API int MXAutogradIsRecording(bool* curr);
MX_API int MXAutogradIsTraining(bool* curr);
/* Marks arrays as variables whose gradient lands in grad_handles[i] (same shape and dtype) per
 * reqs_array[i]: 0 null, 1 write, 3 add (MXNet's grad_req codes). */
MX_API int MXAutogradMarkVariables(mx_uint num_var, NDArrayHandle* var_handles,
                                   mx_uint* reqs_array, NDArrayHandle* grad_handles);
/* Backward from num_output heads; ograd_handles may be NULL (or hold NULL entries) for ones.
 * With num_variables == 0 gradients land in the marked variables' buffers. Otherwise the
 * gradients of var_handles are returned as new handles in a thread-local array *grad_handles
 * (handles owned by the caller), *grad_stypes (all 0, dense) alongside; create_graph must be 0.
 * Without retain_graph the recorded graph is freed. The work is scheduled asynchronously;
 * kernel errors surface at the next sync point. */
MX_API int MXAutogradBackwardEx(mx_uint num_output, NDArrayHandle* output_handles,
                                NDArrayHandle* ograd_handles, mx_uint num_variables,
                                NDArrayHandle* var_handles, int retain_graph, int create_graph,
                                int is_train, NDArrayHandle** grad_handles, int** grad_stypes);
MX_API int MXAutogradBackward(mx_uint num_output, NDArrayHandle* output_handles,
                              NDArrayHandle* ograd_handles, int retain_graph);
/* The gradient buffer of a marked variable as a new handle, or *out = NULL when not marked. */
MX_API int MXNDArrayGetGrad(NDArrayHandle handle, NDArrayHandle* out);
/* A new handle sharing storage with `handle` but detached from the recorded graph. */
MX_API int MXNDArrayDetach(NDArrayHandle handle, NDArrayHandle* out);

/* Seeds every random generator of the library. */
MX_API int MXRandomSeed(int seed);
/* The random generator's whole state as text (valid until the next call on this thread); waits
 * for pending random ops. MXRandomSetState restores it (MX_ERR_VALUE for text it did not write). */
MX_API int MXRandomGetState(const char** out_state, size_t* out_len);
MX_API int MXRandomSetState(const char* state, size_t len);
/* Engine facts: worker threads and the intra-op thread budget. */
MX_API int MXEngineGetInfo(int* out_num_workers, int* out_num_threads);

#ifdef __cplusplus
}
#endif

#endif /* MIXNET_C_API_H_ */
