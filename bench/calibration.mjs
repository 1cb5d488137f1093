#!/usr/bin/env node
// Calibration study: do 95% intervals cover the true rating 95% of the time?
// Simulates battles from known true ratings (src/sim/generate.ts: uniform pairs, ties keeping the expected
// score equal to the BT probability), rates them with Bradley–Terry and checks, per model and replication,
// whether the bootstrap percentile interval (quantiles estimated two ways from the same rounds: plain type 7, and
// with the linearised refit as a control variate, the default of `arena rate`) and the sandwich interval contain
// the true rating.
//
//   npm run build && node bench/calibration.mjs                 # default: a few minutes on 2 cores
//   node bench/calibration.mjs --reps 200 --rounds 200 --sizes 1000,10000,100000,1000000 --models 20,339
//
// Flags: --reps R (replications per cell) --rounds B (bootstrap rounds) --sizes N,N,… (battles)
//        --models 20,339 (20 = every 16th model of the April 2026 fixture, 339 = all) --level 0.95
//        --threads T (bootstrap worker threads) --seed S --skip M:N,… (cells to leave out)
// Output: a Markdown table on stdout (progress on stderr). Fixed seed: the same flags give the same table.
import { parseArgs } from 'node:util';
import {
  bootstrapJobOf, bootstrapRatings, controlIntervals, DEFAULT_MODEL, DEFAULT_RATINGS_PATH, deriveRng, fitModel, linearBootstrapModel,
  loadRatings, modelFor, percentileIntervals, sandwichIntervals, simulateTable,
} from '../dist/advanced.js';

const { values: a } = parseArgs({
  options: {
    reps: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '100' },
    sizes: { type: 'string', default: '1000,10000,100000,1000000' },
    models: { type: 'string', default: '20,339' },
    level: { type: 'string', default: '0.95' },
    threads: { type: 'string', default: '2' },
    seed: { type: 'string', default: '2026' },
    skip: { type: 'string', default: '339:1000,339:10000,339:1000000' },
  },
});
const reps = Number(a.reps);
const rounds = Number(a.rounds);
const level = Number(a.level);
const threads = Number(a.threads);
const skip = new Set(a.skip.split(',').filter(Boolean));
const fixture = loadRatings(DEFAULT_RATINGS_PATH);

function truthOf(m) {
  if (m >= fixture.models.length) return fixture;
  const step = Math.floor(fixture.models.length / m);
  const idx = Array.from({ length: m }, (_, q) => q * step);
  return { models: idx.map((v) => fixture.models[v]), ratings: Float64Array.from(idx, (v) => fixture.ratings[v]) };
}

const rows = [];
for (const m of a.models.split(',').map(Number)) {
  const truth = truthOf(m);
  const mean = truth.ratings.reduce((x, y) => x + y, 0) / truth.ratings.length;
  // the fit is centred (mean rating = initial): with initial = the true mean, fitted and true ratings share a scale
  const rate = { ...DEFAULT_MODEL, initial: mean };
  const model = modelFor(rate);
  for (const n of a.sizes.split(',').map(Number)) {
    if (skip.has(`${m}:${n}`)) continue;
    let coveredB = 0, coveredC = 0, coveredS = 0, total = 0, widthB = 0, widthC = 0, widthS = 0, degenerateReps = 0, controlled = 0, t0 = performance.now();
    for (let rep = 0; rep < reps; rep++) {
      const t = simulateTable(truth, n, {}, deriveRng(a.seed, 'calibration', m, n, rep));
      const point = fitModel(t, rate);
      if (point.prior > 0) degenerateReps++;
      const job = bootstrapJobOf(point);
      const dist = await bootstrapRatings(job, { rounds, seed: `${a.seed}:${rep}`, threads });
      const boot = percentileIntervals(dist, point.ratings, level);
      const lin = linearBootstrapModel(job);
      const ctl = lin ? controlIntervals(dist, lin, point.ratings, level) : boot;
      controlled += ctl.controlled ?? 0;
      const sw = sandwichIntervals(point, model, level).intervals; // the engine's sandwich, as `arena rate`
      // truth, indexed like the fit's models (sorted names)
      const trueOf = new Map(truth.models.map((name, v) => [name, truth.ratings[v]]));
      point.models.forEach((name, v) => {
        const x = trueOf.get(name);
        total++;
        if (boot.lower[v] <= x && x <= boot.upper[v]) coveredB++;
        if (ctl.lower[v] <= x && x <= ctl.upper[v]) coveredC++;
        widthC += (ctl.upper[v] - ctl.lower[v]) / 2;
        if (sw.lower[v] <= x && x <= sw.upper[v]) coveredS++;
        widthB += (boot.upper[v] - boot.lower[v]) / 2;
        widthS += (sw.upper[v] - sw.lower[v]) / 2;
      });
      process.stderr.write(`\r${m} models, ${n} battles: ${rep + 1}/${reps}`);
    }
    const secs = (performance.now() - t0) / 1000;
    process.stderr.write(` (${secs.toFixed(0)} s)\n`);
    rows.push({ m, n, reps, total, cb: coveredB / total, cc: coveredC / total, cs: coveredS / total, hb: widthB / total, hc: widthC / total, hs: widthS / total, degenerateReps, controlled: controlled / total });
  }
}
const pct = (x) => `${(100 * x).toFixed(1)}%`;
console.log(`Coverage of ${Math.round(level * 100)}% intervals for the true rating (bootstrap: ${rounds} rounds, percentile quantiles plain type 7 and control-variate; sandwich: Huber–White, normal). ` +
  `Each cell pools models × replications; the Monte-Carlo standard error of a coverage near 95% is about ±${pct(Math.sqrt(0.95 * 0.05 / (reps * 20)))} (20 models) and ±${pct(Math.sqrt(0.95 * 0.05 / (reps * 339)))} (339 models) before within-replication correlation.`);
console.log();
console.log('| models | battles | replications | bootstrap coverage, control (plain) | sandwich coverage | mean half-width, bootstrap control (plain) | mean half-width, sandwich | control / sandwich | models on the control estimator | replications needing the prior |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(`| ${r.m} | ${r.n.toLocaleString('en-US')} | ${r.reps} | ${pct(r.cc)} (${pct(r.cb)}) | ${pct(r.cs)} | ${r.hc.toFixed(2)} (${r.hb.toFixed(2)}) | ${r.hs.toFixed(2)} | ${(r.hc / r.hs).toFixed(3)} | ${pct(r.controlled)} | ${r.degenerateReps} |`);
}
