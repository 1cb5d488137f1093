// `npm run bench`: the performance bench of issue 5. See bench/README.md for what each number means.
//
//   npm run bench                 full run: 100k, 1M, 6M battles × 339 models, 1M and 6M × 1,000 models, median of 5
//   npm run bench -- --quick      smoke run (small sizes, 3 repeats, 100 bootstrap rounds): a minute or two
//   node bench/run.mjs --help     every option
//
// Datasets are generated once with `arena simulate` (fixed seed) into bench/.cache/ (git-ignored) and reused.
// Every measurement runs in a fresh child process; results are printed as markdown tables and saved to
// bench/.cache/results-*.json / .md.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURE_TAG, fmt, markdownTable, median, parseArgs, runChild } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const cache = join(here, '.cache');
const cliMain = join(root, 'dist', 'cli', 'main.js');

const DEFAULTS = {
  quick: false,
  sizes: '100000,1000000,6000000', // battles, with the 339 models of the embedded fixture
  modelSizes: '1000000,6000000', // battles, with 1,000 models
  repeats: 5,
  bootRepeats: 5,
  rounds: 1000,
  scalingRounds: 100, // bootstrap rounds timed on the 1,000-model datasets (the per-round time is what scales)
  naiveRounds: 3,
  cliRepeats: 5,
  seed: 1,
  skipNaive: false,
  skipCli: false,
  skipCliScaling: false, // no whole-process runs on the 1,000-model rows (arena rate --bootstrap 1000 there takes minutes)
  skipParquet: false,
  skipCsv: false, // also skips the JSON-array copy
  parquetMax: 1000000,
  help: false,
};
const QUICK = { sizes: '20000,100000', modelSizes: '100000', repeats: 3, bootRepeats: 1, rounds: 100, scalingRounds: 50, naiveRounds: 2, cliRepeats: 2, parquetMax: 100000 };
// --quick changes the defaults; options given explicitly still win
const o = parseArgs(process.argv.slice(2), process.argv.includes('--quick') ? { ...DEFAULTS, ...QUICK } : DEFAULTS);
if (o.help) {
  console.log(`usage: node bench/run.mjs [options]\n${Object.entries(DEFAULTS)
    .map(([k, v]) => `  --${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}${typeof v === 'boolean' ? '' : ` <${typeof v}>`}  [${v}]`)
    .join('\n')}`);
  process.exit(0);
}
if (!existsSync(cliMain)) {
  console.error('bench: dist/ is missing: run `npm run build` first (npm run bench does)');
  process.exit(2);
}
mkdirSync(cache, { recursive: true });
const log = (s) => process.stderr.write(`${s}\n`);

// ---- the machine ----
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB (${(freemem() / 2 ** 30).toFixed(1)} GiB free at start)`,
  node: process.version,
  os: `${process.platform} ${release()}`,
  loadStart: loadavg().map((x) => x.toFixed(2)).join(' '),
};
log(`bench: ${machine.cpu}, ${machine.cores} cores, ${machine.memory}, node ${machine.node}, load ${machine.loadStart}`);

// ---- datasets ----
/** A ratings file with 1,000 models: the 339 of the fixture plus 661 drawn around them (fixed seed). */
function ratings1000() {
  const path = join(cache, `ratings-1000-${FIXTURE_TAG}.json`);
  if (existsSync(path)) return path;
  const fixture = JSON.parse(readFileSync(join(root, 'fixtures', 'lmarena-text-2026-04.json'), 'utf8'));
  const models = fixture.models.map((m) => ({ model: m.model, rating: m.rating }));
  const rs = models.map((m) => m.rating);
  const mean = rs.reduce((a, b) => a + b, 0) / rs.length;
  const sd = Math.sqrt(rs.reduce((a, b) => a + (b - mean) ** 2, 0) / rs.length);
  let state = 1234567; // a small LCG + Box–Muller: deterministic, no dependency
  const u = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) + 0.5) / 2 ** 32;
  for (let k = models.length; k < 1000; k++) {
    const z = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
    models.push({ model: `bench-model-${String(k).padStart(4, '0')}`, rating: Math.round((mean + sd * z) * 10) / 10 });
  }
  writeFileSync(path, JSON.stringify({ desc: 'bench: 339 fixture models + 661 synthetic ones (bench/run.mjs)', models }));
  return path;
}

function dataset(models, battles) {
  const path = join(cache, `battles-m${models}-n${battles}-s${o.seed}-${FIXTURE_TAG}.jsonl`);
  if (existsSync(path)) return { path, generated: null };
  log(`bench: generating ${fmt.n(battles)} battles × ${models} models with arena simulate …`);
  const args = ['simulate', '--battles', String(battles), '--seed', String(o.seed), '--out', path];
  if (models !== 339) args.push('--ratings', ratings1000());
  const r = runChild(cliMain, args);
  return { path, generated: { ms: r.wallMs, peakRss: r.peakRss } };
}

/** The same battles as Parquet (hyparquet-writer, a devDependency), for the Parquet read time. */
async function parquetOf(jsonl) {
  const path = jsonl.replace(/\.jsonl$/, '.parquet');
  if (existsSync(path)) return path;
  let writer;
  try {
    writer = await import('hyparquet-writer');
  } catch {
    return null;
  }
  const { readBattles } = await import('../dist/advanced.js');
  const t = await readBattles([jsonl]);
  const labels = ['model_a', 'model_b', 'tie', 'tie (bothbad)'];
  const tmp = `${path}.tmp`;
  writer.parquetWriteFile({
    filename: tmp,
    columnData: [
      { name: 'model_a', data: Array.from(t.a, (x) => t.models[x]), type: 'STRING' },
      { name: 'model_b', data: Array.from(t.b, (x) => t.models[x]), type: 'STRING' },
      { name: 'winner', data: Array.from(t.outcome, (x) => labels[x]), type: 'STRING' },
      { name: 'tstamp', data: Float64Array.from(t.tstamp), type: 'DOUBLE' },
    ],
  });
  renameSync(tmp, path);
  return path;
}

/** The same battles as CSV (header model_a,model_b,winner,tstamp), for the CSV read time. */
async function csvOf(jsonl) {
  const path = jsonl.replace(/\.jsonl$/, '.csv');
  if (existsSync(path)) return path;
  const { readBattles } = await import('../dist/advanced.js');
  const t = await readBattles([jsonl]);
  const labels = ['model_a', 'model_b', 'tie', 'tie (bothbad)'];
  const parts = ['model_a,model_b,winner,tstamp\n'];
  for (let i = 0; i < t.rows; i++) parts.push(`${t.models[t.a[i]]},${t.models[t.b[i]]},${labels[t.outcome[i]]},${t.tstamp[i]}\n`);
  writeFileSync(`${path}.tmp`, parts.join(''));
  renameSync(`${path}.tmp`, path);
  return path;
}

/** The same battles as one JSON array (LMArena's clean_battle_*.json layout, one element per line), for its read time. */
function jsonArrayOf(jsonl) {
  const path = jsonl.replace(/\.jsonl$/, '.json');
  if (existsSync(path)) return path;
  const text = readFileSync(jsonl, 'utf8').trimEnd().split('\n').join(',\n  ');
  writeFileSync(`${path}.tmp`, `[\n  ${text}\n]\n`);
  renameSync(`${path}.tmp`, path);
  return path;
}

// ---- the CLI: does `rate` have --bootstrap and threads yet? ----
function cliCapabilities(smallFile) {
  const help = spawnSync(process.execPath, [cliMain, 'rate', '--help'], { encoding: 'utf8' }).stdout;
  const threads = /--(threads|workers)\b/.exec(help)?.[0] ?? null;
  const probe = spawnSync(process.execPath, [cliMain, 'rate', smallFile, '--bootstrap', '2', '--format', 'json'], { encoding: 'utf8' });
  return { bootstrap: probe.status === 0, bootstrapMessage: probe.status === 0 ? '' : probe.stderr.trim(), threads };
}

function cliRuns(file, caps, threads) {
  const out = join(cache, `rate-out-${process.pid}.json`);
  const args = ['rate', file, '--bootstrap', String(caps.bootstrap ? o.rounds : 0), '--format', 'json', '--out', out];
  if (caps.threads && threads) args.push(caps.threads, String(threads));
  const walls = [];
  const rss = [];
  for (let k = 0; k < o.cliRepeats; k++) {
    const r = runChild(cliMain, args);
    walls.push(r.wallMs);
    rss.push(r.peakRss);
  }
  rmSync(out, { force: true });
  return { ms: median(walls), samples: walls, peakRss: Math.max(...rss), args: args.slice(2).join(' ') };
}

// ---- run ----
const plan = [
  ...o.sizes.split(',').filter(Boolean).map((n) => ({ models: 339, battles: Number(n) })),
  ...o.modelSizes.split(',').filter(Boolean).map((n) => ({ models: 1000, battles: Number(n) })),
];
const results = [];
let caps = null;
const started = Date.now();
/** Runs one measurement; a failure is logged and recorded, and the bench goes on with the next one. */
function attempt(what, res, fn) {
  try {
    return fn();
  } catch (e) {
    log(`bench: ${what} FAILED: ${e.message}`);
    (res.errors ??= []).push(`${what}: ${e.message}`);
    return undefined;
  }
}
for (const { models, battles } of plan) {
  const { path, generated } = dataset(models, battles);
  const bytes = statSync(path).size;
  const res = { models, battles, file: path, bytes, generated };
  const small = models === 339 && battles <= o.parquetMax;
  const pq = !o.skipParquet && small ? await parquetOf(path) : null;
  const csv = !o.skipCsv && small ? await csvOf(path) : null;
  const json = !o.skipCsv && small ? jsonArrayOf(path) : null;
  log(`bench: ${fmt.n(battles)} × ${models}: stages …`);
  const stageArgs = ['--file', path, '--repeats', String(o.repeats), '--rounds', String(models === 339 ? o.rounds : o.scalingRounds), '--boot-repeats', String(o.bootRepeats)];
  res.stages = attempt('stages', res, () => runChild(join(here, 'stages.mjs'), [...stageArgs, ...(pq ? ['--parquet', pq] : []), ...(csv ? ['--csv', csv] : []), ...(json ? ['--json', json] : [])]).json);
  if (!o.skipNaive) {
    log(`bench: ${fmt.n(battles)} × ${models}: the naive way …`);
    const naive = attempt('naive', res, () => runChild(join(here, 'naive.mjs'), ['--file', path, '--rounds', String(o.naiveRounds), ...(csv ? ['--csv', csv] : [])], { nodeArgs: ['--max-old-space-size=12288'] }));
    if (naive) res.naive = { ...naive.json, peakRss: naive.peakRss };
  }
  if (!o.skipCli && !(o.skipCliScaling && models !== 339)) {
    caps ??= cliCapabilities(path);
    log(`bench: ${fmt.n(battles)} × ${models}: arena rate (whole process) …`);
    const one = attempt('arena rate', res, () => cliRuns(path, caps, caps.threads ? 1 : 0));
    if (one) res.cli = { one };
    if (one && caps.threads) {
      const two = attempt('arena rate, 2 threads', res, () => cliRuns(path, caps, 2));
      if (two) res.cli.two = two;
    }
  }
  results.push(res);
}
machine.loadEnd = loadavg().map((x) => x.toFixed(2)).join(' ');

// ---- report ----
const s0 = results.find((r) => r.stages)?.stages;
const failed = results.filter((r) => r.errors);
const ok = results.filter((r) => r.stages);
const lines = [];
lines.push(`### Machine\n\n${machine.cpu}, ${machine.cores} cores, ${machine.memory}, Node ${machine.node}, ${machine.os}; load average ${machine.loadStart} at start, ${machine.loadEnd} at end. Run took ${((Date.now() - started) / 60000).toFixed(1)} min with: \`node bench/run.mjs ${process.argv.slice(2).join(' ')}\` (repeats ${o.repeats}; bootstrap ${o.rounds} rounds, ${o.scalingRounds} with 1,000 models, median of ${o.bootRepeats}; naive bootstrap ${o.naiveRounds} rounds, extrapolated).`);
lines.push(`\nBootstrap stage: ${s0?.bootstrapLabel ?? '—'}.`);
if (caps) lines.push(caps.bootstrap ? `\nWhole process: \`arena rate FILE --bootstrap ${o.rounds} --format json --out …\`${caps.threads ? ` (and ${caps.threads} 2)` : ''}.` : `\nWhole process: \`arena rate\` has no working --bootstrap yet (${caps.bootstrapMessage.replace(/\n/g, ' ')}), so it was timed with \`--bootstrap 0\`.`);

lines.push('\n### Stages (median of repeats; fresh process per dataset)\n');
lines.push(
  markdownTable(
    ['battles', 'models', 'file', 'raw read: stream', 'reused buffers', 'one JS pass', 'read', 'aggregate', '(read+agg) / stream', '/ reused', '/ JS pass', 'BT fit (iter.)', 'bootstrap (rounds)', 'per round', 'output', 'arena rate (whole)', 'peak RSS', ...(results.some((r) => r.cli?.two) ? ['2 threads', 'peak RSS'] : [])],
    ok.map((r) => {
      const s = r.stages;
      return [
        fmt.n(r.battles),
        String(r.models),
        fmt.mib(r.bytes),
        fmt.ms(s.raw),
        fmt.ms(s.rawReuse),
        fmt.ms(s.jsPass),
        fmt.ms(s.read),
        fmt.ms(s.aggregate),
        fmt.x((s.read + s.aggregate) / s.raw),
        fmt.x((s.read + s.aggregate) / s.rawReuse),
        fmt.x((s.read + s.aggregate) / s.jsPass),
        `${fmt.ms(s.fit)} (${s.fitIterations})`,
        `${fmt.ms(s.bootstrap)} (${s.bootstrapRounds})`,
        fmt.ms(s.bootstrap / s.bootstrapRounds),
        fmt.ms(s.output),
        r.cli ? fmt.ms(r.cli.one.ms) : '—',
        r.cli ? fmt.mib(r.cli.one.peakRss) : '—',
        ...(r.cli?.two ? [fmt.ms(r.cli.two.ms), fmt.mib(r.cli.two.peakRss)] : []),
      ];
    }),
  ),
);
if (!o.skipNaive) {
  lines.push('\n### The naive way, in the same run (one object per battle; per-row bootstrap)\n');
  lines.push(
    markdownTable(
      ['battles', 'models', 'naive read', 'reference read', 'fast read', 'speed-up', 'naive aggregate', 'aggregate', 'speed-up', 'naive bootstrap round', 'round', 'speed-up', `naive total (${o.rounds} rounds, est.)`, 'total', 'speed-up', 'naive peak RSS'],
      ok.filter((r) => r.naive).map((r) => {
        const s = r.stages;
        const n = r.naive;
        const naiveTotal = n.read + n.aggregate + n.fit + o.rounds * n.bootstrapRoundMs;
        const total = s.read + s.aggregate + s.fit + s.bootstrap * (o.rounds / s.bootstrapRounds) + s.output;
        return [
          fmt.n(r.battles),
          String(r.models),
          fmt.ms(n.read),
          fmt.ms(n.referenceRead),
          fmt.ms(s.read),
          fmt.x(n.read / s.read),
          fmt.ms(n.aggregate),
          fmt.ms(s.aggregate),
          fmt.x(n.aggregate / s.aggregate),
          fmt.ms(n.bootstrapRoundMs),
          fmt.ms(s.bootstrap / s.bootstrapRounds),
          fmt.x(n.bootstrapRoundMs / (s.bootstrap / s.bootstrapRounds)),
          fmt.ms(naiveTotal),
          fmt.ms(total),
          fmt.x(naiveTotal / total),
          fmt.mib(n.peakRss),
        ];
      }),
    ),
  );
}
lines.push('\n### Online Elo replay after reading (ns per battle)\n');
lines.push(
  markdownTable(
    ['battles', 'models', 'library: one Math.exp (eb = 1 − ea)', 'naive: two Math.pow (FastChat literally)', 'two Math.exp', 'max |Δ rating| library vs pow', 'max |Δ| two exp vs pow'],
    ok.map((r) => {
      const e = r.stages.elo;
      return [fmt.n(r.battles), String(r.models), fmt.ns(e.libNs), fmt.ns(e.powNs), fmt.ns(e.exp2Ns), e.libMaxDiff.toExponential(1), e.exp2MaxDiff.toExponential(1)];
    }),
  ),
);
const fmtRows = ok.filter((r) => r.stages.readParquet !== undefined || r.stages.readCsv !== undefined);
if (fmtRows.length) {
  lines.push('\n### Other input formats (same battles)\n');
  lines.push(
    markdownTable(
      ['battles', 'models', 'JSONL', 'JSON array', 'CSV', 'CSV, reference (csv-parse + zod)', 'Parquet (hyparquet)', 'same table'],
      fmtRows.map((r) => [fmt.n(r.battles), String(r.models), fmt.ms(r.stages.read), fmt.ms(r.stages.readJson), fmt.ms(r.stages.readCsv), fmt.ms(r.naive?.referenceCsv), fmt.ms(r.stages.readParquet), String((r.stages.parquetSameTable ?? true) && (r.stages.csvSameTable ?? true) && (r.stages.jsonSameTable ?? true))]),
    ),
  );
}
const gen = results.filter((r) => r.generated);
if (gen.length) {
  lines.push('\n### Dataset generation (`arena simulate`, this run only)\n');
  lines.push(markdownTable(['battles', 'models', 'time', 'peak RSS'], gen.map((r) => [fmt.n(r.battles), String(r.models), fmt.ms(r.generated.ms), fmt.mib(r.generated.peakRss)])));
}
// targets, checked on the largest 339-model dataset
const big = [...ok].filter((r) => r.models === 339).sort((a, b) => b.battles - a.battles)[0];
if (big) {
  const s = big.stages;
  const check = (ok) => (ok ? 'met' : '**not met**');
  const rows = [
    [`read + aggregate ≤ 12× raw read, stream (${fmt.n(big.battles)})`, fmt.x((s.read + s.aggregate) / s.raw), check((s.read + s.aggregate) / s.raw <= 12)],
    [`read + aggregate ≤ 12× raw read, reused buffers (${fmt.n(big.battles)})`, fmt.x((s.read + s.aggregate) / s.rawReuse), check((s.read + s.aggregate) / s.rawReuse <= 12)],
    ['online Elo ≤ 50 ns per battle', fmt.ns(s.elo.libNs), check(s.elo.libNs <= 50)],
    ['online Elo within 1e-9 points of the Math.pow form', s.elo.libMaxDiff.toExponential(1), check(s.elo.libMaxDiff <= 1e-9)],
    ['one BT fit ≤ 0.2 s (339 models, 1e-6 points)', fmt.ms(s.fit), check(s.fit <= 200 && s.fitConverged)],
    ['bootstrap ≤ 12 ms per round (1 thread)', fmt.ms(s.bootstrap / s.bootstrapRounds), check(s.bootstrap / s.bootstrapRounds <= 12)],
  ];
  if (big.cli) {
    rows.push([`arena rate --bootstrap ${caps.bootstrap ? o.rounds : 0} ≤ 12 s, 1 thread (${fmt.n(big.battles)})`, fmt.ms(big.cli.one.ms), caps.bootstrap ? check(big.cli.one.ms <= 12000) : 'without intervals: the CLI has no bootstrap yet']);
    rows.push([`peak RSS ≤ 300 MiB (${fmt.n(big.battles)})`, fmt.mib(big.cli.one.peakRss), check(big.cli.one.peakRss <= 300 * 2 ** 20)]);
    if (big.cli.two) rows.push(['faster with 2 threads', `${fmt.ms(big.cli.two.ms)} vs ${fmt.ms(big.cli.one.ms)}`, check(big.cli.two.ms < big.cli.one.ms)]);
  }
  lines.push('\n### Targets\n');
  lines.push(markdownTable(['target', 'measured', ''], rows, ['l', 'r', 'l']));
}
if (failed.length) {
  lines.push('\n### Failures\n');
  for (const r of failed) for (const e of r.errors) lines.push(`- ${fmt.n(r.battles)} × ${r.models}: ${e}`);
}
const report = lines.join('\n');
console.log(report);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
writeFileSync(join(cache, `results-${stamp}.json`), JSON.stringify({ machine, options: o, results }, null, 1));
writeFileSync(join(cache, `results-${stamp}.md`), `${report}\n`);
log(`bench: saved bench/.cache/results-${stamp}.{json,md}`);
