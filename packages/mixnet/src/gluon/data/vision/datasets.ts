// mx.gluon.data.vision.MNIST / FashionMNIST: the IDX files of a local directory as a dataset of
// (image, label): images uint8 (28, 28, 1) as MXNet returns them, labels int32. Nothing is
// downloaded: a missing file is an error that says where it was looked for and how to get it.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';

import { fail } from '../../../errors.js';
import { array } from '../../../nd.js';
import { type NDArray } from '../../../ndarray.js';
import { type IdxFile, readIdx, readIdxAsync } from '../../../io/idx.js';
import { ArrayDataset, type Dataset, DelegatingDataset, LazyTransformDataset, type TransformFn } from '../dataset.js';

export interface MNISTOptions {
  /** Directory holding the IDX files (`~` expands to the home directory). */
  root?: string;
  /** The training split (default) or the test split (t10k-*). */
  train?: boolean;
  /** Applied to every (image, label) pair, as transform(image, label) (MXNet's transform). */
  transform?: TransformFn;
}

interface Loaded {
  images: IdxFile;
  labels: IdxFile;
  imagesPath: string;
  labelsPath: string;
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(homedir(), p.slice(1)) : p;
}

class MNISTBase extends DelegatingDataset<unknown> {
  readonly root: string;
  readonly train: boolean;
  /** uint8 (N, rows, cols, 1). */
  readonly data: NDArray;
  /** int32 class of every image. */
  readonly label: Int32Array;
  readonly delegate: Dataset<unknown>;

  protected constructor(root: string, train: boolean, transform: TransformFn | undefined, loaded: Loaded, kind: string) {
    super();
    this.root = root;
    this.train = train;
    const { images, labels, imagesPath, labelsPath } = loaded;
    if (images.dims.length !== 3 || images.dtype !== 'uint8') {
      fail('ValueError', `${kind}: '${imagesPath}' holds ${images.dtype} (${images.dims.join(', ')}), expected uint8 (N, rows, cols)`);
    }
    if (labels.dims.length !== 1) fail('ValueError', `${kind}: '${labelsPath}' has dims (${labels.dims.join(', ')}), expected (N,)`);
    if (images.dims[0] !== labels.dims[0]) {
      fail('ValueError', `${kind}: '${imagesPath}' has ${images.dims[0]} images but '${labelsPath}' has ${labels.dims[0]} labels`);
    }
    this.data = array(images.data, { dtype: 'uint8', shape: [...images.dims, 1] });
    this.label = Int32Array.from(labels.data as ArrayLike<number>);
    const base = new ArrayDataset(this.data, this.label);
    this.delegate = transform === undefined ? base : new LazyTransformDataset(base, transform, false);
  }

  /** Frees the images NDArray. */
  dispose(): void {
    this.data.dispose();
  }
}

interface Spec {
  kind: string;
  defaultRoot: string;
  hint: string;
}

function files(spec: Spec, options: MNISTOptions): { root: string; train: boolean; imagesPath: string; labelsPath: string } {
  const root = expandHome(options.root ?? spec.defaultRoot);
  const train = options.train ?? true;
  const prefix = train ? 'train' : 't10k';
  const find = (name: string): string => {
    const gz = path.join(root, `${name}.gz`);
    if (existsSync(gz)) return gz;
    const raw = path.join(root, name);
    if (existsSync(raw)) return raw;
    fail('IOError', `${spec.kind}: ${name}.gz not found in ${root}: ${spec.hint}`);
  };
  return { root, train, imagesPath: find(`${prefix}-images-idx3-ubyte`), labelsPath: find(`${prefix}-labels-idx1-ubyte`) };
}

const MNIST_SPEC: Spec = {
  kind: 'MNIST',
  defaultRoot: '~/.mxnet/datasets/mnist',
  hint: 'put the MNIST IDX files (train-images-idx3-ubyte.gz, ...) there, pass root, or pass --synthetic',
};
const FASHION_SPEC: Spec = {
  kind: 'FashionMNIST',
  defaultRoot: '/usr/share/datasets/fashion-mnist',
  hint: "install Debian's dataset-fashion-mnist (sudo apt-get install dataset-fashion-mnist) or pass --synthetic",
};

/** MNIST digits; reads the files synchronously (MNIST.load reads them without blocking). */
export class MNIST extends MNISTBase {
  constructor(options: MNISTOptions = {}, preloaded?: Loaded) {
    const f = files(MNIST_SPEC, options);
    super(f.root, f.train, options.transform, preloaded ?? { ...f, images: readIdx(f.imagesPath), labels: readIdx(f.labelsPath) }, MNIST_SPEC.kind);
  }
  static async load(options: MNISTOptions = {}): Promise<MNIST> {
    return new MNIST(options, await loadAsync(files(MNIST_SPEC, options)));
  }
}

/** Fashion-MNIST (Zalando's clothing images, MNIST's format); default root /usr/share/datasets/fashion-mnist. */
export class FashionMNIST extends MNISTBase {
  constructor(options: MNISTOptions = {}, preloaded?: Loaded) {
    const f = files(FASHION_SPEC, options);
    super(f.root, f.train, options.transform, preloaded ?? { ...f, images: readIdx(f.imagesPath), labels: readIdx(f.labelsPath) }, FASHION_SPEC.kind);
  }
  static async load(options: MNISTOptions = {}): Promise<FashionMNIST> {
    return new FashionMNIST(options, await loadAsync(files(FASHION_SPEC, options)));
  }
}

async function loadAsync(f: { imagesPath: string; labelsPath: string }): Promise<Loaded> {
  const [images, labels] = await Promise.all([readIdxAsync(f.imagesPath), readIdxAsync(f.labelsPath)]);
  return { images, labels, imagesPath: f.imagesPath, labelsPath: f.labelsPath };
}
