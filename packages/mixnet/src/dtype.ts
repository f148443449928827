// dtypes: names, C ABI codes, element sizes and the TypedArray each one reads into.
// float16 reads into Float16Array where the runtime has one, else into Uint16Array holding the
// IEEE half bits; bfloat16 always into Uint16Array (its bits); bool into Uint8Array (0/1).
import { fail } from './errors.js';

export type DTypeName = 'float32' | 'float64' | 'float16' | 'uint8' | 'int32' | 'int8' | 'int64' | 'bool' | 'bfloat16';

export const DTYPE_CODES: Readonly<Record<DTypeName, number>> = {
  float32: 0,
  float64: 1,
  float16: 2,
  uint8: 3,
  int32: 4,
  int8: 5,
  int64: 6,
  bool: 7,
  bfloat16: 12,
};

const BY_CODE: (DTypeName | undefined)[] = [];
for (const [name, code] of Object.entries(DTYPE_CODES)) BY_CODE[code] = name as DTypeName;

export function dtypeName(code: number): DTypeName {
  const n = BY_CODE[code];
  if (n === undefined) fail('TypeError', `unknown dtype code ${code}`);
  return n;
}

export function dtypeCode(name: string): number {
  const aliases: Record<string, DTypeName> = { float: 'float32', double: 'float64', half: 'float16' };
  const n = (aliases[name] ?? name) as DTypeName;
  const code = DTYPE_CODES[n];
  if (code === undefined) {
    fail('TypeError', `unknown dtype '${name}' (expected one of ${Object.keys(DTYPE_CODES).join(', ')})`);
  }
  return code;
}

export const DTYPE_BYTES: Readonly<Record<DTypeName, number>> = {
  float32: 4,
  float64: 8,
  float16: 2,
  uint8: 1,
  int32: 4,
  int8: 1,
  int64: 8,
  bool: 1,
  bfloat16: 2,
};

interface Float16ArrayLike extends Uint16Array {}
type TypedArrayCtor = { new (buffer: ArrayBuffer, byteOffset?: number, length?: number): DTypeArray; new (length: number): DTypeArray };
/** Float16Array where the runtime has it (Node 20 does not). */
export const NativeFloat16Array: TypedArrayCtor | undefined = (globalThis as { Float16Array?: TypedArrayCtor }).Float16Array;
export const HAS_FLOAT16ARRAY = NativeFloat16Array !== undefined;

/** Every TypedArray an NDArray's data can come back as. */
export type DTypeArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Float16ArrayLike;

/** The TypedArray constructor that holds `dtype`'s elements (see the file comment). */
export function arrayCtor(dtype: DTypeName): TypedArrayCtor {
  switch (dtype) {
    case 'float32':
      return Float32Array as unknown as TypedArrayCtor;
    case 'float64':
      return Float64Array as unknown as TypedArrayCtor;
    case 'int32':
      return Int32Array as unknown as TypedArrayCtor;
    case 'int64':
      return BigInt64Array as unknown as TypedArrayCtor;
    case 'uint8':
    case 'bool':
      return Uint8Array as unknown as TypedArrayCtor;
    case 'int8':
      return Int8Array as unknown as TypedArrayCtor;
    case 'float16':
      return NativeFloat16Array ?? (Uint16Array as unknown as TypedArrayCtor);
    case 'bfloat16':
      return Uint16Array as unknown as TypedArrayCtor;
  }
}

/** The dtype a TypedArray source means when none is given (MXNet: the source's dtype). */
export function dtypeOfTypedArray(a: ArrayBufferView): DTypeName | undefined {
  if (a instanceof Float32Array) return 'float32';
  if (a instanceof Float64Array) return 'float64';
  if (a instanceof Int32Array) return 'int32';
  if (a instanceof BigInt64Array) return 'int64';
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Int8Array) return 'int8';
  if (NativeFloat16Array && a instanceof NativeFloat16Array) return 'float16';
  return undefined;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** number → IEEE half bits, round to nearest even. */
export function toFloat16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++;
  return sign | half;
}

/** IEEE half bits → number. */
export function fromFloat16Bits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/** number → bfloat16 bits (the top half of float32, round to nearest even). */
export function toBFloat16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  if ((b & 0x7fffffff) > 0x7f800000) return (b >>> 16) | 0x40;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

export function fromBFloat16Bits(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0]!;
}

/** Converts plain JS values into `dtype`'s TypedArray (casting like NumPy: truncation for ints). */
export function fromValues(values: ArrayLike<number | bigint | boolean>, dtype: DTypeName): DTypeArray {
  const n = values.length;
  const Ctor = arrayCtor(dtype);
  const out = new Ctor(n);
  const conv16 = dtype === 'bfloat16' ? toBFloat16Bits : dtype === 'float16' && !HAS_FLOAT16ARRAY ? toFloat16Bits : undefined;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (dtype === 'int64') {
      (out as BigInt64Array)[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)));
    } else if (dtype === 'bool') {
      (out as Uint8Array)[i] = v ? 1 : 0;
    } else if (conv16) {
      (out as Uint16Array)[i] = conv16(Number(v));
    } else {
      (out as Float64Array)[i] = Number(v);
    }
  }
  return out;
}

/** Reads element i of an NDArray's data as a JS value (bigint for int64, boolean for bool). */
export function elementAt(data: DTypeArray, dtype: DTypeName, i: number): number | bigint | boolean {
  const v = data[i]!;
  switch (dtype) {
    case 'bool':
      return v !== 0;
    case 'float16':
      return HAS_FLOAT16ARRAY ? (v as number) : fromFloat16Bits(v as number);
    case 'bfloat16':
      return fromBFloat16Bits(v as number);
    default:
      return v;
  }
}
