// mx.io: data iterators (NDArrayIter, MNISTIter) and the IDX reader.
export { type DataBatch, type DataDesc, DataIter, disposeBatch } from './data_batch.js';
export { NDArrayIter, type NDArrayIterOptions, type ArraySource, type LastBatchHandle } from './ndarray_iter.js';
export { MNISTIter, type MNISTIterOptions } from './mnist_iter.js';
export { readIdx, readIdxAsync, parseIdx, loadIdxNDArray, loadIdxNDArrayAsync, type IdxFile } from './idx.js';
