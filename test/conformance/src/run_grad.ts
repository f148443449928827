// Runs one ops.json gradient case through mixnet's autograd as MXNet recorded it: inputs that
// have a gradient get attachGrad(), the op runs under record() in training mode, backward() runs
// with ones as head gradients, and outputs, gradients and in-place-updated inputs are compared.
import * as mx from 'mixnet';

import { type Actual, flatten, mismatch, type Tolerance, toNumber } from './compare.js';
import type { GradCase, Nested, TensorRecord } from './fixture.js';
import type { Outcome } from './run.js';

/**
 * Gradients sum over different orders than MXNet's kernels (oneDNN, OpenBLAS, reductions), so
 * float32 gradients get a looser tolerance than forward values; MXNet's own gradient tests use
 * rtol 1e-3 or looser.
 */
export const GRAD_TOLERANCE: Tolerance = { rtol: 1e-4, atol: 1e-5 };

function makeInput(rec: TensorRecord): mx.NDArray {
  const values = flatten<Nested>(rec.data).map(toNumber);
  return mx.nd.array(values, { dtype: rec.dtype as mx.DTypeName, shape: rec.shape });
}

async function read(a: mx.NDArray): Promise<Actual> {
  const nested = await a.toArray();
  return { dtype: a.dtype, shape: a.shape, values: flatten<number | bigint | boolean>(nested as never) };
}

export async function runGradCase(c: GradCase): Promise<Outcome> {
  try {
    return await mx.tidy(async () => {
      const inputs = c.inputs.map(makeInput);
      c.grads.forEach((g, i) => {
        if (!('grad' in g && g.grad === null)) inputs[i]!.attachGrad();
      });
      const outs = mx.autograd.record(() => mx.nd.invoke(c.op, inputs, c.attrs), { trainMode: true });
      if (outs.length !== c.outputs.length) {
        return { ok: false, detail: `${outs.length} outputs, MXNet ${c.outputs.length}` } as Outcome;
      }
      mx.autograd.backward(outs);
      const problems: string[] = [];
      for (let i = 0; i < outs.length; i++) {
        const m = mismatch(c.outputs[i]!, await read(outs[i]!), `output ${i}`);
        if (m) problems.push(m);
      }
      for (let i = 0; i < c.grads.length; i++) {
        const g = c.grads[i]!;
        if ('grad' in g && g.grad === null) continue;
        const m = mismatch(g as TensorRecord, await read(inputs[i]!.grad!), `gradient of ${g.name}`, GRAD_TOLERANCE);
        if (m) problems.push(m);
      }
      for (const [name, after] of Object.entries(c.inputs_after ?? {})) {
        const i = c.inputs.findIndex((rec) => rec.name === name);
        if (i < 0) return { ok: false, detail: `inputs_after names unknown input ${name}` } as Outcome;
        const m = mismatch(after, await read(inputs[i]!), `${name} after the call`);
        if (m) problems.push(m);
      }
      return (problems.length ? { ok: false, detail: problems.join('\n') } : { ok: true }) as Outcome;
    });
  } catch (e) {
    return { ok: false, detail: `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
  }
}
