#!/usr/bin/env node
// Benchmark: the simulate → rate round trip at full scale (issue 4's acceptance figure).
// Usage: npm run build && node bench/roundtrip.mjs [--battles N] [--seeds S] [--policies uniform,lmarena,...]
// Defaults: the April 2026 fixture (339 models), 5,780,000 battles (its vote total), seeds 1..3, all four
// sampling policies side by side. For each policy and seed: simulate straight into pair counts, fit Bradley–Terry
// centred on the true mean, 95% sandwich intervals; report coverage of the 339 true ratings, mean |error|, mean
// interval width, and whether the seven published models come back in the true order wherever their true gap
// exceeds the two intervals' half-widths. Timings are medians over the seeds, in milliseconds.
import { battleSampler, createPolicy, DEFAULT_MODEL, deriveRng, FIXTURE_REAL_ENTRIES, fitBoard, loadSimRatings, PairBoard, recoveryReport } from '../dist/advanced.js';

const argv = process.argv.slice(2);
const arg = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const truth = loadSimRatings();
const battles = Number(arg('--battles', truth.votes));
const seeds = Number(arg('--seeds', 3));
const policies = arg('--policies', 'uniform,popularity,lmarena,active').split(',');
const named = FIXTURE_REAL_ENTRIES.map((e) => e.model);
const m = truth.models.length;
const mean = truth.ratings.reduce((a, b) => a + b, 0) / m;
const rate = { ...DEFAULT_MODEL, initial: mean };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

console.log(`roundtrip bench: ${battles.toLocaleString('en-US')} battles, ${m} models, seeds 1..${seeds}, Node ${process.version}`);
console.log(
  ['policy', 'coverage', 'covered', 'mean |err|', 'mean width', 'named pairs ordered', 'simulate ms', 'fit ms', 'sandwich ms'].map((h, i) => (i ? h.padStart(i === 5 ? 21 : 13) : h.padEnd(10))).join(''),
);
const details = [];
for (const name of policies) {
  let covered = 0;
  let total = 0;
  let err = 0;
  let width = 0;
  let ordered = 0;
  let resolvable = 0;
  const tSim = [];
  const tFit = [];
  const tIv = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const t0 = performance.now();
    const board = new PairBoard(m);
    truth.models.forEach((model, v) => board.addModel(model, truth.ratings[v], false));
    const policy = createPolicy({ type: name }, { ratings: truth.ratings, weights: truth.weights ?? undefined }); // popularity: the fixture's weights
    const next = battleSampler(truth, policy, {}, deriveRng(seed, 'roundtrip'));
    const x = { a: 0, b: 0, outcome: 0, tstamp: 0 };
    for (let i = 0; i < battles; i++) {
      next(i, x);
      board.add(x.a, x.b, x.outcome);
    }
    const t1 = performance.now();
    const none = fitBoard(board, rate, 'none', 0.95);
    const t2 = performance.now();
    const fit = fitBoard(board, rate, 'sandwich', 0.95);
    const t3 = performance.now();
    void none;
    tSim.push(t1 - t0);
    tFit.push(t2 - t1);
    tIv.push(t3 - t2 - (t2 - t1));
    const byName = new Map();
    truth.models.forEach((model, v) => {
      if (Number.isFinite(fit.rating[v])) byName.set(model, { rating: fit.rating[v], lower: fit.lower[v], upper: fit.upper[v] });
    });
    const r = recoveryReport(truth, byName, named);
    covered += r.covered;
    total += r.models;
    err += r.meanAbsError * r.models;
    width += r.meanWidth * r.models;
    for (const p of r.pairs) {
      if (!p.resolvable) continue;
      resolvable++;
      if (p.ordered) ordered++;
    }
    if (seed === 1) details.push({ name, byName, r });
  }
  console.log(
    [
      name.padEnd(10),
      `${((100 * covered) / total).toFixed(1)}%`.padStart(13),
      `${covered}/${total}`.padStart(13),
      (err / total).toFixed(2).padStart(13),
      (width / total).toFixed(2).padStart(13),
      `${ordered}/${resolvable}`.padStart(21),
      median(tSim).toFixed(0).padStart(13),
      median(tFit).toFixed(0).padStart(13),
      median(tIv).toFixed(0).padStart(13),
    ].join(''),
  );
}
for (const { name, byName, r } of details) {
  console.log(`\n${name}, seed 1: the seven published models (true order), fitted rating and 95% interval`);
  for (const e of FIXTURE_REAL_ENTRIES) {
    const f = byName.get(e.model);
    const inside = f.lower <= e.rating && e.rating <= f.upper;
    console.log(`  ${e.model.padEnd(26)} true ${String(e.rating).padStart(5)}  fit ${f.rating.toFixed(1).padStart(7)}  [${f.lower.toFixed(1)}, ${f.upper.toFixed(1)}]${inside ? '' : '  (outside)'}`);
  }
  const unresolved = r.pairs.filter((p) => !p.resolvable).map((p) => `${p.a}/${p.b} (gap ${p.trueGap}, half-widths ${p.halfWidths.toFixed(1)})`);
  console.log(`  pairs closer than their half-widths (order not required): ${unresolved.length ? unresolved.join('; ') : 'none'}`);
}
