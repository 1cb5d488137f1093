// The same work done the naive way, for the speed-up ratios: one object per battle (readline + JSON.parse + the
// same zod schema), aggregation through a Map keyed by name pairs, and a per-row bootstrap (resample the battles
// with replacement, re-aggregate, refit from scratch), as FastChat's `get_bootstrap_result` does. The fit itself
// is the library's Newton fit in both paths, so the ratios measure data handling, not the solver. Also times the
// library's own reference reader (JSON.parse + zod straight into columns). Prints one JSON line.
// Usage: node --max-old-space-size=8192 bench/naive.mjs --file battles.jsonl [--rounds 3] [--repeats 1]
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { BattleRow, btCells, createRng, DEFAULT_MODEL, fitBradleyTerry, readBattles } from '../dist/advanced.js';
import { parseArgs, timed } from './lib.mjs';

const o = parseArgs(process.argv.slice(2), { file: '', csv: '', rounds: 3, repeats: 1, seed: 42, reference: true });

async function naiveRead(file) {
  const rows = [];
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    line++;
    if (!text.trim()) continue;
    const r = BattleRow.safeParse(JSON.parse(text));
    if (!r.success) throw new Error(`line ${line}: ${r.error.issues[0].message}`);
    rows.push(r.data);
  }
  return rows;
}

const OUT = { model_a: 0, model_b: 1, tie: 2, 'tie (bothbad)': 3, both_bad: 3 };
/** Cells from row objects through a Map keyed by the (sorted) name pair. */
function naiveAggregate(rows, pick) {
  const cells = new Map();
  const n = pick ? pick.length : rows.length;
  for (let q = 0; q < n; q++) {
    const r = rows[pick ? pick[q] : q];
    let o = OUT[r.winner];
    let x = r.model_a;
    let y = r.model_b;
    if (x > y) {
      [x, y] = [y, x];
      if (o < 2) o = 1 - o;
    }
    const key = `${x}\u0000${y}`;
    let c = cells.get(key);
    if (!c) cells.set(key, (c = [0, 0, 0, 0]));
    c[o] += r.count ?? 1;
  }
  return cells;
}

/** The Map's cells as PairCounts (models sorted), for the library's fit. */
function toPairCounts(cells) {
  const names = new Set();
  for (const key of cells.keys()) for (const n of key.split('\u0000')) names.add(n);
  const models = [...names].sort();
  const id = new Map(models.map((n, i) => [n, i]));
  const keys = [...cells.keys()].sort();
  const P = keys.length;
  const pc = { models, pairs: P, i: new Int32Array(P), j: new Int32Array(P), winsI: new Float64Array(P), winsJ: new Float64Array(P), ties: new Float64Array(P), bothbad: new Float64Array(P) };
  keys.forEach((key, k) => {
    const [x, y] = key.split('\u0000');
    const c = cells.get(key);
    pc.i[k] = id.get(x);
    pc.j[k] = id.get(y);
    [pc.winsI[k], pc.winsJ[k], pc.ties[k], pc.bothbad[k]] = c;
  });
  return pc;
}

const out = { file: o.file };
if (o.reference) out.referenceRead = (await timed(() => readBattles([o.file], { engine: 'reference', tstamp: false }), { repeats: o.repeats })).ms;
if (o.csv) out.referenceCsv = (await timed(() => readBattles([o.csv], { engine: 'reference', tstamp: false }), { repeats: o.repeats })).ms;
const read = await timed(() => naiveRead(o.file), { repeats: o.repeats });
const rows = read.result;
out.read = read.ms;
out.rows = rows.length;
const agg = await timed(() => toPairCounts(naiveAggregate(rows, null)), { repeats: o.repeats });
out.aggregate = agg.ms;
const fit = await timed(() => fitBradleyTerry(btCells(agg.result, 'half'), { tolerance: DEFAULT_MODEL.tolerance }), { repeats: o.repeats });
out.fit = fit.ms;
// per-row bootstrap: a few rounds, timed one by one
const n = rows.length;
const perRound = [];
const pick = new Int32Array(n);
for (let r = 0; r < o.rounds; r++) {
  const t0 = performance.now();
  const rng = createRng(`${o.seed}:naive:${r}`);
  for (let q = 0; q < n; q++) pick[q] = Math.floor(rng() * n);
  fitBradleyTerry(btCells(toPairCounts(naiveAggregate(rows, pick)), 'half'), { tolerance: DEFAULT_MODEL.tolerance });
  perRound.push(performance.now() - t0);
}
perRound.sort((a, b) => a - b);
out.bootstrapRoundMs = perRound[perRound.length >> 1];
out.bootstrapRoundsTimed = o.rounds;
console.log(JSON.stringify(out));
