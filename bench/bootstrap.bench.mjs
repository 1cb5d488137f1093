#!/usr/bin/env node
// Bootstrap round cost, designs side by side in one run (fixed seed, medians):
//   multinomial cell draw (sequential conditional binomials, the former design, against Poissonisation with
//   tabulated Poisson laws + alias fix-up, as run) · fixed-Hessian (chord) refit · full Newton refit warm-started ·
//   whole round
// and the agreement of the two refits (max |Δ| in rating points).
//   npm run build && node bench/bootstrap.bench.mjs [--battles 1670000] [--models 339] [--rounds 40]
import { parseArgs } from 'node:util';
import {
  btBootstrapJob,
  countMultinomialInto,
  createRng,
  DEFAULT_MODEL,
  DEFAULT_RATINGS_PATH,
  FixedHessianRefit,
  fitBradleyTerry,
  fitModel,
  loadRatings,
  multinomialInto,
  prepareCountMultinomial,
  prepareMultinomial,
  prepareRounds,
  roundRng,
  simulateTable,
} from '../dist/advanced.js';

const { values: a } = parseArgs({ options: { battles: { type: 'string', default: '1670000' }, models: { type: 'string', default: '339' }, rounds: { type: 'string', default: '40' } } });
const fixture = loadRatings(DEFAULT_RATINGS_PATH);
const m = Number(a.models);
const truth = m >= fixture.models.length ? fixture : { models: fixture.models.slice(0, m), ratings: fixture.ratings.slice(0, m) };
const t = simulateTable(truth, Number(a.battles), {}, createRng(42));
const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
const timeIt = (f) => { const t0 = performance.now(); const r = f(); return [performance.now() - t0, r]; };
const fits = [];
let point;
for (let q = 0; q < 5; q++) { const [ms, p] = timeIt(() => fitModel(t, DEFAULT_MODEL)); fits.push(ms); point = p; }
const job = btBootstrapJob(point.pairs, { theta: point.theta, prior: point.prior }, { ties: 'half', tolerance: 1e-6, scale: 400, base: 10, offset: 1000 });
const F = 400 / Math.log(10);
const plan = prepareMultinomial(job.counts);
const [tPrep, cplan] = timeIt(() => prepareCountMultinomial(job.counts, job.battles));
const drawn = new Float64Array(job.counts.length);
const pairs = job.i.length;
const refit = new FixedHessianRefit(point.cells, point.theta, point.prior, 1e-6 / F);
const th = new Float64Array(point.models.length);
const R = Number(a.rounds);
const tDraw = [], tDraw2 = [], tChord = [], tNewton = [], iters = [];
let worst = 0;
for (let r = 0; r < R; r++) {
  tDraw.push(timeIt(() => multinomialInto(roundRng(1, r), job.battles, plan, drawn))[0]);
  tDraw2.push(timeIt(() => countMultinomialInto(roundRng(1, r), cplan, drawn))[0]);
  const s = new Float64Array(pairs), n = new Float64Array(pairs);
  for (let k = 0; k < pairs; k++) { s[k] = drawn[3 * k] + drawn[3 * k + 1] / 2; n[k] = drawn[3 * k] + drawn[3 * k + 1] + drawn[3 * k + 2]; }
  const [ms, res] = timeIt(() => refit.refit(s, n, th));
  tChord.push(ms); iters.push(res.iterations);
  const [ms2, full] = timeIt(() => fitBradleyTerry({ m: point.models.length, pairs, i: job.i, j: job.j, s, n }, { prior: point.prior, tolerance: 1e-6, init: point.theta }));
  tNewton.push(ms2);
  for (let v = 0; v < th.length; v++) worst = Math.max(worst, Math.abs(th[v] - full.theta[v]) * F);
}
const runner = prepareRounds(job, 1);
const out = new Float64Array(point.models.length);
const tRound = [];
for (let r = 0; r < R; r++) tRound.push(timeIt(() => runner.run(r, out, { fallbacks: 0, degenerate: 0 }))[0]);
console.log(`${point.models.length} models, ${t.battles.toLocaleString('en-US')} battles, ${pairs.toLocaleString('en-US')} pairs (${plan.index.length.toLocaleString('en-US')} non-empty cells); medians of ${R} rounds, one thread`);
console.log('| stage | ms |');
console.log('| --- | ---: |');
console.log(`| full-data fit (Newton, cold start), median of 5 | ${median(fits).toFixed(1)} |`);
console.log(`| multinomial cell draw: sequential conditional binomials (former design) | ${median(tDraw).toFixed(2)} |`);
console.log(`| multinomial cell draw: Poisson tables + alias fix-up (as run; set-up ${tPrep.toFixed(1)} ms once) | ${median(tDraw2).toFixed(2)} |`);
console.log(`| fixed-Hessian (chord) refit, ${median(iters)} iterations | ${median(tChord).toFixed(2)} |`);
console.log(`| full Newton refit, warm start (the alternative) | ${median(tNewton).toFixed(2)} |`);
console.log(`| whole round as run (draw + chord refit) | ${median(tRound).toFixed(2)} |`);
console.log(`chord vs Newton refits: max |Δ| = ${worst.toExponential(2)} rating points`);
