// gluon.loss.Loss (MXNet 1.x): a HybridBlock computing one loss value per sample (the mean over
// every axis but the batch axis), scaled by a global `weight` and an optional per-sample
// `sampleWeight` (broadcast against the elementwise loss). Built from registry ops only, so
// autograd differentiates every loss.
import { fail } from '../../errors.js';
import { type NDArray } from '../../ndarray.js';
import { type BlockOptions, HybridBlock, type OpNamespace } from '../block.js';

/** The usual inputs: prediction, label and an optional sample weight. */
export type LossInputs = [pred: NDArray, label: NDArray, sampleWeight?: NDArray];

export interface LossOptions extends BlockOptions {
  /** Global scalar the loss is multiplied by (none by default). */
  weight?: number | null;
  /** The axis that indexes samples (the one axis not averaged). */
  batchAxis?: number;
}

export abstract class Loss<In extends unknown[] = LossInputs> extends HybridBlock<NDArray, In> {
  readonly weight: number | null;
  readonly batchAxis: number;

  constructor(weight?: number | null, batchAxis = 0, options: BlockOptions = {}) {
    super(options);
    if (weight !== undefined && weight !== null && (typeof weight !== 'number' || Number.isNaN(weight))) {
      fail('TypeError', `${this.constructor.name}: weight must be a number, got ${String(weight)}`);
    }
    if (!Number.isInteger(batchAxis)) fail('TypeError', `${this.constructor.name}: batchAxis must be an integer, got ${String(batchAxis)}`);
    this.weight = weight ?? null;
    this.batchAxis = batchAxis;
  }

  protected override extraRepr(): string {
    return `batch_axis=${this.batchAxis}, w=${this.weight === null ? 'None' : String(this.weight)}`;
  }

  /** loss * sampleWeight (broadcast) * weight, as MXNet's _apply_weighting. */
  protected applyWeighting(F: OpNamespace, loss: NDArray, weight: number | null, sampleWeight?: NDArray): NDArray {
    let out = loss;
    if (sampleWeight !== undefined) out = F.broadcast_mul(out, sampleWeight);
    if (weight !== null) out = F._mul_scalar(out, { scalar: weight });
    return out;
  }

  /** One value per sample: the mean over every axis except batchAxis. */
  protected batchMean(F: OpNamespace, loss: NDArray): NDArray {
    return F.mean(loss, { axis: this.batchAxis, exclude: true });
  }

  /** One value per sample: the sum over every axis except batchAxis. */
  protected batchSum(F: OpNamespace, loss: NDArray): NDArray {
    return F.sum(loss, { axis: this.batchAxis, exclude: true });
  }

  /** x reshaped to like's shape (MXNet's _reshape_like), with an error naming the loss. */
  protected reshapeLike(F: OpNamespace, x: NDArray, like: NDArray, what = 'label'): NDArray {
    if (sameShape(x.shape, like.shape)) return x;
    if (x.size !== like.size) {
      fail('ValueError', `${this.constructor.name}: ${what} of shape ${shapeText(x.shape)} cannot be reshaped to the prediction shape ${shapeText(like.shape)}`);
    }
    return F.reshape_like(x, like); // an op, so autograd sees it
  }
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function shapeText(s: readonly number[]): string {
  return `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;
}

/** A finite number option, or an error naming the loss and the option. */
export function checkFinite(loss: string, name: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail('ValueError', `${loss}: ${name} must be a finite number, got ${String(v)}`);
  return v;
}
