// Loads the addon (prebuilds/<platform>-<arch>/mixnet.node, else a local cmake-js build) and
// declares, once, the shape of what it exports. Handles are numbers (see native/binding.h).
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import { MXNetError } from './errors.js';
import { moduleDir, nativeRequire } from './locate.js';

/** An NDArrayHandle as the addon hands it out: the pointer value as a number. */
export type Handle = number;

/** The addon's exports (native/addon.cc, native/async_read.cc). Errors: MXNetError. */
export interface NativeBinding {
  /** [sync] Registers the class engine errors are thrown as. */
  init(errorClass: new (message: string, kind: number, op?: string) => Error): void;
  /** [sync] [MIXNET_VERSION, MIXNET_ABI_VERSION]. */
  version(): [number, number];
  /** [sync] [registry JSON, its SHA-256 hex]. */
  registry(): [string, string];
  /** [sync] Small int naming the op for invoke(); throws NotFoundError. */
  opIndex(name: string): number;
  /** [sync] New array; copies `data` in when given (element count must equal the size). */
  create(shape: readonly number[], dtype: number, devType: number, devId: number, data?: ArrayBufferView): Handle;
  /** [sync] Frees the handle. */
  free(h: Handle): void;
  /** [sync] */
  shape(h: Handle): number[];
  /** [sync] dtype code. */
  dtype(h: Handle): number;
  /** [sync] [devType, devId]. */
  context(h: Handle): [number, number];
  /** [sync, blocks] Copies host data in / out (waits for the engine). */
  copyFrom(h: Handle, data: ArrayBufferView): void;
  copyTo(h: Handle, data: ArrayBufferView): void;
  /** [sync, blocks] Engine sync points; re-throw async op errors. */
  waitToRead(h: Handle): void;
  waitAll(): void;
  /** [async] Waits on a worker thread, then copies `elements` elements into a new ArrayBuffer. */
  readAsync(h: Handle, byteLength: number, elements: number): Promise<ArrayBuffer>;
  /** [async] MXNDArrayWaitAll on a worker thread. */
  waitAllAsync(): Promise<void>;
  /** [sync] Views without copy. */
  slice(h: Handle, begin: number, end: number): Handle;
  at(h: Handle, index: number): Handle;
  reshape(h: Handle, dims: readonly number[], reverse: boolean): Handle;
  /** [sync] Queues an op; one output → its handle, several (or `outs` given) → an array. */
  invoke(
    op: number,
    inputs: readonly Handle[],
    keys?: readonly string[],
    vals?: readonly string[],
    outs?: readonly Handle[],
  ): Handle | Handle[];
  /** [sync] Fast path of invoke(): up to 3 input handles as arguments, no params, no outs. */
  invokeN(op: number, ...inputs: Handle[]): Handle | Handle[];
  /** [sync, blocks] .params files. */
  save(fname: string, handles: readonly Handle[], keys?: readonly string[]): void;
  load(fname: string): [Handle[], string[]];
  /** [sync] */
  seed(seed: number): void;
  randomState(): string;
  setRandomState(state: string): void;
  /** [sync] [live handles, live owned bytes] made through this addon. */
  memory(): [number, number];
  /** [sync] [engine workers, intra-op threads]. */
  engineInfo(): [number, number];
  /** [sync] Autograd modes of the calling thread; each returns the previous mode. */
  setRecording(on: boolean): boolean;
  setTraining(on: boolean): boolean;
  /** [sync] [isRecording, isTraining]. */
  modes(): [boolean, boolean];
  /** [sync] reqs: 0 null, 1 write, 3 add. */
  markVariables(vars: readonly Handle[], reqs: readonly number[], grads: readonly Handle[]): void;
  /** [sync] Queues backward; headGrads entries 0 mean ones. With variables: their gradients. */
  backward(heads: readonly Handle[], headGrads: readonly Handle[], retainGraph: boolean, variables?: readonly Handle[]): Handle[] | undefined;
  /** [sync] View of a marked variable's gradient buffer, or null. */
  getGrad(h: Handle): Handle | null;
  /** [sync] View of the array off the recorded graph. */
  detach(h: Handle): Handle;
}

/** The package root: the nearest directory upward holding mixnet's package.json. */
function packageRoot(): string {
  let dir = moduleDir;
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === 'mixnet') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(moduleDir, '..');
    dir = up;
  }
}

/** Where the addon may be, in the order they are tried: a prebuilt binary, then a local build. */
export function candidatePaths(): string[] {
  const root = packageRoot();
  // MIXNET_NATIVE names the one addon to load (no fallback), e.g. for testing a prebuild.
  const env = process.env['MIXNET_NATIVE'];
  if (env) return [path.resolve(env)];
  return [
    path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'mixnet.node'),
    path.join(root, 'build', 'native', 'Release', 'mixnet.node'),
  ];
}

let loaded: NativeBinding | undefined;

/** The addon, loaded on first use. Throws an Error that says how to build it when absent. */
export function native(): NativeBinding {
  if (loaded) return loaded;
  const tried = candidatePaths();
  const found = tried.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `mixnet: no native addon for ${process.platform}-${process.arch}. Looked for:\n` +
        tried.map((p) => `  ${p}`).join('\n') +
        '\nBuild it from the repository root with `npx nx run mixnet:build` (builds the engine first), ' +
        'or `bash scripts/build-engine.sh && npm run build -w mixnet`; or set MIXNET_NATIVE to a mixnet.node.',
    );
  }
  const binding = nativeRequire(found) as NativeBinding;
  binding.init(MXNetError);
  loaded = binding;
  return binding;
}
