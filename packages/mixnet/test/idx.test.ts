// IDX reader (mx.io.readIdx / readIdxAsync / loadIdxNDArray): files written here by an
// independent big-endian writer (raw and gzip, every type code), every corruption case, and the
// real Fashion-MNIST files checked against a tiny independent parser and known values.
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { gunzipSync, gzipSync } from 'node:zlib';

import { afterAll, describe, expect, it } from 'vitest';

import * as mx from '../src/index.js';
import { loadIdxNDArray, readIdx, readIdxAsync } from '../src/io/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mixnet-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FASHION = '/usr/share/datasets/fashion-mnist';
const hasFashion = existsSync(path.join(FASHION, 'train-images-idx3-ubyte.gz'));

type Code = 0x08 | 0x09 | 0x0b | 0x0c | 0x0d | 0x0e;
const BYTES: Record<Code, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };

/** An IDX file's bytes, written value by value with DataView (big-endian). */
function idxBytes(code: Code, dims: number[], values: number[]): Uint8Array {
  const header = 4 + 4 * dims.length;
  const buf = new Uint8Array(header + values.length * BYTES[code]);
  const v = new DataView(buf.buffer);
  buf[2] = code;
  buf[3] = dims.length;
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  values.forEach((x, i) => {
    const o = header + i * BYTES[code];
    if (code === 0x08) v.setUint8(o, x);
    else if (code === 0x09) v.setInt8(o, x);
    else if (code === 0x0b) v.setInt16(o, x, false);
    else if (code === 0x0c) v.setInt32(o, x, false);
    else if (code === 0x0d) v.setFloat32(o, x, false);
    else v.setFloat64(o, x, false);
  });
  return buf;
}

let fileNo = 0;
function write(bytes: Uint8Array, gzip = false): string {
  const p = path.join(dir, `f${fileNo++}${gzip ? '.gz' : ''}`);
  writeFileSync(p, gzip ? gzipSync(bytes) : bytes);
  return p;
}

const CASES: { code: Code; dtype: mx.DTypeName; values: number[] }[] = [
  { code: 0x08, dtype: 'uint8', values: [0, 1, 127, 128, 254, 255] },
  { code: 0x09, dtype: 'int8', values: [-128, -1, 0, 1, 100, 127] },
  { code: 0x0b, dtype: 'int32', values: [-32768, -2, 0, 3, 1000, 32767] }, // int16 widens to int32
  { code: 0x0c, dtype: 'int32', values: [-2147483648, -70000, 0, 5, 70000, 2147483647] },
  { code: 0x0d, dtype: 'float32', values: [-1.5, 0, 0.25, 3.5, 1e-3, 65504] },
  { code: 0x0e, dtype: 'float64', values: [-1e300, 0, Math.PI, 1 / 3, 2 ** -40, 7] },
];

describe('readIdx on written files', () => {
  for (const { code, dtype, values } of CASES) {
    for (const gzip of [false, true]) {
      it(`type 0x${code.toString(16)} (${dtype}), ${gzip ? 'gzip' : 'raw'}: sync and async`, async () => {
        const p = write(idxBytes(code, [2, 3], values), gzip);
        const expected = dtype === 'float32' ? values.map(Math.fround) : values;
        for (const f of [readIdx(p), await readIdxAsync(p)]) {
          expect(f.dims).toEqual([2, 3]);
          expect(f.dtype).toBe(dtype);
          expect(Array.from(f.data as ArrayLike<number>)).toEqual(expected);
        }
      });
    }
  }

  it('reads 1-D and 8-D files; loadIdxNDArray gives the dims and dtype', () => {
    const one = write(idxBytes(0x08, [4], [9, 8, 7, 6]));
    expect(readIdx(one).dims).toEqual([4]);
    const dims8 = [1, 2, 1, 2, 1, 1, 2, 1];
    const eight = write(idxBytes(0x0c, dims8, [1, 2, 3, 4, 5, 6, 7, 8]), true);
    const a = loadIdxNDArray(eight);
    expect(a.shape).toEqual(dims8);
    expect(a.dtype).toBe('int32');
    expect(Array.from(a.dataSync() as Int32Array)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    a.dispose();
  });
});

describe('readIdx rejects corrupt files', () => {
  const good = idxBytes(0x08, [2, 3], [1, 2, 3, 4, 5, 6]);
  const patched = (offset: number, byte: number): Uint8Array => {
    const b = good.slice();
    b[offset] = byte;
    return b;
  };
  const dimZero = good.slice();
  new DataView(dimZero.buffer).setUint32(8, 0, false);
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /truncated: 0 bytes, less than the 4-byte IDX magic/],
    ['bad magic', patched(0, 0x1a), /not an IDX file: magic starts 0x1A00, expected 0x0000/],
    ['bad magic (2nd byte)', patched(1, 0x01), /not an IDX file/],
    ['unknown type code', patched(2, 0x0a), /unknown IDX type code 0x0A/],
    ['ndim 0', patched(3, 0), /number of dimensions 0 is out of range 1\.\.8/],
    ['ndim 9', patched(3, 9), /number of dimensions 9 is out of range/],
    ['header cut short', good.slice(0, 9), /truncated: the header of 2 dimensions needs 12 bytes, the file has 9/],
    ['a zero dimension', dimZero, /dimension 1 is 0/],
    ['payload cut short', good.slice(0, good.length - 1), /truncated: dims \(2, 3\) of unsigned byte need 6 bytes of data, the file has 5/],
    ['trailing bytes', new Uint8Array([...good, 0, 0]), /has 2 bytes after the 6 bytes its dims \(2, 3\) describe/],
  ];
  for (const [name, bytes, message] of cases) {
    for (const gzip of [false, true]) {
      it(`${name} (${gzip ? 'gzip' : 'raw'})`, async () => {
        const p = write(bytes, gzip);
        for (const attempt of [() => readIdx(p), () => readIdxAsync(p)]) {
          let err: unknown;
          try {
            await attempt();
          } catch (e) {
            err = e;
          }
          expect(err).toBeInstanceOf(mx.MXNetError);
          expect((err as mx.MXNetError).kind).toBe('ValueError');
          expect((err as Error).message).toMatch(message);
          expect((err as Error).message).toContain(p);
        }
      });
    }
  }

  it('a larger-than-payload float file names the element type', () => {
    const b = idxBytes(0x0d, [3], [1, 2, 3]).slice(0, 4 + 4 + 8);
    expect(() => readIdx(write(b))).toThrow(/need 12 bytes of data, the file has 8/);
  });

  it('corrupt and truncated gzip streams are IOErrors naming the file', async () => {
    const gz = gzipSync(good);
    const garbage = new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const bytes of [garbage, gz.subarray(0, gz.length - 6)]) {
      const p = write(bytes);
      for (const attempt of [() => readIdx(p), () => readIdxAsync(p)]) {
        await expect(Promise.resolve().then(attempt)).rejects.toMatchObject({ kind: 'IOError', message: expect.stringContaining(`decompress (gzip) '${p}'`) });
      }
    }
  });

  it('a missing file is an IOError naming it', async () => {
    const p = path.join(dir, 'nope.gz');
    expect(() => readIdx(p)).toThrow(expect.objectContaining({ kind: 'IOError', message: expect.stringContaining(`cannot read '${p}'`) }));
    await expect(readIdxAsync(p)).rejects.toMatchObject({ kind: 'IOError' });
  });
});

describe.runIf(hasFashion)('real Fashion-MNIST', () => {
  /** Independent parse of a gzip IDX label file: 8 header bytes, then one byte per label. */
  const tinyLabels = (file: string): Uint8Array => gunzipSync(readFileSync(path.join(FASHION, file))).subarray(8);

  it('train images: 60000x28x28 uint8 with known pixels (async, event loop keeps turning)', async () => {
    const h = monitorEventLoopDelay({ resolution: 5 });
    h.enable();
    const f = await readIdxAsync(path.join(FASHION, 'train-images-idx3-ubyte.gz'));
    h.disable();
    expect(f.dims).toEqual([60000, 28, 28]);
    expect(f.dtype).toBe('uint8');
    expect(f.data.length).toBe(60000 * 28 * 28);
    // Image 0, row 3, cols 12..16 (from `zcat ... | od -j 16`): 1 0 0 13 73
    expect(Array.from((f.data as Uint8Array).subarray(96, 101))).toEqual([1, 0, 0, 13, 73]);
    // Decompression (~47 MB) runs in zlib's thread pool: no stall near its whole duration.
    console.log(`readIdxAsync(train images): max event-loop delay ${(h.max / 1e6).toFixed(1)} ms`);
    expect(h.max / 1e6).toBeLessThan(150);
  });

  it('labels match an independent parser and the known first values', async () => {
    const train = await readIdxAsync(path.join(FASHION, 'train-labels-idx1-ubyte.gz'));
    expect(train.dims).toEqual([60000]);
    expect(Array.from((train.data as Uint8Array).subarray(0, 20))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9, 5, 5, 7, 9, 1, 0, 6, 4]);
    expect(Buffer.from(train.data as Uint8Array).equals(Buffer.from(tinyLabels('train-labels-idx1-ubyte.gz')))).toBe(true);
    const test = readIdx(path.join(FASHION, 't10k-labels-idx1-ubyte.gz'));
    expect(test.dims).toEqual([10000]);
    expect(Array.from((test.data as Uint8Array).subarray(0, 12))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7, 4, 5]);
    const a = loadIdxNDArray(path.join(FASHION, 't10k-labels-idx1-ubyte.gz'));
    expect(a.shape).toEqual([10000]);
    expect(a.dtype).toBe('uint8');
    const counts = new Array<number>(10).fill(0);
    for (const v of tinyLabels('t10k-labels-idx1-ubyte.gz')) counts[v]!++;
    expect(counts).toEqual(new Array(10).fill(1000)); // Fashion-MNIST's test split is balanced
    expect(Array.from(a.dataSync().subarray(0, 4) as Uint8Array)).toEqual([9, 2, 1, 1]);
    a.dispose();
  });
});
