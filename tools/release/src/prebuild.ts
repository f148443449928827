// Stages the built addon as a prebuild of the `mixnet` package and packs the package, so that
// installing the tarball runs no script and needs no compiler:
//   <package>/prebuilds/<platform>-<arch>/mixnet.node      the Node-API addon (rpath $ORIGIN)
//   <package>/prebuilds/<platform>-<arch>/libmixnet.so.N   the engine, under the name the addon needs
//   <package>/prebuilds/<platform>-<arch>/manifest.json    registry hash, ABI and Node-API versions
// then `npm pack` into the output directory. The package's loader (src/native.ts) tries
// prebuilds/<platform>-<arch>/ before a local build.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export interface PrebuildOptions {
  /** The mixnet package directory (package.json, dist/). */
  packageDir: string;
  /** Where mixnet.node and libmixnet.so* were built; default <packageDir>/build/native/Release. */
  nativeDir?: string;
  /** Where the packed .tgz goes (created when missing). */
  outDir: string;
  /**
   * Leave prebuilds/ in packageDir after packing. Off by default: in a source checkout the
   * loader prefers prebuilds/ over build/native, so a left-over prebuild would shadow every
   * later local build of the engine.
   */
  keepPrebuilds?: boolean;
}

export interface Manifest {
  package: string;
  version: string;
  platform: string;
  arch: string;
  /** SHA-256 of the library's registry JSON; the package checks it against its generated ops. */
  registryHash: string;
  /** MXGetABIVersion of the library. */
  abiVersion: number;
  /** MXGetVersion of the library. */
  libraryVersion: number;
  /** The Node-API version the addon was compiled against (NAPI_VERSION). */
  napiVersion: number;
  files: string[];
}

export interface PrebuildResult {
  tarball: string;
  /** The staged directory (removed again unless keepPrebuilds). */
  prebuildDir: string;
  manifest: Manifest;
  /** Paths inside the tarball, as npm pack reported them. */
  packedFiles: string[];
}

function fail(message: string): never {
  throw new Error(`mixnet prebuild: ${message}`);
}

/** The libmixnet file name the addon asks the dynamic loader for (its DT_NEEDED entry). */
export function neededLibrary(addon: string, nativeDir: string): string {
  try {
    const out = execFileSync('readelf', ['-d', addon], { encoding: 'utf8' });
    const m = /\(NEEDED\)\s+Shared library: \[(libmixnet[^\]]*)\]/.exec(out);
    if (m?.[1]) return m[1];
    fail(`${addon} does not link libmixnet (readelf -d lists no libmixnet NEEDED entry)`);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith('mixnet prebuild:')) throw e;
    // No readelf: the soname is by convention the one-number name (libmixnet.so.0).
    const names = readdirSync(nativeDir).filter((n) => /^libmixnet\.so\.\d+$/.test(n));
    if (names.length !== 1 || !names[0]) fail(`cannot tell which libmixnet.so.N ${addon} needs (no readelf; found ${names.join(', ') || 'none'})`);
    return names[0];
  }
}

/** NAPI_VERSION as the addon's CMakeLists.txt compiles it. */
export function napiVersion(packageDir: string): number {
  const cmake = path.join(packageDir, 'CMakeLists.txt');
  if (!existsSync(cmake)) fail(`${cmake} is missing`);
  const m = /NAPI_VERSION=(\d+)/.exec(readFileSync(cmake, 'utf8'));
  if (!m?.[1]) fail(`${cmake} defines no NAPI_VERSION`);
  return Number(m[1]);
}

/** Loads the staged addon in a child process (as an installed package would) and asks it. */
function probe(addon: string): { abiVersion: number; libraryVersion: number; registryHash: string } {
  const code =
    'const m = require(process.argv[1]); const [v, abi] = m.version();' +
    'process.stdout.write(JSON.stringify({ libraryVersion: v, abiVersion: abi, registryHash: m.registry()[1] }));';
  const env = { ...process.env };
  delete env['LD_LIBRARY_PATH']; // the addon must find libmixnet beside itself ($ORIGIN)
  try {
    return JSON.parse(execFileSync(process.execPath, ['-e', code, addon], { encoding: 'utf8', env })) as ReturnType<typeof probe>;
  } catch (e) {
    return fail(`the staged addon ${addon} does not load: ${e instanceof Error ? e.message : String(e)}`);
  }
}

interface PackEntry {
  filename: string;
  files: { path: string }[];
}

export function prebuild(opts: PrebuildOptions): PrebuildResult {
  const packageDir = path.resolve(opts.packageDir);
  const pkgJson = path.join(packageDir, 'package.json');
  if (!existsSync(pkgJson)) fail(`${pkgJson} is missing`);
  const pkg = JSON.parse(readFileSync(pkgJson, 'utf8')) as { name?: string; version?: string };
  if (pkg.name !== 'mixnet') fail(`${pkgJson} is package '${String(pkg.name)}', not 'mixnet'`);
  for (const entry of ['dist/esm/index.js', 'dist/cjs/index.js']) {
    if (!existsSync(path.join(packageDir, entry))) fail(`${entry} is missing in ${packageDir}: build the package first (npx nx run mixnet:build)`);
  }
  const nativeDir = path.resolve(opts.nativeDir ?? path.join(packageDir, 'build', 'native', 'Release'));
  const addon = path.join(nativeDir, 'mixnet.node');
  if (!existsSync(addon)) fail(`${addon} is missing: build the addon first (npm run build:native -w mixnet)`);
  const libName = neededLibrary(addon, nativeDir);
  const libSource = path.join(nativeDir, libName);
  if (!existsSync(libSource)) fail(`${libSource} is missing (the addon needs ${libName} beside it)`);

  const platform = `${process.platform}-${process.arch}`;
  const prebuildDir = path.join(packageDir, 'prebuilds', platform);
  rmSync(prebuildDir, { recursive: true, force: true });
  mkdirSync(prebuildDir, { recursive: true });
  try {
    copyFileSync(addon, path.join(prebuildDir, 'mixnet.node'));
    // A regular file under the soname: npm pack leaves symbolic links out.
    copyFileSync(realpathSync(libSource), path.join(prebuildDir, libName));
    const manifest: Manifest = {
      package: 'mixnet',
      version: pkg.version ?? '0.0.0',
      platform: process.platform,
      arch: process.arch,
      ...probe(path.join(prebuildDir, 'mixnet.node')),
      napiVersion: napiVersion(packageDir),
      files: ['mixnet.node', libName],
    };
    writeFileSync(path.join(prebuildDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

    const outDir = path.resolve(opts.outDir);
    mkdirSync(outDir, { recursive: true });
    const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', outDir], {
      cwd: packageDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const packed = (JSON.parse(out) as PackEntry[])[0];
    if (!packed) fail('npm pack reported nothing');
    const packedFiles = packed.files.map((f) => f.path);
    const required = [...manifest.files, 'manifest.json'].map((f) => `prebuilds/${platform}/${f}`);
    const missing = [...required, 'dist/esm/index.js', 'dist/cjs/index.js'].filter((f) => !packedFiles.includes(f));
    if (missing.length) fail(`npm pack left out ${missing.join(', ')} (check "files" in package.json and .npmignore)`);
    return { tarball: path.join(outDir, packed.filename), prebuildDir, manifest, packedFiles };
  } finally {
    if (!opts.keepPrebuilds) {
      rmSync(prebuildDir, { recursive: true, force: true });
      const root = path.dirname(prebuildDir);
      if (existsSync(root) && readdirSync(root).length === 0) rmSync(root, { recursive: true });
    }
  }
}
