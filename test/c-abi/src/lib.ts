// Raw bindings of libmixnet's C ABI (engine/include/mixnet/c_api.h) through koffi, for tests that
// call the C functions exactly as a foreign caller would, bad arguments included.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';

const here = dirname(fileURLToPath(import.meta.url));
/** The library under test: MIXNET_LIB, else the lead build's output (scripts/build-engine.sh). */
export const libraryPath =
  process.env['MIXNET_LIB'] ?? resolve(here, '../../../build/engine/lib/libmixnet.so');

if (!existsSync(libraryPath)) {
  throw new Error(
    `libmixnet not found at ${libraryPath}: build the engine first (npx nx run engine:build) ` +
      'or point MIXNET_LIB at a libmixnet.so',
  );
}

const lib = koffi.load(libraryPath);

// Opaque handle types, so prototypes read like c_api.h.
koffi.pointer('NDArrayHandle', koffi.opaque('MXNDArray'));
koffi.pointer('OpHandle', koffi.opaque('MXOp'));

/** MX_ERR_* from c_api.h. */
export const ErrKind = {
  Internal: 0,
  Value: 1,
  Type: 2,
  Index: 3,
  NotFound: 4,
  NotImplemented: 5,
  IO: 6,
  InvalidHandle: 7,
} as const;

/** dtype and device codes from c_api.h. */
export const DType = { float32: 0, float64: 1, float16: 2, uint8: 3, int32: 4, int8: 5, int64: 6, bool: 7 } as const;
export const Dev = { cpu: 1, gpu: 2 } as const;

/** An NDArrayHandle as koffi hands it out (an opaque external pointer), or NULL. */
export type Handle = unknown;

// Each binding's type says what JS passes: koffi converts arrays, strings and typed arrays, and
// `[null]` boxes receive _Out_ values.
type Fn<A extends unknown[]> = (...args: A) => number;
type Box<T> = [T];

export const MXGetLastError = lib.func('const char *MXGetLastError(void)') as () => string;
export const MXGetLastErrorKind = lib.func('int MXGetLastErrorKind(void)') as () => number;
export const MXGetVersion = lib.func('int MXGetVersion(_Out_ int *out)') as Fn<[Box<number> | null]>;

export const NNGetOpHandle = lib.func(
  'int NNGetOpHandle(const char *op_name, _Out_ OpHandle *out)',
) as Fn<[string | null, Box<Handle> | null]>;

export const MXNDArrayCreateEx = lib.func(
  'int MXNDArrayCreateEx(const uint32_t *shape, uint32_t ndim, int dev_type, int dev_id, ' +
    'int delay_alloc, int dtype, _Out_ NDArrayHandle *out)',
) as Fn<[number[] | null, number, number, number, number, number, Box<Handle> | null]>;
export const MXNDArrayCreate64 = lib.func(
  'int MXNDArrayCreate64(const int64_t *shape, int ndim, int dev_type, int dev_id, int dtype, ' +
    '_Out_ NDArrayHandle *out)',
) as Fn<[number[] | null, number, number, number, number, Box<Handle> | null]>;
export const MXNDArrayFree = lib.func('int MXNDArrayFree(NDArrayHandle handle)') as Fn<[Handle]>;
export const MXNDArrayGetDType = lib.func(
  'int MXNDArrayGetDType(NDArrayHandle handle, _Out_ int *out)',
) as Fn<[Handle, Box<number> | null]>;
export const MXNDArrayGetShapeEx64 = lib.func(
  'int MXNDArrayGetShapeEx64(NDArrayHandle handle, _Out_ int *out_dim, _Out_ void **out_pdata)',
) as Fn<[Handle, Box<number>, Box<unknown>]>;
export const MXNDArraySyncCopyFromCPU = lib.func(
  'int MXNDArraySyncCopyFromCPU(NDArrayHandle handle, const void *data, size_t size)',
) as Fn<[Handle, ArrayBufferView | null, number]>;
export const MXNDArraySyncCopyToCPU = lib.func(
  'int MXNDArraySyncCopyToCPU(NDArrayHandle handle, void *data, size_t size)',
) as Fn<[Handle, ArrayBufferView | null, number]>;
export const MXNDArrayWaitAll = lib.func('int MXNDArrayWaitAll(void)') as Fn<[]>;

export const MXImperativeInvoke = lib.func(
  'int MXImperativeInvoke(OpHandle op, int num_inputs, NDArrayHandle *inputs, ' +
    '_Inout_ int *num_outputs, _Inout_ void **outputs, int num_params, ' +
    'const char **param_keys, const char **param_vals)',
) as Fn<[Handle, number, Handle[] | null, Box<number>, Box<unknown>, number, string[] | null, string[] | null]>;

export const MXNDArraySave = lib.func(
  'int MXNDArraySave(const char *fname, uint32_t num_args, NDArrayHandle *args, const char **keys)',
) as Fn<[string | null, number, Handle[] | null, string[] | null]>;
export const MXNDArrayLoad = lib.func(
  'int MXNDArrayLoad(const char *fname, _Out_ uint32_t *out_size, _Out_ void **out_arr, ' +
    '_Out_ uint32_t *out_name_size, _Out_ void **out_names)',
) as Fn<[string | null, Box<number> | null, Box<unknown> | null, Box<number> | null, Box<unknown> | null]>;
export const MXNDArraySaveToBuffer = lib.func(
  'int MXNDArraySaveToBuffer(uint32_t num_args, NDArrayHandle *args, const char **keys, ' +
    '_Out_ size_t *out_size, _Out_ void **out_buf)',
) as Fn<[number, Handle[] | null, string[] | null, Box<number> | null, Box<unknown> | null]>;
export const MXNDArrayLoadFromBuffer = lib.func(
  'int MXNDArrayLoadFromBuffer(const void *buf, size_t size, _Out_ uint32_t *out_size, ' +
    '_Out_ void **out_arr, _Out_ uint32_t *out_name_size, _Out_ void **out_names)',
) as Fn<[ArrayBufferView | null, number, Box<number> | null, Box<unknown> | null, Box<number> | null, Box<unknown> | null]>;

// DLPack 0.6 structs (dlpack.h), enough to read an exported tensor.
const DLDevice = koffi.struct('DLDevice', { device_type: 'int32_t', device_id: 'int32_t' });
const DLDataType = koffi.struct('DLDataType', { code: 'uint8_t', bits: 'uint8_t', lanes: 'uint16_t' });
const DLTensor = koffi.struct('DLTensor', {
  data: 'void *',
  device: DLDevice,
  ndim: 'int32_t',
  dtype: DLDataType,
  shape: 'void *',
  strides: 'void *',
  byte_offset: 'uint64_t',
});
export const DLManagedTensor = koffi.struct('DLManagedTensor', {
  dl_tensor: DLTensor,
  manager_ctx: 'void *',
  deleter: 'void *',
});
export interface DLManagedTensorValue {
  dl_tensor: {
    data: unknown;
    device: { device_type: number; device_id: number };
    ndim: number;
    dtype: { code: number; bits: number; lanes: number };
    shape: unknown;
    strides: unknown;
    byte_offset: number | bigint;
  };
  manager_ctx: unknown;
  deleter: unknown;
}

export const MXNDArrayToDLPack = lib.func(
  'int MXNDArrayToDLPack(NDArrayHandle handle, _Out_ void **out)',
) as Fn<[Handle, Box<unknown> | null]>;
export const MXNDArrayFromDLPack = lib.func(
  'int MXNDArrayFromDLPack(void *dlpack, _Out_ NDArrayHandle *out)',
) as Fn<[unknown, Box<Handle> | null]>;
export const MXNDArrayCallDLPackDeleter = lib.func(
  'int MXNDArrayCallDLPackDeleter(void *dlpack)',
) as Fn<[unknown]>;

// Autograd.
export const MXAutogradSetIsRecording = lib.func(
  'int MXAutogradSetIsRecording(int is_recording, _Out_ int *prev)',
) as Fn<[number, Box<number> | null]>;
export const MXAutogradSetIsTraining = lib.func(
  'int MXAutogradSetIsTraining(int is_training, _Out_ int *prev)',
) as Fn<[number, Box<number> | null]>;
export const MXAutogradIsRecording = lib.func('int MXAutogradIsRecording(_Out_ bool *curr)') as Fn<[Box<boolean> | null]>;
export const MXAutogradMarkVariables = lib.func(
  'int MXAutogradMarkVariables(uint32_t num_var, NDArrayHandle *var_handles, uint32_t *reqs_array, ' +
    'NDArrayHandle *grad_handles)',
) as Fn<[number, Handle[] | null, number[] | null, Handle[] | null]>;
export const MXAutogradBackwardEx = lib.func(
  'int MXAutogradBackwardEx(uint32_t num_output, NDArrayHandle *output_handles, NDArrayHandle *ograd_handles, ' +
    'uint32_t num_variables, NDArrayHandle *var_handles, int retain_graph, int create_graph, int is_train, ' +
    '_Out_ void **grad_handles, _Out_ void **grad_stypes)',
) as Fn<[number, Handle[] | null, Handle[] | null, number, Handle[] | null, number, number, number, Box<unknown> | null, Box<unknown> | null]>;
export const MXNDArrayGetGrad = lib.func(
  'int MXNDArrayGetGrad(NDArrayHandle handle, _Out_ NDArrayHandle *out)',
) as Fn<[Handle, Box<Handle> | null]>;
export const MXNDArrayDetach = lib.func(
  'int MXNDArrayDetach(NDArrayHandle handle, _Out_ NDArrayHandle *out)',
) as Fn<[Handle, Box<Handle> | null]>;

export { koffi };
