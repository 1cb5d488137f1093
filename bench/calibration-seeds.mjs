#!/usr/bin/env node
// Monte-Carlo stability of bootstrap bounds: the same data, the same number of rounds, several seeds, and three
// quantile estimators side by side on the same rounds:
//   plain          type-7 sample quantiles of the rounds (`--bootstrap-quantiles plain`)
//   control, h=0   the linearised refit as a control variate, unsmoothed correction (unbiased)
//   control        the same with the correction smoothed at h = 4·sd(T − L) (`arena rate`'s default)
// For each: the largest and mean bound difference between seed pairs (1,2), (3,4), …, and the error against a
// long reference run (--reference rounds, unsmoothed control estimator: unbiased and ~√(ref/R) times steadier).
// Also the bootstrap/sandwich half-width ratio and the time per round.
// Default: LMArena's 1.67M real battles (fixtures/data/chatbot-arena-20240814), 1,000 rounds, seeds 1–6.
//   npm run build && node bench/calibration-seeds.mjs [--file F] [--rounds 1000] [--seeds 1,2,3,4,5,6]
//                                                     [--reference 20000] [--threads 2]
import { parseArgs } from 'node:util';
import {
  bootstrapJobOf, bootstrapRatings, controlIntervals, DEFAULT_MODEL, fitModel, linearBootstrapModel, modelFor, percentileIntervals, readBattles,
  sandwichIntervals,
} from '../dist/advanced.js';
import { REAL_BATTLES } from './lib.mjs';

const { values: a } = parseArgs({
  options: {
    file: { type: 'string', default: REAL_BATTLES },
    rounds: { type: 'string', default: '1000' },
    seeds: { type: 'string', default: '1,2,3,4,5,6' },
    reference: { type: 'string', default: '20000' },
    threads: { type: 'string', default: '2' },
  },
});
const t = await readBattles([a.file], {});
const point = fitModel(t, DEFAULT_MODEL);
const job = bootstrapJobOf(point);
const lin = linearBootstrapModel(job);
const m = point.models.length;
const R = Number(a.rounds);
const estimators = [
  ['plain', (d) => percentileIntervals(d, point.ratings, 0.95)],
  ['control, h=0', (d) => controlIntervals(d, lin, point.ratings, 0.95, 0)],
  ['control', (d) => controlIntervals(d, lin, point.ratings, 0.95)],
];
const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
const bounds = estimators.map(() => []);
const ms = estimators.map(() => []);
let first = null;
for (const seed of a.seeds.split(',')) {
  const t0 = performance.now();
  const dist = await bootstrapRatings(job, { rounds: R, seed, threads: Number(a.threads) });
  const secs = (performance.now() - t0) / 1000;
  console.log(`seed ${seed}: ${R} rounds in ${secs.toFixed(1)} s (${((secs * 1000) / R).toFixed(2)} ms a round with ${a.threads} threads; ${dist.fallbacks} full-Newton fallbacks, ${dist.degenerate} degenerate rounds)`);
  estimators.forEach(([, est], e) => {
    const t1 = performance.now();
    bounds[e].push(est(dist));
    ms[e].push(performance.now() - t1);
  });
  first ??= bounds[0][0];
}
const refR = Number(a.reference);
let ref = null;
let smoothingBias = '';
if (refR > 0) {
  const t0 = performance.now();
  const dist = await bootstrapRatings(job, { rounds: refR, seed: 'reference', threads: Number(a.threads) });
  ref = controlIntervals(dist, lin, point.ratings, 0.95, 0);
  console.log(`reference: ${refR} rounds (seed "reference", unsmoothed control estimator) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // the smoothing's bias, read on the reference rounds (where both estimators' Monte-Carlo errors are small and shared)
  const smooth = controlIntervals(dist, lin, point.ratings, 0.95);
  const plainRef = percentileIntervals(dist, point.ratings, 0.95);
  const gap = (x) => {
    let worst = 0;
    let sum = 0;
    for (let v = 0; v < m; v++) {
      for (const side of ['lower', 'upper']) {
        const d = x[side][v] - ref[side][v];
        worst = Math.max(worst, Math.abs(d));
        sum += Math.abs(d);
      }
    }
    return `largest ${worst.toFixed(3)}, mean ${(sum / (2 * m)).toFixed(4)} points`;
  };
  smoothingBias = `On the ${refR} reference rounds, smoothed control − unsmoothed control: ${gap(smooth)}; plain − unsmoothed control: ${gap(plainRef)}.`;
}
console.log(`\n${m} models, ${t.battles.toLocaleString('en-US')} battles, ${R} rounds, 95% intervals; bound differences between seed pairs (${Math.floor(bounds[0].length / 2)} pairs × ${m} models):`);
console.log('| estimator | largest difference | mean difference | models within 0.5 (all pairs) | rms error vs reference | largest mean error vs reference | time to estimate (median) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
estimators.forEach(([name], e) => {
  const xs = bounds[e];
  let worst = 0;
  let worstModel = '';
  let sum = 0;
  let n = 0;
  let within = 0;
  for (let p = 0; p + 1 < xs.length; p += 2) {
    const [x, y] = [xs[p], xs[p + 1]];
    for (let v = 0; v < m; v++) {
      const d = Math.max(Math.abs(x.lower[v] - y.lower[v]), Math.abs(x.upper[v] - y.upper[v]));
      sum += d;
      n++;
      if (d <= 0.5) within++;
      if (d > worst) {
        worst = d;
        worstModel = point.models[v];
      }
    }
  }
  let rms = '–';
  let bias = '–';
  if (ref) {
    let sq = 0;
    let maxMean = 0;
    for (let v = 0; v < m; v++) {
      for (const side of ['lower', 'upper']) {
        let s = 0;
        for (const x of xs) {
          const err = x[side][v] - ref[side][v];
          s += err;
          sq += err * err;
        }
        maxMean = Math.max(maxMean, Math.abs(s / xs.length));
      }
    }
    rms = (Math.sqrt(sq / (2 * m * xs.length))).toFixed(3);
    bias = maxMean.toFixed(3);
  }
  console.log(`| ${name} | ${worst.toFixed(3)} (${worstModel}) | ${(sum / n).toFixed(3)} | ${within}/${n} | ${rms} | ${bias} | ${median(ms[e]).toFixed(0)} ms |`);
});
if (smoothingBias) console.log(`\n${smoothingBias}`);
const sw = sandwichIntervals(point, modelFor(DEFAULT_MODEL), 0.95).intervals;
const ctl = bounds[2][0];
const ratios = point.models.map((_, v) => (ctl.upper[v] - ctl.lower[v]) / (sw.upper[v] - sw.lower[v]));
ratios.sort((p, q) => p - q);
console.log(`\nbootstrap (control, seed ${a.seeds.split(',')[0]}) / sandwich half-width: median ${ratios[Math.floor(ratios.length / 2)].toFixed(3)}, range ${ratios[0].toFixed(3)} – ${ratios[ratios.length - 1].toFixed(3)}; ${ctl.controlled}/${m} models on the control estimator`);
