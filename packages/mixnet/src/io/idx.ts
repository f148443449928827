// IDX files (the MNIST / Fashion-MNIST format): a 4-byte magic (0x00 0x00, a type code, the
// number of dimensions), the dimensions as big-endian uint32, then the values big-endian in C
// order. Files may be gzip-compressed (detected by the gzip magic, not the file name).
// Everything in the header is checked before it is trusted: the payload must have exactly the
// size the dimensions promise.
import { readFileSync, promises as fsp } from 'node:fs';
import { promisify } from 'node:util';
import { gunzip, gunzipSync } from 'node:zlib';

import { type DTypeArray, type DTypeName } from '../dtype.js';
import { fail, MXNetError } from '../errors.js';
import { array } from '../nd.js';
import { type NDArray } from '../ndarray.js';

const gunzipAsync = promisify(gunzip);

export interface IdxFile {
  /** The dimensions, outermost first (e.g. [60000, 28, 28]). */
  dims: number[];
  /** The dtype the values are returned in. int16 files (code 0x0B) widen to int32. */
  dtype: DTypeName;
  /** The values in C order, in host byte order. */
  data: DTypeArray;
}

interface IdxType {
  name: string;
  bytes: number;
  dtype: DTypeName;
}

/** IDX type codes → element size and the dtype they are read as. */
const IDX_TYPES: ReadonlyMap<number, IdxType> = new Map([
  [0x08, { name: 'unsigned byte', bytes: 1, dtype: 'uint8' }],
  [0x09, { name: 'signed byte', bytes: 1, dtype: 'int8' }],
  [0x0b, { name: 'short (int16)', bytes: 2, dtype: 'int32' }],
  [0x0c, { name: 'int (int32)', bytes: 4, dtype: 'int32' }],
  [0x0d, { name: 'float (float32)', bytes: 4, dtype: 'float32' }],
  [0x0e, { name: 'double (float64)', bytes: 8, dtype: 'float64' }],
]);

const MAX_NDIM = 8;

function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

function ioError(path: string, what: string, cause: unknown): MXNetError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new MXNetError(`readIdx: cannot ${what} '${path}': ${reason}`, 'IOError');
}

/** Parses a decompressed IDX buffer; `path` only names the file in errors. */
export function parseIdx(buf: Uint8Array, path = '<buffer>'): IdxFile {
  const where = `readIdx: '${path}'`;
  if (buf.length < 4) fail('ValueError', `${where} is truncated: ${buf.length} bytes, less than the 4-byte IDX magic`);
  if (buf[0] !== 0 || buf[1] !== 0) {
    fail('ValueError', `${where} is not an IDX file: magic starts 0x${hex(buf[0]!)}${hex(buf[1]!)}, expected 0x0000`);
  }
  const code = buf[2]!;
  const type = IDX_TYPES.get(code);
  if (type === undefined) {
    fail('ValueError', `${where}: unknown IDX type code 0x${hex(code)} (expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E)`);
  }
  const ndim = buf[3]!;
  if (ndim < 1 || ndim > MAX_NDIM) fail('ValueError', `${where}: number of dimensions ${ndim} is out of range 1..${MAX_NDIM}`);
  const headerBytes = 4 + 4 * ndim;
  if (buf.length < headerBytes) {
    fail('ValueError', `${where} is truncated: the header of ${ndim} dimensions needs ${headerBytes} bytes, the file has ${buf.length}`);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndim; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    if (d === 0) fail('ValueError', `${where}: dimension ${i} is 0 (dims must be positive)`);
    dims.push(d);
    count *= d;
  }
  const expected = count * type.bytes;
  const payload = buf.length - headerBytes;
  if (!Number.isSafeInteger(expected) || payload < expected) {
    fail(
      'ValueError',
      `${where} is truncated: dims (${dims.join(', ')}) of ${type.name} need ${expected} bytes of data, the file has ${payload}`,
    );
  }
  if (payload > expected) {
    fail('ValueError', `${where} has ${payload - expected} bytes after the ${expected} bytes its dims (${dims.join(', ')}) describe`);
  }
  return { dims, dtype: type.dtype, data: decode(view, headerBytes, count, code) };
}

/** Big-endian values → a host-order TypedArray (always a fresh copy, never a view of `buf`). */
function decode(view: DataView, offset: number, count: number, code: number): DTypeArray {
  switch (code) {
    case 0x08:
      return new Uint8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case 0x09:
      return new Int8Array(view.buffer.slice(view.byteOffset + offset, view.byteOffset + offset + count));
    case 0x0b: {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt16(offset + 2 * i, false);
      return out;
    }
    case 0x0c: {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getInt32(offset + 4 * i, false);
      return out;
    }
    case 0x0d: {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(offset + 4 * i, false);
      return out;
    }
    default: {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(offset + 8 * i, false);
      return out;
    }
  }
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0').toUpperCase();
}

/** Reads an IDX file (raw or gzip), blocking. Errors: IOError (unreadable), ValueError (malformed). */
export function readIdx(path: string): IdxFile {
  let raw: Uint8Array;
  try {
    raw = readFileSync(path);
  } catch (e) {
    throw ioError(path, 'read', e);
  }
  if (isGzip(raw)) {
    try {
      raw = gunzipSync(raw);
    } catch (e) {
      throw ioError(path, 'decompress (gzip)', e);
    }
  }
  return parseIdx(raw, path);
}

/**
 * Reads an IDX file without blocking the event loop on I/O or decompression (fs.promises and
 * zlib's thread-pool gunzip); only the final header check and byte-order copy run on the loop.
 */
export async function readIdxAsync(path: string): Promise<IdxFile> {
  let raw: Uint8Array;
  try {
    raw = await fsp.readFile(path);
  } catch (e) {
    throw ioError(path, 'read', e);
  }
  if (isGzip(raw)) {
    try {
      raw = await gunzipAsync(raw);
    } catch (e) {
      throw ioError(path, 'decompress (gzip)', e);
    }
  }
  return parseIdx(raw, path);
}

/** An IDX file as an NDArray of its dims and dtype. */
export function loadIdxNDArray(path: string): NDArray {
  const f = readIdx(path);
  return array(f.data, { dtype: f.dtype, shape: f.dims });
}

/** loadIdxNDArray without blocking the event loop on the read. */
export async function loadIdxNDArrayAsync(path: string): Promise<NDArray> {
  const f = await readIdxAsync(path);
  return array(f.data, { dtype: f.dtype, shape: f.dims });
}
