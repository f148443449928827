// DataBatch and DataDesc: what MXNet 1.x data iterators hand out (mx.io.DataBatch, mx.io.DataDesc).
import { type DTypeName } from '../dtype.js';
import { type NDArray } from '../ndarray.js';

/** The name, shape and dtype of one input of a batch (MXNet's DataDesc; layout 'NCHW'-style). */
export interface DataDesc {
  name: string;
  shape: number[];
  dtype: DTypeName;
  layout: string;
}

export interface DataBatch {
  data: NDArray[];
  label: NDArray[];
  /** How many samples at the end of the batch are padding (wrapped from the start). */
  pad: number;
  /** The sample indices (positions in the source arrays) that make up this batch. */
  index: number[];
  provideData: DataDesc[];
  provideLabel: DataDesc[];
}

/** Frees every array of a batch (data and label). */
export function disposeBatch(batch: DataBatch): void {
  for (const a of batch.data) a.dispose();
  for (const a of batch.label) a.dispose();
}

/**
 * The iterator protocol of MXNet's DataIter: reset() starts a new epoch, next() returns the next
 * batch or undefined at the end of the epoch (where Python raises StopIteration); `for (const b
 * of iter)` runs the rest of the current epoch.
 */
export abstract class DataIter implements Iterable<DataBatch> {
  constructor(readonly batchSize: number) {}
  abstract reset(): void;
  abstract next(): DataBatch | undefined;
  abstract get provideData(): DataDesc[];
  abstract get provideLabel(): DataDesc[];

  *[Symbol.iterator](): Iterator<DataBatch> {
    for (;;) {
      const b = this.next();
      if (b === undefined) return;
      yield b;
    }
  }
}
