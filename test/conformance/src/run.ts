// Runs one ops.json case through mixnet: the op by the name MXNet stored, the attributes as the
// strings MXNet wrote (mx.nd.invoke, the symbol-loading path), inputs with their dtypes.
import * as mx from 'mixnet';

import { type Actual, flatten, mismatch, toNumber } from './compare.js';
import type { Nested, OpCase, TensorRecord } from './fixture.js';

export type Outcome = { ok: true } | { ok: false; detail: string };

function makeInput(rec: TensorRecord): mx.NDArray {
  const values = flatten<Nested>(rec.data).map(toNumber);
  return mx.nd.array(values, { dtype: rec.dtype as mx.DTypeName, shape: rec.shape });
}

async function readOutput(a: mx.NDArray): Promise<Actual> {
  const nested = await a.toArray();
  const values = flatten<number | bigint | boolean>(nested as unknown as number | bigint | boolean | unknown[]);
  return { dtype: a.dtype, shape: a.shape, values };
}

/** Whether mixnet reproduces the case; a thrown error is a failure whose detail is its message. */
export async function runCase(c: OpCase): Promise<Outcome> {
  try {
    return await mx.tidy(async () => {
      const outs = mx.nd.invoke(c.op, c.inputs.map(makeInput), c.attrs);
      if (outs.length !== c.outputs.length) {
        return { ok: false, detail: `${outs.length} outputs, MXNet ${c.outputs.length}` } as Outcome;
      }
      const problems: string[] = [];
      for (let i = 0; i < outs.length; i++) {
        const m = mismatch(c.outputs[i]!, await readOutput(outs[i]!), `output ${i}`);
        if (m) problems.push(m);
      }
      return (problems.length ? { ok: false, detail: problems.join('\n') } : { ok: true }) as Outcome;
    });
  } catch (e) {
    return { ok: false, detail: `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
  }
}
