// Where this module lives and a `require` for loading the .node file. This is the ESM form
// (import.meta); scripts/finish-build.mjs replaces dist/cjs/locate.js with a CommonJS form
// (__dirname, require), because import.meta is a syntax error in CommonJS.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// @ts-ignore -- import.meta is valid in the ESM build; the CJS build replaces this file.
const url: string = import.meta.url;

/** Directory of this compiled module. */
export const moduleDir: string = dirname(fileURLToPath(url));
/** A CommonJS require usable from ESM (native addons load only through require/dlopen). */
export const nativeRequire: NodeJS.Require = createRequire(url);
