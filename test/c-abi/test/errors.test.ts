// Bad input at the raw C ABI: every call returns -1 with a message naming what was wrong and the
// right MX_ERR_* kind, and the process carries on (each test ends with a call that succeeds).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectError, float32Array, free, invoke, ok, readFloat32 } from '../src/helpers.js';
import {
  DType,
  Dev,
  ErrKind,
  type Handle,
  MXImperativeInvoke,
  MXNDArrayCallDLPackDeleter,
  MXNDArrayCreateEx,
  MXNDArrayFree,
  MXNDArrayFromDLPack,
  MXNDArrayGetDType,
  MXNDArrayLoad,
  MXNDArrayLoadFromBuffer,
  MXNDArraySave,
  MXNDArraySaveToBuffer,
  MXNDArraySyncCopyFromCPU,
  MXNDArraySyncCopyToCPU,
  MXNDArrayToDLPack,
  NNGetOpHandle,
} from '../src/lib.js';

const dir = mkdtempSync(join(tmpdir(), 'mixnet-c-abi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The process is still healthy: a fresh array round-trips values. */
function stillWorks(): void {
  const h = float32Array([2], [1.5, -2]);
  expect(readFloat32(h, 2)).toEqual([1.5, -2]);
  free(h);
}

function opHandle(name: string): Handle {
  const out: [Handle] = [null];
  ok(NNGetOpHandle(name, out));
  return out[0];
}

describe('handles', () => {
  it('rejects a NULL handle', () => {
    const dtype: [number] = [-1];
    expectError(MXNDArrayGetDType(null, dtype), ErrKind.InvalidHandle, 'MXNDArrayGetDType', 'NULL');
    expectError(MXNDArrayFree(null), ErrKind.InvalidHandle, 'MXNDArrayFree');
    stillWorks();
  });

  it('rejects a freed handle', () => {
    const h = float32Array([3], [1, 2, 3]);
    ok(MXNDArrayFree(h));
    expectError(MXNDArrayGetDType(h, [0]), ErrKind.InvalidHandle, 'MXNDArrayGetDType', 'freed');
    expectError(MXNDArraySyncCopyToCPU(h, new Float32Array(3), 3), ErrKind.InvalidHandle, 'freed');
    expectError(MXNDArrayFree(h), ErrKind.InvalidHandle, 'MXNDArrayFree');
    stillWorks();
  });

  it('rejects a NULL out-pointer', () => {
    expectError(MXNDArrayCreateEx([2, 3], 2, Dev.cpu, 0, 0, DType.float32, null),
      ErrKind.InvalidHandle, 'MXNDArrayCreateEx', 'out');
    const h = float32Array([1], [4]);
    expectError(MXNDArrayGetDType(h, null), ErrKind.InvalidHandle, 'MXNDArrayGetDType', 'out_dtype');
    free(h);
    stillWorks();
  });
});

describe('arrays', () => {
  it('rejects a copy whose size does not match the array', () => {
    const h = float32Array([2, 3], [1, 2, 3, 4, 5, 6]);
    const msg = expectError(MXNDArraySyncCopyFromCPU(h, new Float32Array(5), 5), ErrKind.Value, '5');
    expect(msg).toMatch(/6|\(2, 3\)/);
    expect(readFloat32(h, 6)).toEqual([1, 2, 3, 4, 5, 6]);  // untouched
    free(h);
    stillWorks();
  });

  it('rejects an unknown dtype code', () => {
    const out: [Handle] = [null];
    expectError(MXNDArrayCreateEx([2], 1, Dev.cpu, 0, 0, 99, out), ErrKind.Type, '99');
    stillWorks();
  });

  it('rejects a GPU context in this CPU-only build', () => {
    const out: [Handle] = [null];
    const msg = expectError(MXNDArrayCreateEx([2], 1, Dev.gpu, 0, 0, DType.float32, out),
      ErrKind.NotImplemented);
    expect(msg.toLowerCase()).toContain('gpu');
    stillWorks();
  });
});

describe('ops', () => {
  it('rejects an unknown op name', () => {
    const out: [Handle] = [null];
    expectError(NNGetOpHandle('no_such_op', out), ErrKind.NotFound, 'no_such_op');
    stillWorks();
  });

  it('rejects an ill-typed parameter', () => {
    const zeros = opHandle('_zeros');
    const rc = MXImperativeInvoke(zeros, 0, [], [0], [null], 1, ['shape'], ['(2,x)']);
    expectError(rc, ErrKind.Type, '_zeros', 'shape', '(2,x)');
    stillWorks();
  });

  it('rejects a parameter the op does not have', () => {
    const a = float32Array([2], [1, 2]);
    const b = float32Array([2], [3, 4]);
    const add = opHandle('broadcast_add');
    const rc = MXImperativeInvoke(add, 2, [a, b], [0], [null], 1, ['no_such_param'], ['1']);
    expectError(rc, ErrKind.NotFound, 'broadcast_add', 'no_such_param');
    free(a, b);
    stillWorks();
  });

  it('rejects operands that do not broadcast', () => {
    const a = float32Array([2, 3], [1, 2, 3, 4, 5, 6]);
    const b = float32Array([4], [1, 2, 3, 4]);
    const rc = MXImperativeInvoke(opHandle('broadcast_add'), 2, [a, b], [0], [null], 0, null, null);
    expectError(rc, ErrKind.Value, 'broadcast_add', '(2, 3)', '(4,)');
    free(a, b);
    stillWorks();
  });
});

describe('files', () => {
  it('rejects a truncated .params file, naming the file and the record', () => {
    const a = float32Array([4], [1, 2, 3, 4]);
    const path = join(dir, 'whole.params');
    ok(MXNDArraySave(path, 1, [a], ['w']));
    const bytes = readFileSync(path);
    const cut = join(dir, 'cut.params');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 20));
    const size: [number] = [0];
    const arr: [unknown] = [null];
    const nnames: [number] = [0];
    const names: [unknown] = [null];
    expectError(MXNDArrayLoad(cut, size, arr, nnames, names), ErrKind.Value, cut, 'truncated', 'record 0');
    const missing = join(dir, 'missing.params');
    expectError(MXNDArrayLoad(missing, size, arr, nnames, names), ErrKind.NotFound, missing);
    expectError(MXNDArrayLoad(path, null, arr, nnames, names), ErrKind.InvalidHandle, 'out_size');
    free(a);
    stillWorks();
  });

  it('rejects corrupt buffers and bad save arguments', () => {
    const junk = new Uint8Array(64).fill(0xab);
    const boxes = (): [[number], [unknown], [number], [unknown]] => [[0], [null], [0], [null]];
    expectError(MXNDArrayLoadFromBuffer(junk, junk.length, ...boxes()), ErrKind.Value,
      'not an NDArray list file');
    expectError(MXNDArrayLoadFromBuffer(null, 10, ...boxes()), ErrKind.Value, 'NULL');
    const a = float32Array([1], [1]);
    expectError(MXNDArraySave(join(dir, 'no', 'such', 'dir.params'), 1, [a], null), ErrKind.IO,
      'dir.params');
    expectError(MXNDArraySave(join(dir, 'x.params'), 1, [null], null), ErrKind.InvalidHandle, 'args[0]');
    expectError(MXNDArraySaveToBuffer(1, [a], null, null, [null]), ErrKind.InvalidHandle, 'out_size');
    free(a);
    stillWorks();
  });
});

describe('dlpack', () => {
  it('rejects NULL tensors and handles', () => {
    expectError(MXNDArrayFromDLPack(null, [null]), ErrKind.Value, 'MXNDArrayFromDLPack', 'NULL');
    expectError(MXNDArrayToDLPack(null, [null]), ErrKind.InvalidHandle, 'MXNDArrayToDLPack');
    expectError(MXNDArrayCallDLPackDeleter(null), ErrKind.Value, 'NULL');
    stillWorks();
  });
});

describe('after many errors', () => {
  it('still computes correctly', () => {
    const a = float32Array([2, 2], [1, 2, 3, 4]);
    const b = float32Array([2], [10, 20]);
    const [c] = invoke('broadcast_add', [a, b]);
    expect(readFloat32(c, 4)).toEqual([11, 22, 13, 24]);
    free(a, b, c);
  });
});
