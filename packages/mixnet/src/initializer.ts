// mx.init: how parameters get their first values (MXNet 1.x's initializer.py semantics).
// A global initializer passed to initialize() dispatches on the parameter's name, as MXNet does:
// *weight → the initializer's own rule, *bias/*beta/*moving_mean → 0, *gamma/*moving_var → 1.
// A parameter's own `init` wins over the global one and is applied whatever the name.
// Random draws go through the engine's generator (seeded by mx.random.seed), so a seed makes
// initialisation reproducible across languages.
import { fail } from './errors.js';
import * as ops from './generated/ops.js';
import { type NDArray } from './ndarray.js';

/** What an initializer is told about the array it fills. */
export interface InitDesc {
  /** The parameter's full name (dense0_weight); its suffix selects the rule. */
  readonly name: string;
  /** The parameter's own initializer, when it has one. */
  readonly init?: Initializer | string | undefined;
}

export abstract class Initializer {
  /** Fills `arr` in place for the parameter described by `desc`. */
  apply(desc: InitDesc | string, arr: NDArray): void {
    const d = typeof desc === 'string' ? { name: desc } : desc;
    if (d.init !== undefined) {
      create(d.init).initWeight(d.name, arr);
      return;
    }
    const n = d.name;
    if (n.endsWith('weight')) this.initWeight(n, arr);
    else if (n.endsWith('bias') || n.endsWith('beta')) fillConstant(arr, 0);
    else if (n.endsWith('gamma')) fillConstant(arr, 1);
    else if (/(moving|running)_(mean|inv_var)$/.test(n)) fillConstant(arr, 0);
    else if (/(moving|running)_var$/.test(n)) fillConstant(arr, 1);
    else if (n.endsWith('min') || n.endsWith('max')) fillConstant(arr, 0);
    else this.initDefault(n, arr);
  }

  /** The rule for weights (and for any parameter that names this initializer as its own). */
  abstract initWeight(name: string, arr: NDArray): void;

  /** Names no rule covers: MXNet refuses them rather than guessing. */
  protected initDefault(name: string, _arr: NDArray): void {
    fail(
      'ValueError',
      `${this.constructor.name}: unknown parameter name pattern for '${name}': names should end in weight, bias, gamma, ` +
        "beta, moving_mean or moving_var, or the parameter should carry its own init (e.g. init: 'zeros')",
    );
  }

  /** MXNet's dumps(): the JSON form [name, kwargs] symbol attributes store. */
  dumps(): string {
    return JSON.stringify([this.constructor.name.toLowerCase(), this.kwargs()]);
  }
  protected kwargs(): Record<string, unknown> {
    return {};
  }
}

function fillConstant(arr: NDArray, value: number): void {
  ops._full({ shape: [...arr.shape], value, dtype: arr.dtype, out: arr });
}
function fillUniform(arr: NDArray, low: number, high: number): void {
  ops._random_uniform({ low, high, shape: [...arr.shape], dtype: arr.dtype, out: arr });
}
function fillNormal(arr: NDArray, loc: number, scale: number): void {
  ops._random_normal({ loc, scale, shape: [...arr.shape], dtype: arr.dtype, out: arr });
}

/** Every parameter gets `value`. */
export class Constant extends Initializer {
  constructor(readonly value: number) {
    super();
  }
  initWeight(_name: string, arr: NDArray): void {
    fillConstant(arr, this.value);
  }
  protected override kwargs(): Record<string, unknown> {
    return { value: this.value };
  }
}
export class Zero extends Initializer {
  initWeight(_name: string, arr: NDArray): void {
    fillConstant(arr, 0);
  }
}
export class One extends Initializer {
  initWeight(_name: string, arr: NDArray): void {
    fillConstant(arr, 1);
  }
}

/** Uniform on [-scale, scale] (MXNet's default initializer, scale 0.07). */
export class Uniform extends Initializer {
  constructor(readonly scale = 0.07) {
    super();
  }
  initWeight(_name: string, arr: NDArray): void {
    fillUniform(arr, -this.scale, this.scale);
  }
  protected override kwargs(): Record<string, unknown> {
    return { scale: this.scale };
  }
}

/** Normal with mean 0 and standard deviation sigma. */
export class Normal extends Initializer {
  constructor(readonly sigma = 0.01) {
    super();
  }
  initWeight(_name: string, arr: NDArray): void {
    fillNormal(arr, 0, this.sigma);
  }
  protected override kwargs(): Record<string, unknown> {
    return { sigma: this.sigma };
  }
}

export type XavierRandType = 'uniform' | 'gaussian';
export type XavierFactorType = 'avg' | 'in' | 'out';

/**
 * Glorot/Xavier: variance magnitude / factor, where factor is the average of fan-in and fan-out
 * ('avg'), or one of them. Fans count the receptive field (shape[2:]) as MXNet does.
 */
export class Xavier extends Initializer {
  constructor(
    readonly rndType: XavierRandType = 'uniform',
    readonly factorType: XavierFactorType = 'avg',
    readonly magnitude = 3,
  ) {
    super();
    if (rndType !== 'uniform' && rndType !== 'gaussian') fail('ValueError', `Xavier: rnd_type must be 'uniform' or 'gaussian', got '${String(rndType)}'`);
    if (factorType !== 'avg' && factorType !== 'in' && factorType !== 'out') {
      fail('ValueError', `Xavier: factor_type must be 'avg', 'in' or 'out', got '${String(factorType)}'`);
    }
  }
  initWeight(name: string, arr: NDArray): void {
    const shape = arr.shape;
    if (shape.length < 2) {
      fail('ValueError', `Xavier: cannot initialise '${name}' of shape (${shape.join(', ')}): it needs at least 2 dimensions (fan-in and fan-out)`);
    }
    let field = 1;
    for (let i = 2; i < shape.length; i++) field *= shape[i]!;
    const fanIn = shape[1]! * field;
    const fanOut = shape[0]! * field;
    const factor = this.factorType === 'avg' ? (fanIn + fanOut) / 2 : this.factorType === 'in' ? fanIn : fanOut;
    const scale = Math.sqrt(this.magnitude / factor);
    if (this.rndType === 'uniform') fillUniform(arr, -scale, scale);
    else fillNormal(arr, 0, scale);
  }
  protected override kwargs(): Record<string, unknown> {
    return { rnd_type: this.rndType, factor_type: this.factorType, magnitude: this.magnitude };
  }
}

/** He/MSRA initialisation for PReLU nets: Xavier gaussian with magnitude 2 / (1 + slope²). */
export class MSRAPrelu extends Xavier {
  constructor(
    factorType: XavierFactorType = 'avg',
    readonly slope = 0.25,
  ) {
    super('gaussian', factorType, 2 / (1 + slope * slope));
  }
  protected override kwargs(): Record<string, unknown> {
    return { factor_type: this.factorType, slope: this.slope };
  }
}

const BY_NAME: Record<string, () => Initializer> = {
  zeros: () => new Zero(),
  zero: () => new Zero(),
  ones: () => new One(),
  one: () => new One(),
  uniform: () => new Uniform(),
  normal: () => new Normal(),
  xavier: () => new Xavier(),
  msraprelu: () => new MSRAPrelu(),
};

/** An initializer from its MXNet name ('xavier', 'zeros', ...) or itself. */
export function create(init: Initializer | string): Initializer {
  if (init instanceof Initializer) return init;
  const make = BY_NAME[init.toLowerCase()];
  if (!make) fail('ValueError', `mx.init.create: unknown initializer '${init}' (known: ${Object.keys(BY_NAME).join(', ')})`);
  return make();
}
