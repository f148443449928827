// mx.gluon.data: datasets, samplers and the DataLoader.
import * as vision from './vision/index.js';

export { vision };
export {
  Dataset,
  SimpleDataset,
  ArrayDataset,
  LazyTransformDataset,
  DelegatingDataset,
  batchSafe,
  isBatchSafe,
  type ArrayField,
  type TransformFn,
} from './dataset.js';
export {
  type Sampler,
  SequentialSampler,
  RandomSampler,
  BatchSampler,
  type BatchSamplerState,
  type LastBatch,
} from './sampler.js';
export { defaultBatchify, type Batchify } from './batchify.js';
export { DataLoader, type DataLoaderOptions, type DataLoaderState } from './dataloader.js';
