// One dataset through the library's pipeline, stage by stage, in this (fresh) process; prints one JSON line.
// Usage: node bench/stages.mjs --file battles.jsonl [--repeats 5] [--rounds 1000] [--boot-repeats 5] [--parquet f] [--csv f]
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { aggregatePairs, btCells, DEFAULT_ELO, DEFAULT_MODEL, fitBradleyTerry, fitModel, formatLeaderboard, leaderboardOf, modelFor, readBattles, replayElo, withoutIntervals } from '../dist/advanced.js';
import { bootstrapLabel, bootstrapStage } from './bootstrap-stage.mjs';
import { parseArgs, timed } from './lib.mjs';

const o = parseArgs(process.argv.slice(2), { file: '', repeats: 5, rounds: 1000, bootRepeats: 5, seed: 42, parquet: '', csv: '', json: '', threads: 1 });

/** Node merely reading the bytes with a stream (1 MiB chunks), the everyday way. */
async function rawRead(file) {
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) bytes += chunk.length;
  return bytes;
}

/**
 * Node merely reading the bytes the fastest way: two reused 1 MiB buffers, the next read in flight while the
 * current chunk is handled (what readBattles does for files). With `visit`, a plain JS loop also touches every
 * byte once (counts line feeds): the floor of any JavaScript parser.
 */
async function rawReadReuse(file, visit) {
  const fh = await open(file, 'r');
  const bufs = [Buffer.allocUnsafe(1 << 20), Buffer.allocUnsafe(1 << 20)];
  let position = 0;
  let k = 0;
  let lines = 0;
  let next = fh.read(bufs[0], 0, 1 << 20, 0);
  for (;;) {
    const { bytesRead } = await next;
    if (bytesRead === 0) break;
    position += bytesRead;
    const cur = bufs[k];
    k ^= 1;
    next = fh.read(bufs[k], 0, 1 << 20, position);
    if (visit) for (let i = 0; i < bytesRead; i++) if (cur[i] === 10) lines++;
  }
  await fh.close();
  return visit ? lines : position;
}

/**
 * Online Elo written the naive way, FastChat's formula literally: two Math.pow per battle (the library's former
 * form), or two Math.exp (`twoExp`). Design alternatives measured side by side with the library's one-exp replayElo.
 */
function replayEloNaive(t, { k, scale, base, initial }, twoExp) {
  const r = new Float64Array(t.models.length).fill(initial);
  const c = Math.log(base) / scale;
  const { a: A, b: B, outcome: O, count: C } = t;
  for (let q = 0; q < t.rows; q++) {
    const o = O[q];
    const a = A[q];
    const b = B[q];
    const sa = o === 0 ? 1 : o === 1 ? 0 : 0.5;
    for (let n = C[q]; n > 0; n--) {
      const ra = r[a];
      const rb = r[b];
      const ea = twoExp ? 1 / (1 + Math.exp((rb - ra) * c)) : 1 / (1 + Math.pow(base, (rb - ra) / scale));
      const eb = twoExp ? 1 / (1 + Math.exp((ra - rb) * c)) : 1 / (1 + Math.pow(base, (ra - rb) / scale));
      r[a] = ra + k * (sa - ea);
      r[b] = rb + k * (1 - sa - eb);
    }
  }
  return r;
}
const maxAbsDiff = (x, y) => x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i])), 0);

const out = { file: o.file };
out.raw = (await timed(() => rawRead(o.file), { repeats: o.repeats, warmup: 1 })).ms;
out.rawReuse = (await timed(() => rawReadReuse(o.file, false), { repeats: o.repeats, warmup: 1 })).ms;
out.jsPass = (await timed(() => rawReadReuse(o.file, true), { repeats: o.repeats, warmup: 1 })).ms;
const read = await timed(() => readBattles([o.file], { tstamp: false }), { repeats: o.repeats });
const t = read.result;
Object.assign(out, { read: read.ms, rows: t.rows, battles: t.battles, models: t.models.length });
const agg = await timed(() => aggregatePairs(t), { repeats: o.repeats });
out.aggregate = agg.ms;
out.pairs = agg.result.pairs;
const cells = btCells(agg.result, 'half');
const fit = await timed(() => fitBradleyTerry(cells, { tolerance: DEFAULT_MODEL.tolerance }), { repeats: o.repeats });
out.fit = fit.ms;
out.fitIterations = fit.result.iterations;
out.fitConverged = fit.result.converged;
// the whole point fit as `arena rate` does it (aggregate, totals, graph checks, fit)
const point = fitModel(t, DEFAULT_MODEL);
const boot = await timed(() => bootstrapStage(point, { rounds: o.rounds, seed: o.seed, threads: o.threads }), { repeats: o.bootRepeats });
Object.assign(out, { bootstrap: boot.ms, bootstrapRounds: o.rounds, bootstrapLabel });
const output = await timed(
  () => {
    // the point fit's leaderboard (rows, ranks, params) formatted as JSON and as a table
    const lb = leaderboardOf(withoutIntervals(point, modelFor(DEFAULT_MODEL)), { method: 'bt', ties: 'half', bootstrap: o.rounds });
    return formatLeaderboard(lb, 'json').length + formatLeaderboard(lb, 'table').length;
  },
  { repeats: o.repeats },
);
out.output = output.ms;
// online Elo after reading: the library (one Math.exp per battle) against FastChat's literal Math.pow form and a
// two-Math.exp form
const eloLib = await timed(() => replayElo(t, DEFAULT_ELO), { repeats: o.repeats, warmup: 1 });
const eloPow = await timed(() => replayEloNaive(t, DEFAULT_ELO, false), { repeats: o.repeats, warmup: 1 });
const eloExp2 = await timed(() => replayEloNaive(t, DEFAULT_ELO, true), { repeats: o.repeats, warmup: 1 });
out.elo = {
  libNs: (eloLib.ms * 1e6) / t.battles,
  powNs: (eloPow.ms * 1e6) / t.battles,
  exp2Ns: (eloExp2.ms * 1e6) / t.battles,
  libMaxDiff: maxAbsDiff(eloPow.result, eloLib.result),
  exp2MaxDiff: maxAbsDiff(eloPow.result, eloExp2.result),
};
if (o.parquet) {
  const pq = await timed(() => readBattles([o.parquet], { tstamp: false }), { repeats: o.repeats });
  out.readParquet = pq.ms;
  out.parquetSameTable = pq.result.rows === t.rows && pq.result.a.every((x, i) => x === t.a[i]) && pq.result.outcome.every((x, i) => x === t.outcome[i]);
}
if (o.csv) {
  const csv = await timed(() => readBattles([o.csv], { tstamp: false }), { repeats: o.repeats });
  out.readCsv = csv.ms;
  out.csvSameTable = csv.result.rows === t.rows && csv.result.a.every((x, i) => x === t.a[i]) && csv.result.outcome.every((x, i) => x === t.outcome[i]);
}
if (o.json) {
  const js = await timed(() => readBattles([o.json], { tstamp: false }), { repeats: o.repeats });
  out.readJson = js.ms;
  out.jsonSameTable = js.result.rows === t.rows && js.result.a.every((x, i) => x === t.a[i]) && js.result.outcome.every((x, i) => x === t.outcome[i]);
}
console.log(JSON.stringify(out));
