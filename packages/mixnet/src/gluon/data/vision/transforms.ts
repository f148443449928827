// mx.gluon.data.vision.transforms: image transforms as callable objects (`t.call(x)`), built
// from NDArray ops so they run on engine threads. Each works on one image or on a whole batch
// (a leading batch axis), which lets the DataLoader transform a gathered batch in one go.
import { type DTypeName } from '../../../dtype.js';
import { fail } from '../../../errors.js';
import { keep } from '../../../memory.js';
import { array, transpose } from '../../../nd.js';
import { type NDArray } from '../../../ndarray.js';
import { applyTransform, isBatchSafe, type TransformFn } from '../dataset.js';

/** An NDArray → NDArray transform. batchSafe: gives the same result on a batch as per image. */
export interface Transform {
  call(x: NDArray): NDArray;
  readonly batchSafe: boolean;
}

/**
 * HWC (or NHWC batch) images, any dtype (usually uint8 in [0, 255]) → CHW (NCHW) float32 in
 * [0, 1] (MXNet's ToTensor).
 */
export class ToTensor implements Transform {
  readonly batchSafe = true;
  call(x: NDArray): NDArray {
    const axes = x.ndim === 3 ? [2, 0, 1] : x.ndim === 4 ? [0, 3, 1, 2] : undefined;
    if (axes === undefined) fail('ValueError', `ToTensor: expected an (H, W, C) image or an (N, H, W, C) batch, got shape (${x.shape.join(', ')})`);
    const scaled = x.astype('float32').div(255);
    const out = transpose(scaled, { axes });
    scaled.dispose();
    return out;
  }
}

/**
 * (x - mean[c]) / std[c] per channel of CHW images or NCHW batches (MXNet's Normalize). mean and
 * std are one number for every channel or one per channel.
 */
export class Normalize implements Transform {
  readonly batchSafe = true;
  private readonly mean: readonly number[];
  private readonly std: readonly number[];
  private consts: { mean: NDArray; std: NDArray } | undefined;

  constructor(mean: number | readonly number[] = 0, std: number | readonly number[] = 1) {
    this.mean = typeof mean === 'number' ? [mean] : [...mean];
    this.std = typeof std === 'number' ? [std] : [...std];
    if (this.mean.length === 0 || this.std.length === 0) fail('ValueError', 'Normalize: mean and std need at least one value');
    if (this.std.some((s) => s === 0)) fail('ValueError', `Normalize: std must be non-zero, got [${this.std.join(', ')}]`);
  }

  call(x: NDArray): NDArray {
    if (x.ndim !== 3 && x.ndim !== 4) fail('ValueError', `Normalize: expected a (C, H, W) image or an (N, C, H, W) batch, got shape (${x.shape.join(', ')})`);
    const channels = x.shape[x.ndim - 3]!;
    for (const [what, v] of [['mean', this.mean], ['std', this.std]] as const) {
      if (v.length !== 1 && v.length !== channels) fail('ValueError', `Normalize: ${what} has ${v.length} values but the input has ${channels} channels (shape (${x.shape.join(', ')}))`);
    }
    if (this.mean.length === 1 && this.std.length === 1) {
      const centred = x.sub(this.mean[0]!);
      const out = centred.div(this.std[0]!);
      centred.dispose();
      return out;
    }
    // Per-channel constants, made once; viewed as (C,1,1) or (1,C,1,1) to broadcast.
    const c = (this.consts ??= {
      mean: keep(array(expand(this.mean, channels), { dtype: 'float32' })),
      std: keep(array(expand(this.std, channels), { dtype: 'float32' })),
    });
    const shape = x.ndim === 3 ? [channels, 1, 1] : [1, channels, 1, 1];
    const m = c.mean.reshape(shape);
    const s = c.std.reshape(shape);
    const centred = x.sub(m);
    const out = centred.div(s);
    for (const t of [m, s, centred]) t.dispose();
    return out;
  }
}

function expand(v: readonly number[], n: number): number[] {
  return v.length === n ? [...v] : new Array<number>(n).fill(v[0]!);
}

/** Casts to dtype (default float32). */
export class Cast implements Transform {
  readonly batchSafe = true;
  constructor(readonly dtype: DTypeName = 'float32') {}
  call(x: NDArray): NDArray {
    return x.astype(this.dtype);
  }
}

/** Applies transforms in order; batch-safe when all of them are. */
export class Compose implements Transform {
  readonly batchSafe: boolean;
  constructor(readonly transforms: readonly TransformFn[]) {
    this.batchSafe = transforms.every(isBatchSafe);
  }
  call(x: NDArray): NDArray {
    let cur = x;
    for (const t of this.transforms) {
      const next = applyTransform(t, [cur]) as NDArray;
      if (cur !== x && cur !== next) cur.dispose();
      cur = next;
    }
    return cur;
  }
}
