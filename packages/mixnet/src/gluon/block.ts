// Gluon blocks: the unit networks are built from (MXNet 1.x's gluon.Block/HybridBlock).
// A block owns parameters and child blocks; both are found by looking at the block's own
// properties in assignment order, the way MXNet registers attributes in __setattr__, so
// `this.dense = new nn.Dense(10)` is all a user writes. Users run a block with `block.call(x)`.
import { type DTypeName } from '../dtype.js';
import { fail } from '../errors.js';
import { type Initializer } from '../initializer.js';
import { type NDArray } from '../ndarray.js';
import * as nd from '../nd.js';
import { type InitializeOptions, Parameter } from './parameter.js';
import { assignLoaded, loadNamedArrays, type LoadOptions, ParameterDict } from './parameter_dict.js';

/** The op namespace a HybridBlock computes with (mx.nd today; symbols join it with hybridize). */
export type OpNamespace = typeof nd;

export interface BlockOptions {
  /** Name prefix of the block's parameters (default: class name + a counter, e.g. dense0_). */
  prefix?: string;
  /** Share parameters with another block (its collectParams()). */
  params?: ParameterDict;
}

// Name scopes: a block created inside parent.nameScope(fn) is named relative to the parent.
const scopeStack: Block<unknown, never[]>[] = [];
const globalCounters = new Map<string, number>();

function nextName(counters: Map<string, number>, hint: string): string {
  const n = counters.get(hint) ?? 0;
  counters.set(hint, n + 1);
  return `${hint}${n}_`;
}

type AnyBlock = Block<unknown, never[]>;
type Hook = (block: AnyBlock, inputs: readonly unknown[], output?: unknown) => void;

export class Block<Out = NDArray, In extends unknown[] = NDArray[]> {
  readonly prefix: string;
  private readonly _params: ParameterDict;
  private readonly _registered = new Map<string, AnyBlock>();
  private readonly _childCounters = new Map<string, number>();
  private readonly _preHooks: Hook[] = [];
  private readonly _hooks: Hook[] = [];
  // Discovery results, reused while the set of own properties and registrations is unchanged
  // (forward runs per batch; rescanning every property each time showed up in profiles).
  private _scan: { keys: number; registered: number; children: Map<string, AnyBlock>; params: [string, Parameter][] } | undefined;

  constructor(options: BlockOptions = {}) {
    const parent = scopeStack[scopeStack.length - 1];
    const hint = this.alias();
    if (parent === undefined) this.prefix = options.prefix ?? nextName(globalCounters, hint);
    else this.prefix = parent.prefix + (options.prefix ?? nextName(parent._childCounters, hint));
    // A shared dict keeps its own prefix, so its parameters are found by their names (MXNet's rule).
    this._params = new ParameterDict(options.params ? options.params.prefix : this.prefix, options.params);
    // MXNet's hidden fields start with '_': keep ours out of property discovery.
    for (const k of ['_params', '_registered', '_childCounters', '_preHooks', '_hooks', '_scan']) {
      Object.defineProperty(this, k, { enumerable: false });
    }
  }

  /**
   * The name hint of default prefixes: the lowercased class name, or MXNet's shorter alias where
   * a subclass gives one (LSTMCell → lstm). Called from the constructor: must not read fields.
   */
  protected alias(): string {
    return this.constructor.name.toLowerCase();
  }

  /** The prefix without its trailing underscore (dense0). */
  get name(): string {
    return this.prefix.endsWith('_') ? this.prefix.slice(0, -1) : this.prefix;
  }

  /** The parameters this block created itself (not its children's). */
  get params(): ParameterDict {
    return this._params;
  }

  /** Runs `fn` with this block as the naming parent of the blocks it creates. */
  nameScope<T>(fn: () => T): T {
    scopeStack.push(this as unknown as AnyBlock);
    try {
      return fn();
    } finally {
      scopeStack.pop();
    }
  }

  /** Registers a child under `name` (Sequential does this; properties register themselves). */
  registerChild(block: AnyBlock | Block<unknown, never>, name?: string): void {
    this._registered.set(name ?? String(this._registered.size), block as AnyBlock);
  }

  private scan(): NonNullable<Block['_scan']> {
    const keys = Object.keys(this);
    const cached = this._scan;
    if (cached !== undefined && cached.keys === keys.length && cached.registered === this._registered.size) return cached;
    const children = new Map<string, AnyBlock>();
    const params: [string, Parameter][] = [];
    for (const k of keys) {
      const v = (this as Record<string, unknown>)[k];
      if (v instanceof Block) children.set(k, v as AnyBlock);
      else if (v instanceof Parameter) params.push([k, v]);
    }
    for (const [k, v] of this._registered) if (!children.has(k)) children.set(k, v);
    return (this._scan = { keys: keys.length, registered: this._registered.size, children, params });
  }

  /** Child blocks by attribute name, in registration order. */
  get children(): ReadonlyMap<string, AnyBlock> {
    return this.scan().children;
  }

  /** This block's parameters by attribute name (this.weight → 'weight'). */
  regParams(): readonly [string, Parameter][] {
    return this.scan().params;
  }

  /** Every parameter of this block and its descendants by full name; optionally filtered by a regex. */
  collectParams(select?: string | RegExp): ParameterDict {
    const all = new ParameterDict(this.prefix);
    const seen = new Set<AnyBlock>();
    const walk = (b: AnyBlock): void => {
      if (seen.has(b)) return;
      seen.add(b);
      all.update(b._params);
      for (const [, p] of b.regParams()) if (!all.has(p.name)) all.update([[p.name, p]]);
      for (const c of b.children.values()) walk(c);
    };
    walk(this as unknown as AnyBlock);
    return select === undefined ? all : all.select(select);
  }

  /** Parameters by structural name ('features.0.weight'), the names saveParameters writes. */
  collectParamsWithPrefix(prefix = ''): Map<string, Parameter> {
    const out = new Map<string, Parameter>();
    const p = prefix ? `${prefix}.` : '';
    for (const [k, v] of this.regParams()) out.set(p + k, v);
    for (const [k, c] of this.children) for (const [n, v] of c.collectParamsWithPrefix(p + k)) out.set(n, v);
    return out;
  }

  /** Initialises every parameter (deferred ones on their first forward). */
  initialize(init?: Initializer | string, options: Omit<InitializeOptions, 'init'> = {}): this {
    this.collectParams().initialize(init, options);
    return this;
  }

  /** Turns graph compilation on; results never change (compiled execution arrives with symbols). */
  hybridize(active = true): this {
    for (const c of this.children.values()) c.hybridize(active);
    return this;
  }

  cast(dtype: DTypeName): this {
    for (const c of this.children.values()) c.cast(dtype);
    for (const [, p] of this.regParams()) p.cast(dtype);
    return this;
  }

  /** Calls fn on every descendant and then on this block (MXNet's apply). */
  apply(fn: (b: AnyBlock) => void): this {
    for (const c of this.children.values()) c.apply(fn);
    fn(this as unknown as AnyBlock);
    return this;
  }

  zeroGrad(): void {
    this.collectParams().zeroGrad();
  }

  registerForwardPreHook(hook: Hook): () => void {
    this._preHooks.push(hook);
    return () => this._preHooks.splice(this._preHooks.indexOf(hook) >>> 0, 1);
  }
  registerForwardHook(hook: Hook): () => void {
    this._hooks.push(hook);
    return () => this._hooks.splice(this._hooks.indexOf(hook) >>> 0, 1);
  }

  /** Runs the block (MXNet's block(x)). */
  call(...inputs: In): Out {
    if (this._preHooks.length === 0 && this._hooks.length === 0) return this.forward(...inputs);
    for (const h of this._preHooks) h(this as unknown as AnyBlock, inputs);
    const out = this.forward(...inputs);
    for (const h of this._hooks) h(this as unknown as AnyBlock, inputs, out);
    return out;
  }

  /** The computation; subclasses override it. */
  forward(..._inputs: In): Out {
    return fail('NotImplementedError', `${this.constructor.name}: forward() is not implemented`);
  }

  /** Saves the parameters by structural name ('0.weight', 'conv1.bias') in MXNet's .params format. */
  saveParameters(file: string): void {
    const rec: Record<string, NDArray> = {};
    const seen = new Set<Parameter>();
    for (const [k, p] of this.collectParamsWithPrefix()) {
      if (seen.has(p)) continue; // a shared parameter is written once, under its first name
      seen.add(p);
      rec[k] = p.data();
    }
    nd.save(file, rec);
  }

  /**
   * Loads parameters saved by saveParameters (structural names), or by collectParams().save()
   * (full names). Checks every name, shape and dtype before changing anything.
   */
  loadParameters(file: string, options: LoadOptions = {}): void {
    const arrays = loadNamedArrays(file);
    assignLoaded(file, this.paramsForNames(arrays.keys()), arrays, options);
  }

  /**
   * The parameter map a set of saved names refers to: structural names ('0.weight'), or full
   * names (dense0_weight) when those match more of them.
   */
  paramsForNames(names: Iterable<string>): Map<string, Parameter> {
    const keys = new Set(names);
    const structural = this.collectParamsWithPrefix();
    // Shared parameters are saved once; their other structural names are not "missing".
    const first = new Map<Parameter, string>();
    for (const [k, p] of structural) if (keys.has(k) && !first.has(p)) first.set(p, k);
    for (const [k, p] of [...structural]) if (!keys.has(k) && first.has(p)) structural.delete(k);
    const full = new Map([...this.collectParams()]);
    const hits = (m: ReadonlyMap<string, Parameter>): number => [...keys].filter((k) => m.has(k)).length;
    return hits(full) > hits(structural) ? full : structural;
  }

  /** A one-line description of the layer itself (Dense: "784 -> 10, relu"). */
  protected extraRepr(): string {
    return '';
  }

  toString(): string {
    const kids = [...this.children];
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (kids.length === 0) return `${head})`;
    const body = kids.map(([k, c]) => `  (${k}): ${c.toString().replace(/\n/g, '\n  ')}`).join('\n');
    return `${head}\n${body}\n)`;
  }
}

/**
 * A block whose computation is written against an op namespace F, so it can later be compiled
 * into a graph. Subclasses implement hybridForward(F, p, ...inputs) where p holds the data of
 * the block's own parameters by attribute name, and inferShape(...inputs) when some parameter
 * shapes depend on the input (Dense without in_units).
 */
export class HybridBlock<Out = NDArray, In extends unknown[] = NDArray[]> extends Block<Out, In> {
  private _active = false;

  constructor(options: BlockOptions = {}) {
    super(options);
    Object.defineProperty(this, '_active', { enumerable: false });
  }

  override hybridize(active = true): this {
    this._active = active;
    return super.hybridize(active);
  }
  /** Whether hybridize() was called (execution is identical either way for now). */
  get isHybridized(): boolean {
    return this._active;
  }

  /** Fills in the unknown (0) dimensions of this block's parameters from the inputs. */
  inferShape(..._inputs: In): void {
    const pending = this.regParams().filter(([, p]) => p.isDeferred).map(([, p]) => p.name);
    fail('ValueError', `${this.constructor.name}: cannot infer the shape of ${pending.join(', ')} from the input; give the layer its input size`);
  }

  override forward(...inputs: In): Out {
    const reg = this.regParams();
    let deferred = false;
    for (const [, p] of reg) if (p.isDeferred) deferred = true;
    if (deferred) {
      this.inferShape(...inputs);
      for (const [, p] of reg) p.finishDeferredInit();
    }
    const p: Record<string, NDArray> = {};
    for (const [k, v] of reg) p[k] = v.data();
    return this.hybridForward(nd, p, ...inputs);
  }

  hybridForward(_F: OpNamespace, _p: Record<string, NDArray>, ..._inputs: In): Out {
    return fail('NotImplementedError', `${this.constructor.name}: hybridForward() is not implemented`);
  }
}

type Chainable = Block<NDArray, [NDArray]>;

function childAt(b: AnyBlock, i: number): Chainable {
  const c = [...b.children.values()][i];
  if (c === undefined) fail('IndexError', `${b.constructor.name}: index ${i} out of range for ${b.children.size} children`);
  return c as unknown as Chainable;
}
function chain(b: AnyBlock, x: NDArray): NDArray {
  let y = x;
  for (const c of b.children.values()) y = (c as unknown as Chainable).call(y);
  return y;
}

/** Runs children in order, each on the previous one's output. */
export class Sequential extends Block<NDArray, [NDArray]> {
  /** Appends blocks. */
  add(...blocks: Chainable[]): this {
    for (const b of blocks) this.registerChild(b as unknown as AnyBlock);
    return this;
  }
  get length(): number {
    return this.children.size;
  }
  /** The i-th child. */
  at(i: number): Chainable {
    return childAt(this as unknown as AnyBlock, i);
  }
  override forward(x: NDArray): NDArray {
    return chain(this as unknown as AnyBlock, x);
  }
}

/** Sequential for hybrid blocks (the whole chain compiles as one graph once symbols exist). */
export class HybridSequential extends HybridBlock<NDArray, [NDArray]> {
  add(...blocks: Chainable[]): this {
    for (const b of blocks) this.registerChild(b as unknown as AnyBlock);
    return this;
  }
  get length(): number {
    return this.children.size;
  }
  at(i: number): Chainable {
    return childAt(this as unknown as AnyBlock, i);
  }
  override forward(x: NDArray): NDArray {
    return chain(this as unknown as AnyBlock, x);
  }
}
