// The raw C ABI used correctly: arrays in and out, an op, .params round trips, DLPack.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { float32Array, free, invoke, ok, readFloat32, shapeOf } from '../src/helpers.js';
import {
  DLManagedTensor,
  type DLManagedTensorValue,
  DType,
  type Handle,
  MXGetVersion,
  MXNDArrayCallDLPackDeleter,
  MXNDArrayFromDLPack,
  MXNDArrayGetDType,
  MXNDArrayLoad,
  MXNDArrayLoadFromBuffer,
  MXNDArraySave,
  MXNDArraySaveToBuffer,
  MXNDArrayToDLPack,
  koffi,
} from '../src/lib.js';

const dir = mkdtempSync(join(tmpdir(), 'mixnet-c-abi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Decodes an (out_size, out_arr, out_name_size, out_names) result of the load functions. */
function loaded(size: [number], arr: [unknown], nnames: [number], names: [unknown]) {
  return {
    handles: size[0] ? (koffi.decode(arr[0], koffi.array('NDArrayHandle', size[0])) as Handle[]) : [],
    // An array of C strings (decode(ptr, 'const char *', n) would read one string of n chars).
    names: nnames[0]
      ? (koffi.decode(names[0], koffi.array('const char *', nnames[0], 'Array')) as string[])
      : [],
  };
}

describe('C ABI happy path', () => {
  it('reports a version', () => {
    const v: [number] = [0];
    ok(MXGetVersion(v));
    expect(v[0]).toBeGreaterThan(0);
  });

  it('creates, copies in, runs broadcast_add and copies out', () => {
    const a = float32Array([2, 3], [1, 2, 3, 4, 5, 6]);
    const b = float32Array([1, 3], [10, 20, 30]);
    const [c] = invoke('broadcast_add', [a, b]);
    expect(shapeOf(c)).toEqual([2, 3]);
    expect(readFloat32(c, 6)).toEqual([11, 22, 33, 14, 25, 36]);
    const dtype: [number] = [-1];
    ok(MXNDArrayGetDType(c, dtype));
    expect(dtype[0]).toBe(DType.float32);
    free(a, b, c);
  });

  it('saves and loads a named list through a file and a buffer', () => {
    const w = float32Array([2, 2], [0.5, -1, 2, 3.25]);
    const bias = float32Array([2], [7, -7]);
    const path = join(dir, 'model.params');
    ok(MXNDArraySave(path, 2, [w, bias], ['arg:w', 'arg:b']));
    const file = readFileSync(path);
    expect(file.readBigUInt64LE(0)).toBe(0x112n);  // MXNet's list magic
    expect(file.readUInt32LE(24)).toBe(0xf993fac9);  // V2 record, as MXNet writes

    const size: [number] = [0], arr: [unknown] = [null], nn: [number] = [0], nm: [unknown] = [null];
    ok(MXNDArrayLoad(path, size, arr, nn, nm));
    const fromFile = loaded(size, arr, nn, nm);
    expect(fromFile.names).toEqual(['arg:w', 'arg:b']);
    expect(shapeOf(fromFile.handles[0])).toEqual([2, 2]);
    expect(readFloat32(fromFile.handles[0], 4)).toEqual([0.5, -1, 2, 3.25]);
    expect(readFloat32(fromFile.handles[1], 2)).toEqual([7, -7]);

    const bufSize: [number] = [0], buf: [unknown] = [null];
    ok(MXNDArraySaveToBuffer(2, [w, bias], null, bufSize, buf));
    const bytes = new Uint8Array(koffi.view(buf[0], Number(bufSize[0])).slice(0));
    // Same layout as the file, minus the names (an unnamed list ends with a zero name count).
    expect(bytes.length).toBe(file.length - (8 + 5) - (8 + 5));
    ok(MXNDArrayLoadFromBuffer(bytes, bytes.length, size, arr, nn, nm));
    const fromBuffer = loaded(size, arr, nn, nm);
    expect(fromBuffer.names).toEqual([]);
    expect(readFloat32(fromBuffer.handles[1], 2)).toEqual([7, -7]);
    free(w, bias, ...fromFile.handles, ...fromBuffer.handles);
  });

  it('exports to DLPack sharing memory, and imports it back', () => {
    const a = float32Array([2, 3], [1, 2, 3, 4, 5, 6]);
    const out: [unknown] = [null];
    ok(MXNDArrayToDLPack(a, out));
    const t = koffi.decode(out[0], DLManagedTensor) as DLManagedTensorValue;
    expect(t.dl_tensor.ndim).toBe(2);
    expect(Array.from(koffi.decode(t.dl_tensor.shape, koffi.array('int64_t', 2, 'Array')) as Array<number | bigint>, Number)).toEqual([2, 3]);
    expect(t.dl_tensor.dtype).toEqual({ code: 2, bits: 32, lanes: 1 });  // kDLFloat 32
    expect(t.dl_tensor.device.device_type).toBe(1);  // kDLCPU
    expect(t.dl_tensor.strides).toBeNull();
    expect(Number(t.dl_tensor.byte_offset)).toBe(0);
    expect(Array.from(koffi.decode(t.dl_tensor.data, koffi.array('float', 6, 'Array')) as number[])).toEqual([1, 2, 3, 4, 5, 6]);
    // Write through the tensor, read through the array.
    koffi.encode(t.dl_tensor.data, 'float', 100);
    expect(readFloat32(a, 6)[0]).toBe(100);

    // Import: the new array shares the same memory; freeing it runs the export's deleter.
    const back: [Handle] = [null];
    ok(MXNDArrayFromDLPack(out[0], back));
    expect(readFloat32(back[0], 6)).toEqual([100, 2, 3, 4, 5, 6]);
    free(back[0], a);

    // An export that nobody imports is released with the deleter.
    const b = float32Array([1], [3]);
    const t2: [unknown] = [null];
    ok(MXNDArrayToDLPack(b, t2));
    ok(MXNDArrayCallDLPackDeleter(t2[0]));
    free(b);
  });
});
