/**
 * The public API is a decision, not a side effect: the names exported by the root entry (`arena-sim`) and by
 * `arena-sim/plot` are held against checked-in lists (tests/api/*.txt). Changing the API means editing a list in
 * the same commit. Also: the root exports at most 25 runtime names and importing it loads no vega, no plotting
 * and no CLI code. Runtime checks use dist/ (built by `npm test`'s pretest), which is what package users import.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');

/** Every exported name of a source entry point (values and types), from the TypeScript checker. */
function exportedNames(entry: string): string[] {
  const file = join(ROOT, entry);
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`cannot read ${entry}`);
  const symbol = checker.getSymbolAtLocation(source);
  if (!symbol) throw new Error(`${entry} is not a module`);
  return checker.getExportsOfModule(symbol).map((s) => s.name);
}

/** `value NAME` for names present at run time in the built module, `type NAME` for type-only exports; sorted. */
async function apiList(entry: string, built: string): Promise<string[]> {
  const runtime = new Set(Object.keys(await import(pathToFileURL(join(ROOT, built)).href)));
  const names = exportedNames(entry);
  for (const name of runtime) expect(names, `${built} exports ${name} that ${entry} does not declare`).toContain(name);
  return names.map((n) => `${runtime.has(n) ? 'value' : 'type'} ${n}`).sort();
}

function checkedIn(file: string): string[] {
  return readFileSync(join(__dirname, file), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .sort();
}

describe('public API', () => {
  it('the root entry exports exactly the checked-in list, at most 25 of them at run time', { timeout: 60_000 }, async () => {
    const api = await apiList('src/index.ts', 'dist/index.js');
    expect(api).toEqual(checkedIn('root-api.txt'));
    const values = api.filter((l) => l.startsWith('value '));
    expect(values.length).toBeGreaterThanOrEqual(15);
    expect(values.length).toBeLessThanOrEqual(25);
  });

  it('arena-sim/plot exports exactly the checked-in list', { timeout: 60_000 }, async () => {
    expect(await apiList('src/plot/index.ts', 'dist/plot/index.js')).toEqual(checkedIn('plot-api.txt'));
  });

  it('the published declarations import no type of an optional package (@duckdb/node-api): consumers without it type-check', () => {
    const found: string[] = [];
    let files = 0;
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.d.ts')) {
          files++;
          const src = ts.createSourceFile(p, readFileSync(p, 'utf8'), ts.ScriptTarget.ES2022, true);
          const visit = (n: ts.Node): void => {
            const spec = ts.isImportDeclaration(n) || ts.isExportDeclaration(n) ? n.moduleSpecifier : ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) ? n.argument.literal : undefined;
            if (spec && ts.isStringLiteral(spec) && spec.text.startsWith('@duckdb/')) found.push(`${p.slice(ROOT.length + 1)}: ${spec.text}`);
            ts.forEachChild(n, visit);
          };
          visit(src);
        }
      }
    };
    walk(join(ROOT, 'dist'));
    expect(files).toBeGreaterThan(50);
    expect(found).toEqual([]);
  });

  it('importing the root loads no vega, no plotting, no report and no CLI module', { timeout: 60_000 }, () => {
    const urls = resolvedUrls('dist/index.js');
    // the hook saw the package's own modules (a broken hook would see nothing and pass vacuously)
    expect(urls.some((u) => u.endsWith('/dist/models/index.js'))).toBe(true);
    expect(urls.some((u) => u.endsWith('/dist/stats/uncertainty.js'))).toBe(true);
    expect(urls.filter((u) => /\/node_modules\/vega/.test(u))).toEqual([]);
    expect(urls.filter((u) => /\/dist\/(plot|report|cli)\//.test(u))).toEqual([]);
  });

  it('importing arena-sim/plot does load vega-lite (so the hook would see it)', { timeout: 60_000 }, () => {
    expect(resolvedUrls('dist/plot/index.js').some((u) => /\/node_modules\/vega-lite\//.test(u))).toBe(true);
  });
});

/**
 * Every module URL resolved while a fresh Node process imports `built` (a package file) and nothing else: a
 * module-resolution hook (node:module `register`) appends each resolved URL to a log file.
 */
function resolvedUrls(built: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'arena-api-'));
  const log = join(dir, 'resolved.txt');
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(log, '');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
}
`,
  );
  const script = `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(hooks).href)});
await import(${JSON.stringify(pathToFileURL(join(ROOT, built)).href)});`;
  execFileSync(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}
