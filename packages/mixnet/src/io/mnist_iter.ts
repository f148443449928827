// mx.io.MNISTIter: MXNet's MNIST iterator over IDX files (raw or gzip). Pixels become float32 in
// [0, 1], shaped (batch, 1, 28, 28) or, with flat, (batch, 784); labels float32 (batch,). As in
// MXNet, an incomplete last batch is dropped and the order is reshuffled every epoch.
import { fail } from '../errors.js';
import { array } from '../nd.js';
import { tidy } from '../memory.js';
import { type NDArray } from '../ndarray.js';
import { readIdx } from './idx.js';
import { NDArrayIter } from './ndarray_iter.js';

export interface MNISTIterOptions {
  /** Path of the images IDX file (e.g. train-images-idx3-ubyte[.gz]). */
  image: string;
  /** Path of the labels IDX file. */
  label: string;
  /** Default 128. */
  batchSize?: number;
  /** Default true (as MXNet). */
  shuffle?: boolean;
  /** Images as (batch, rows*cols) instead of (batch, 1, rows, cols). Default false. */
  flat?: boolean;
  /** Shuffle seed; default 0 (as MXNet). */
  seed?: number;
}

function loadImages(path: string, flat: boolean): NDArray {
  const f = readIdx(path);
  if (f.dims.length !== 3) fail('ValueError', `MNISTIter: images file '${path}' has dims (${f.dims.join(', ')}), expected (N, rows, cols)`);
  const [n, rows, cols] = f.dims as [number, number, number];
  return tidy(() => {
    const raw = array(f.data, { dtype: f.dtype, shape: f.dims });
    const scaled = raw.astype('float32').div(255);
    return flat ? scaled.reshape([n, rows * cols]) : scaled.reshape([n, 1, rows, cols]);
  });
}

function loadLabels(path: string): NDArray {
  const f = readIdx(path);
  if (f.dims.length !== 1) fail('ValueError', `MNISTIter: labels file '${path}' has dims (${f.dims.join(', ')}), expected (N,)`);
  return tidy(() => array(f.data, { dtype: f.dtype, shape: f.dims }).astype('float32'));
}

export class MNISTIter extends NDArrayIter {
  private readonly owned: NDArray[];

  constructor(options: MNISTIterOptions) {
    const images = loadImages(options.image, options.flat ?? false);
    const labels = loadLabels(options.label);
    if (images.shape[0] !== labels.shape[0]) {
      fail('ValueError', `MNISTIter: '${options.image}' has ${images.shape[0]} images but '${options.label}' has ${labels.shape[0]} labels`);
    }
    super({
      data: images,
      label: labels,
      batchSize: options.batchSize ?? 128,
      shuffle: options.shuffle ?? true,
      seed: options.seed ?? 0,
      lastBatchHandle: 'discard',
      dataName: 'data',
      labelName: 'softmax_label',
    });
    this.owned = [images, labels];
  }

  /** Frees the images and labels this iterator loaded. */
  dispose(): void {
    for (const a of this.owned) a.dispose();
  }
}
