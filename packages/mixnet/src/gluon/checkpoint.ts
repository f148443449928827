// Training checkpoints: everything a run needs to continue bit-identically, in ONE MXNet .params
// file written atomically (a temporary file renamed into place, so a crash mid-write never
// leaves a torn checkpoint and never loses the previous one):
//   net:<structural name>     the network's parameters (as saveParameters names them)
//   trainer:<index>_<k>       the optimizer's state arrays
//   __mixnet_checkpoint__     UTF-8 JSON (uint8 array): format/version, epoch, batch, the
//                             optimizer's counters and scheduler state, the data loader's
//                             position, the engine generator's state, and user extras.
// Loading checks the whole file against the network, trainer and loader before changing them.
import { renameSync, rmSync } from 'node:fs';

import { fail } from '../errors.js';
import * as nd from '../nd.js';
import { type NDArray } from '../ndarray.js';
import { native } from '../native.js';
import { type OptimizerMeta } from '../optimizer/index.js';
import { type Block } from './block.js';
import { applyLoaded, validateLoaded } from './parameter_dict.js';
import { type Trainer } from './trainer.js';

const META_KEY = '__mixnet_checkpoint__';
const FORMAT = 'mixnet-checkpoint';
const VERSION = 1;

/** Something whose position can be saved and restored (gluon.data.DataLoader). */
export interface Resumable<S = unknown> {
  state(): S;
  setState(state: S): void;
}

export interface CheckpointParts {
  // Any block: only its parameters are touched.
  net: Block<unknown, never[]>;
  trainer?: Trainer;
  loader?: Resumable;
}

export interface CheckpointInfo {
  /** The epoch the run is in (or about to start). */
  epoch: number;
  /** Batches of that epoch already trained. */
  batch: number;
  /** Anything JSON-serialisable the caller wants back (metrics so far, a best score...). */
  extra?: Record<string, unknown>;
}

interface Meta extends CheckpointInfo {
  format: typeof FORMAT;
  version: number;
  trainer: OptimizerMeta | null;
  loader: unknown;
  rng: string;
}

/** Writes a checkpoint of `parts` at position `info` to `file` (replacing it atomically). */
export function saveCheckpoint(file: string, parts: CheckpointParts, info: CheckpointInfo): void {
  const rec: Record<string, NDArray> = {};
  const seen = new Set<unknown>();
  for (const [k, p] of parts.net.collectParamsWithPrefix()) {
    if (seen.has(p)) continue;
    seen.add(p);
    rec[`net:${k}`] = p.data();
  }
  const states = parts.trainer?.states();
  if (states) for (const [k, a] of Object.entries(states.arrays)) rec[`trainer:${k}`] = a;
  const meta: Meta = {
    format: FORMAT,
    version: VERSION,
    epoch: info.epoch,
    batch: info.batch,
    extra: info.extra ?? {},
    trainer: states?.meta ?? null,
    loader: parts.loader ? parts.loader.state() : null,
    rng: native().randomState(),
  };
  const metaArr = nd.array(new Uint8Array(Buffer.from(JSON.stringify(meta), 'utf8')), { dtype: 'uint8' });
  rec[META_KEY] = metaArr;
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    nd.save(tmp, rec);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    metaArr.dispose();
    if (states) for (const a of Object.values(states.arrays)) a.dispose();
  }
}

function parseMeta(file: string, arr: NDArray | undefined): Meta {
  if (arr === undefined) fail('ValueError', `loadCheckpoint: '${file}' has no ${META_KEY} entry: not a checkpoint written by saveCheckpoint`);
  let meta: Meta;
  try {
    meta = JSON.parse(Buffer.from(arr.dataSync() as Uint8Array).toString('utf8')) as Meta;
  } catch (e) {
    return fail('ValueError', `loadCheckpoint: '${file}': its metadata is not valid JSON (${(e as Error).message})`);
  }
  if (meta === null || typeof meta !== 'object' || meta.format !== FORMAT) fail('ValueError', `loadCheckpoint: '${file}' is not a ${FORMAT} file`);
  if (meta.version !== VERSION) fail('ValueError', `loadCheckpoint: '${file}' has checkpoint version ${String(meta.version)}; this mixnet reads version ${VERSION}`);
  if (!Number.isInteger(meta.epoch) || !Number.isInteger(meta.batch) || meta.epoch < 0 || meta.batch < 0 || typeof meta.rng !== 'string') {
    fail('ValueError', `loadCheckpoint: '${file}': malformed position or generator state in the metadata`);
  }
  return meta;
}

/**
 * Restores a checkpoint into `parts` (which must be built like the saved ones) and returns the
 * position to continue from. Nothing changes unless the whole file fits.
 */
export function loadCheckpoint(file: string, parts: CheckpointParts): CheckpointInfo {
  const loaded = nd.load(file);
  const arrays: NDArray[] = Array.isArray(loaded) ? loaded : Object.values(loaded);
  try {
    if (Array.isArray(loaded)) fail('ValueError', `loadCheckpoint: '${file}' holds unnamed arrays, not a checkpoint`);
    const meta = parseMeta(file, loaded[META_KEY]);
    const netArrays = new Map<string, NDArray>();
    const trainerArrays: Record<string, NDArray> = {};
    for (const [k, a] of Object.entries(loaded)) {
      if (k.startsWith('net:')) netArrays.set(k.slice(4), a);
      else if (k.startsWith('trainer:')) trainerArrays[k.slice(8)] = a;
    }
    const byName = parts.net.paramsForNames(netArrays.keys());
    validateLoaded(file, byName, netArrays, {});
    if (parts.trainer && meta.trainer === null) fail('ValueError', `loadCheckpoint: '${file}' holds no trainer state, but a trainer was given`);
    if (parts.loader && meta.loader === null) fail('ValueError', `loadCheckpoint: '${file}' holds no data loader position, but a loader was given`);
    // Each setter below validates its own part before changing anything.
    if (parts.loader) parts.loader.setState(meta.loader);
    if (parts.trainer) parts.trainer.setStates({ arrays: trainerArrays, meta: meta.trainer! });
    applyLoaded(byName, netArrays);
    native().setRandomState(meta.rng);
    return { epoch: meta.epoch, batch: meta.batch, extra: meta.extra ?? {} };
  } finally {
    for (const a of arrays) a.dispose();
  }
}
