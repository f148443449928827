// Default batchify (MXNet's default_batchify_fn): NDArray samples are stacked on a new axis 0,
// numbers become a 1-D NDArray, TypedArrays a 2-D one, tuples (JS arrays) are batchified field by
// field. Numbers: int32 when all are integers, else float32 (MXNet keeps NumPy's int64/float64;
// 32-bit is what every op here consumes).
import { fail } from '../../errors.js';
import { array, stack } from '../../nd.js';
import { NDArray } from '../../ndarray.js';

export type Batchify = (samples: unknown[]) => unknown;

function isNumericTypedArray(v: unknown): v is ArrayLike<number> & ArrayBufferView {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);
}

/** int32 when every value is an integer in int32 range, else float32. */
export function numbersDType(values: ArrayLike<number>): 'int32' | 'float32' {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) return 'float32';
  }
  return 'int32';
}

export function defaultBatchify(samples: unknown[]): unknown {
  if (samples.length === 0) fail('ValueError', 'defaultBatchify: no samples');
  const first = samples[0];
  if (first instanceof NDArray) {
    for (const s of samples) if (!(s instanceof NDArray)) fail('TypeError', 'defaultBatchify: a batch mixes NDArrays and other values');
    return stack(...(samples as NDArray[]), { axis: 0 });
  }
  if (typeof first === 'number') {
    const nums = samples as number[];
    return array(nums, { dtype: numbersDType(nums) });
  }
  if (isNumericTypedArray(first)) {
    const len = first.length;
    const Ctor = first.constructor as new (n: number) => ArrayLike<number> & { set(a: ArrayLike<number>, offset: number): void };
    const out = new Ctor(samples.length * len);
    samples.forEach((s, k) => {
      if (!isNumericTypedArray(s) || s.length !== len) fail('ValueError', `defaultBatchify: sample ${k} is not a TypedArray of length ${len}`);
      out.set(s, k * len);
    });
    return array(out as unknown as ArrayBufferView, { shape: [samples.length, len] });
  }
  if (Array.isArray(first)) {
    const width = first.length;
    return first.map((_, k) =>
      defaultBatchify(
        samples.map((s, j) => {
          if (!Array.isArray(s) || s.length !== width) fail('ValueError', `defaultBatchify: sample ${j} is not a tuple of ${width} fields`);
          return s[k] as unknown;
        }),
      ),
    );
  }
  return samples; // strings and other objects: the list as it is
}
