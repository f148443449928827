// One vitest test per MXNet 1.9.1 case (shared/fixtures/mxnet-1.9.1/ops.json), named by case id.
// Op not registered -> a todo that names the op ("not yet"); registered -> must match MXNet, unless
// listed in known-differences.json, where it must STILL differ (a fix forces removing the entry).
// Gradient cases run through mx.autograd; a case whose op is not registered is a todo. Known
// differences of gradient cases use the key "grad <case id>". Prints one coverage line.
import * as mx from 'mixnet';
import { afterAll, describe, expect, it } from 'vitest';

import { loadFixture, loadKnownDifferences } from '../src/fixture.js';
import { runCase } from '../src/run.js';
import { runGradCase } from '../src/run_grad.js';

const fixture = loadFixture();
const known = loadKnownDifferences();
let passed = 0;
let gradsPassed = 0;
const notYet = new Set<string>();

describe(`mxnet-${fixture.mxnet_version} op cases`, () => {
  it('known-differences.json names only existing cases of registered ops', () => {
    const byId = new Map<string, { op: string }>(fixture.ops.map((c) => [c.name, c]));
    for (const g of fixture.grads) byId.set(`grad ${g.name}`, g);
    for (const id of known.keys()) {
      const c = byId.get(id);
      expect(c, `${id} is not a case in ops.json`).toBeDefined();
      expect(mx.registry.has(c!.op), `${id}: op ${c!.op} is not registered; the case is "not yet", not a known difference`).toBe(true);
    }
  });

  for (const c of fixture.ops) {
    if (!mx.registry.has(c.op)) {
      notYet.add(c.op);
      it.todo(`${c.name}: not yet (op ${c.op} not registered)`);
      continue;
    }
    const reason = known.get(c.name);
    if (reason !== undefined) {
      it(`${c.name} (known difference: ${reason})`, async () => {
        const r = await runCase(c);
        expect(r.ok, `${c.name} now matches MXNet: remove it from known-differences.json`).toBe(false);
      });
      continue;
    }
    it(c.name, async () => {
      const r = await runCase(c);
      if (!r.ok) expect.fail(`${c.name} (op ${c.op}, attrs ${JSON.stringify(c.attrs)}):\n${r.detail}`);
      passed++;
    });
  }
});

describe(`mxnet-${fixture.mxnet_version} gradient cases`, () => {
  for (const g of fixture.grads) {
    if (!mx.registry.has(g.op)) {
      notYet.add(g.op);
      it.todo(`grad ${g.name}: not yet (op ${g.op} not registered)`);
      continue;
    }
    const reason = known.get(`grad ${g.name}`);
    if (reason !== undefined) {
      it(`grad ${g.name} (known difference: ${reason})`, async () => {
        const r = await runGradCase(g);
        expect(r.ok, `grad ${g.name} now matches MXNet: remove it from known-differences.json`).toBe(false);
      });
      continue;
    }
    it(`grad ${g.name}`, async () => {
      const r = await runGradCase(g);
      if (!r.ok) expect.fail(`grad ${g.name} (op ${g.op}, attrs ${JSON.stringify(g.attrs)}):\n${r.detail}`);
      gradsPassed++;
    });
  }
});

afterAll(() => {
  const missing = [...notYet].sort();
  console.log(
    `mxnet-${fixture.mxnet_version} conformance: ${passed}/${fixture.ops.length} op cases, ` +
      `${gradsPassed}/${fixture.grads.length} gradient cases, not yet: ${missing.length ? missing.join(', ') : 'none'}`,
  );
});
