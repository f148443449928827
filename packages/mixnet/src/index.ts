// mixnet for TypeScript: `import * as mx from 'mixnet'` (ESM) or `require('mixnet')` (CJS).
import { REGISTRY_HASH } from './generated/ops.js';
import { native } from './native.js';
import * as autograd from './autograd.js';
import * as gluon from './gluon/index.js';
import * as init from './initializer.js';
import * as io from './io/index.js';
import * as lrScheduler from './lr_scheduler.js';
import * as metric from './metric/index.js';
import * as nd from './nd.js';
import * as optimizer from './optimizer/index.js';
import * as registry from './registry.js';

export { autograd, gluon, init, io, lrScheduler, metric, nd, optimizer, registry };
/** MXNet's spelling: mx.lr_scheduler is mx.lrScheduler. */
export { lrScheduler as lr_scheduler };
/** MXNet's alias: mx.initializer is mx.init. */
export { init as initializer };
export { type GradReq } from './autograd.js';
export { NDArray, type NestedArray } from './ndarray.js';
export { MXNetError, type MXNetErrorKind, ERROR_KINDS } from './errors.js';
export { Context, cpu, gpu, currentContext, setDefaultContext, type ContextLike } from './context.js';
export { type DTypeName, type DTypeArray, HAS_FLOAT16ARRAY } from './dtype.js';
export { tidy, keep, memory, type MemoryInfo } from './memory.js';
export { REGISTRY_HASH };

/**
 * Throws when the loaded libmixnet's operator registry differs from the one this package's
 * wrappers were generated from (a stale build or a mismatched library).
 */
export function checkRegistry(): void {
  const [, libHash] = native().registry();
  if (libHash !== REGISTRY_HASH) {
    throw new Error(
      `mixnet: the native library's operator registry (hash ${libHash.slice(0, 12)}…) does not match ` +
        `the one this package was generated from (${REGISTRY_HASH.slice(0, 12)}…). Rebuild the package ` +
        '(`npx nx run mixnet:build`) against this libmixnet, or use the libmixnet it was built with.',
    );
  }
}
checkRegistry();

/** Library facts. */
export function version(): { version: number; abiVersion: number } {
  const [v, abi] = native().version();
  return { version: v, abiVersion: abi };
}

export const random = {
  /** Seeds every random generator of the engine. */
  seed(seed: number): void {
    native().seed(seed);
  },
  /**
   * The engine generator's whole state (an opaque string), after pending random ops finish.
   * setState(getState()) later makes the following draws repeat exactly: checkpoints use it.
   */
  getState(): string {
    return native().randomState();
  },
  /** Restores a state from getState(); throws ValueError for anything else. */
  setState(state: string): void {
    native().setRandomState(state);
  },
};
