// mx.gluon.utils: helpers around training steps (MXNet's gluon.utils).
import { fail } from '../errors.js';
import * as ops from '../generated/ops.js';
import { tidy } from '../memory.js';
import { type NDArray } from '../ndarray.js';

/**
 * Rescales arrays in place so that their joint L2 norm is at most maxNorm (MXNet's
 * clip_global_norm): every array is multiplied by min(1, maxNorm / (norm + 1e-8)). Returns the
 * norm before clipping: a number (a blocking read, which also warns when it is NaN or infinite)
 * by default, or with checkIsfinite false a one-element NDArray the caller owns and nothing
 * waits for the engine.
 */
export function clipGlobalNorm(arrays: readonly NDArray[], maxNorm: number, checkIsfinite?: true): number;
export function clipGlobalNorm(arrays: readonly NDArray[], maxNorm: number, checkIsfinite: false): NDArray;
export function clipGlobalNorm(arrays: readonly NDArray[], maxNorm: number, checkIsfinite = true): number | NDArray {
  if (arrays.length === 0) fail('ValueError', 'clipGlobalNorm: arrays must hold at least one array, got []');
  if (!(maxNorm > 0)) fail('ValueError', `clipGlobalNorm: maxNorm must be > 0, got ${maxNorm}`);
  const total = tidy(() => {
    // squared norms in float32 (float16 squares overflow early), summed in one op
    const squares = arrays.map((a) => {
      const x = a.dtype === 'float32' ? a : a.astype('float32');
      return ops.sum(ops.square(x)).reshape(1);
    });
    const norm = ops.sqrt(squares.length === 1 ? squares[0]! : ops.add_n(...squares));
    const scale = ops._minimum_scalar(ops._rdiv_scalar(ops._plus_scalar(norm, { scalar: 1e-8 }), { scalar: maxNorm }), { scalar: 1 });
    for (const a of arrays) {
      const s = a.dtype === 'float32' ? scale : scale.astype(a.dtype);
      ops.broadcast_mul(a, s, { out: a });
    }
    return norm;
  });
  if (!checkIsfinite) return total;
  const value = Number(total.asscalar());
  total.dispose();
  if (!Number.isFinite(value)) process.emitWarning('clipGlobalNorm: nan or inf is detected. Clipping results will be undefined.');
  return value;
}
