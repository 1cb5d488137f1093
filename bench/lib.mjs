// Small helpers shared by the bench scripts (plain ESM over the built dist/, no TypeScript step).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder, and its copy of LMArena's 1.67M real battles (fixtures/README.md). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const REAL_BATTLES = join(ROOT, 'fixtures', 'data', 'chatbot-arena-20240814', 'battles.jsonl');

/**
 * The first 8 hex digits of the SHA-256 of the embedded ratings fixture (`fixtures/lmarena-text-2026-04.json`):
 * cached simulations carry it in their names, so a changed board is never read from a stale cache.
 */
export const FIXTURE_TAG = createHash('sha256').update(readFileSync(join(ROOT, 'fixtures', 'lmarena-text-2026-04.json'))).digest('hex').slice(0, 8);

/**
 * The cached simulated board `bench/.cache/sim-<battles>-seed1-<FIXTURE_TAG>.jsonl` (`arena simulate --battles N --seed 1`),
 * made on first use; needs `npm run build`. Returns its path.
 */
export function simulatedFile(battles) {
  const cache = join(ROOT, 'bench', '.cache');
  mkdirSync(cache, { recursive: true });
  const file = join(cache, `sim-${battles}-seed1-${FIXTURE_TAG}.jsonl`);
  if (!existsSync(file)) {
    process.stderr.write(`generating ${battles} battles → ${file}\n`);
    execFileSync(process.execPath, [join(ROOT, 'dist', 'cli', 'main.js'), 'simulate', '--battles', String(battles), '--seed', '1', '--out', file, '--quiet']);
  }
  return file;
}

/** Median of a list of numbers (mean of the two middle ones for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Milliseconds since an arbitrary origin, high resolution. */
export const now = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * Times `fn` `repeats` times (after `warmup` untimed runs) and returns the median in ms, all samples, and the
 * last result.
 */
export async function timed(fn, { repeats = 5, warmup = 0 } = {}) {
  let result;
  for (let k = 0; k < warmup; k++) result = await fn();
  const samples = [];
  for (let k = 0; k < repeats; k++) {
    const t0 = now();
    result = await fn();
    samples.push(now() - t0);
  }
  return { ms: median(samples), samples, result };
}

/** Parses `--name value` / `--flag` arguments into an object (numbers converted). */
export function parseArgs(argv, defaults) {
  const out = { ...defaults };
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const key = a.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in defaults)) throw new Error(`unknown option ${a} (known: ${Object.keys(defaults).map((k) => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())).join(', ')})`);
    if (typeof defaults[key] === 'boolean') out[key] = true;
    else {
      const v = argv[++k];
      out[key] = typeof defaults[key] === 'number' ? Number(v) : v;
    }
  }
  return out;
}

/**
 * Runs a node script in a fresh process (so every measurement starts from a cold heap and no JIT state carries
 * over) and returns its last stdout line parsed as JSON, plus wall time, peak RSS (bytes) and CPU time (user +
 * system, ms; all threads), the last two read by bench/rss-wrap.mjs from the child's own getrusage at exit. On a
 * busy machine CPU time varies much less than wall time.
 */
export function runChild(script, args, { nodeArgs = [], env = {} } = {}) {
  const rssFile = join(tmpdir(), `arena-bench-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const t0 = now();
  const r = spawnSync(process.execPath, [...nodeArgs, new URL('./rss-wrap.mjs', import.meta.url).pathname, rssFile, script, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, ...env },
  });
  const wallMs = now() - t0;
  let peakRss = NaN;
  let cpuMs = NaN;
  try {
    const [rss, cpu] = readFileSync(rssFile, 'utf8').split(' ');
    peakRss = Number(rss);
    cpuMs = Number(cpu) / 1000;
    rmSync(rssFile);
  } catch {
    // the child died before its exit hook
  }
  if (r.status !== 0) {
    throw new Error(`${script} ${args.join(' ')} exited ${r.status}: ${(r.stderr || '').trim().split('\n').slice(-5).join(' | ')}`);
  }
  const lines = r.stdout.trim().split('\n');
  let json = null;
  try {
    json = JSON.parse(lines[lines.length - 1]);
  } catch {
    // not a JSON-reporting script
  }
  return { json, wallMs, peakRss, cpuMs, stderr: r.stderr, stdout: r.stdout };
}

/** Formatting helpers for the tables. */
export const fmt = {
  ms: (x) => (x === undefined || Number.isNaN(x) ? '—' : x >= 10000 ? `${(x / 1000).toFixed(1)} s` : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : x >= 10 ? `${x.toFixed(0)} ms` : `${x.toFixed(1)} ms`),
  mib: (bytes) => (Number.isNaN(bytes) || bytes === undefined ? '—' : `${(bytes / 2 ** 20).toFixed(0)} MiB`),
  x: (r) => (r === undefined || Number.isNaN(r) ? '—' : r >= 100 ? `${r.toFixed(0)}×` : `${r.toFixed(1)}×`),
  n: (n) => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n)),
  ns: (x) => (Number.isNaN(x) ? '—' : `${x.toFixed(1)} ns`),
};

/** A markdown table from a header and rows of strings. */
export function markdownTable(header, rows, align) {
  const a = align ?? header.map((_, k) => (k === 0 ? 'l' : 'r'));
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(a.map((x) => (x === 'l' ? ':---' : '---:'))), ...rows.map(line)].join('\n');
}

/** Largest absolute difference between the numbers of two JSON values of the same shape (Infinity if the shapes differ). */
export function maxDiff(x, y) {
  if (typeof x === 'number' && typeof y === 'number') return x === y ? 0 : Math.abs(x - y);
  if (x === null || y === null || typeof x !== 'object' || typeof y !== 'object') return x === y ? 0 : Infinity;
  const kx = Object.keys(x);
  if (kx.length !== Object.keys(y).length) return Infinity;
  let d = 0;
  for (const k of kx) d = Math.max(d, k in y ? maxDiff(x[k], y[k]) : Infinity);
  return d;
}
