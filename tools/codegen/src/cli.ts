// tools/codegen command line:
//   node --import tsx tools/codegen/src/cli.ts <target> --ops <dir> --out <dir>
// Targets: cpp (engine headers + registry.gen.cc), ts (packages/mixnet's mx.nd wrappers),
// python (bindings-python's mx.nd wrappers). Exit code 0 on success; 1 with every
// "file:line:col: message" on stderr when the registry is invalid; 2 on bad usage.

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

import { RegistryError } from './diagnostics.js';
import { displayPath, loadRegistry } from './load.js';
import { TARGETS } from './targets.js';
import { writeIfChanged } from './write.js';

const USAGE = `usage: cli.ts <${Object.keys(TARGETS).join('|')}> --ops <dir> --out <dir> [--quiet]`;

export function main(argv: readonly string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { ops: { type: 'string' }, out: { type: 'string' }, quiet: { type: 'boolean' } },
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const [targetName, ...rest] = parsed.positionals;
  const { ops, out, quiet } = parsed.values;
  const target = targetName === undefined ? undefined : TARGETS[targetName];
  if (!target || rest.length > 0 || !ops || !out) {
    process.stderr.write(`${targetName && !target ? `unknown target '${targetName}'\n` : ''}${USAGE}\n`);
    return 2;
  }
  try {
    const registry = loadRegistry(ops);
    const files = target(registry, { sourceDir: displayPath(ops) });
    const written = writeIfChanged(out, files);
    if (!quiet) {
      const nOps = registry.families.reduce((n, f) => n + f.ops.length, 0);
      process.stdout.write(
        `tools/codegen ${targetName}: ${nOps} ops in ${registry.families.length} families; ` +
          `${written.length} of ${files.length} files changed\n`,
      );
    }
    return 0;
  } catch (e) {
    if (e instanceof RegistryError) {
      process.stderr.write(`${e.message}\n${e.diagnostics.length} error(s)\n`);
      return 1;
    }
    throw e;
  }
}

// Run only as the entry point (tests import main()).
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
