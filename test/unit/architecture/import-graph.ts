import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** The repository's root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** One import between two of our modules, as repository paths (`src/queue/worker.ts`). */
export interface ImportEdge {
  from: string;
  to: string;
  /** As written in the source, e.g. `../store/run-history.js`. */
  specifier: string;
}

function typeScriptFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return typeScriptFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The module a relative specifier names (`./x.js` is `x.ts` in the sources), or null when it is not ours. */
function resolveSpecifier(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null; // a package
  const base = resolve(ROOT, dirname(from), specifier.replace(/\.js$/, ''));
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) if (existsSync(candidate)) return candidate;
  return null;
}

/**
 * Every import between modules of src/ and jobs/, read with the TypeScript compiler's own scanner:
 * static imports, `import type`, re-exports and dynamic `import()` alike.
 */
export function readImportGraph(): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const from of [...typeScriptFiles('src'), ...typeScriptFiles('jobs')]) {
    const info = ts.preProcessFile(readFileSync(join(ROOT, from), 'utf8'), true, true);
    for (const { fileName: specifier } of info.importedFiles) {
      const target = resolveSpecifier(from, specifier);
      if (target === null) continue;
      edges.push({ from, to: relative(ROOT, target).split('\\').join('/'), specifier });
    }
  }
  return edges;
}

/**
 * The layer of a module: `jobs`, `app` (src/app.ts and src/app/), `cli`, `kernel` (the other files
 * at the top of src/: config, errors, logger, lifecycle, the job contract, the library index), or
 * its folder under src/ (`queue`, `store`, `engine`, `domain`, `http`, `sources`, ...).
 */
export function layerOf(path: string): string {
  if (path.startsWith('jobs/')) return 'jobs';
  if (path === 'src/app.ts' || path.startsWith('src/app/')) return 'app';
  if (path === 'src/cli.ts') return 'cli';
  const [, folder, rest] = path.split('/');
  return rest === undefined ? 'kernel' : (folder ?? 'kernel');
}
