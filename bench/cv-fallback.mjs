#!/usr/bin/env node
// Which models fall back from control-variate to plain bootstrap quantiles, and why: for every model of a
// Bradley–Terry board, the guards of controlQuantiles (src/stats/control-variate.ts) — effective draws ≥ 400,
// |skewness| and |excess kurtosis| ≤ 0.2, a positive Edgeworth density — and, for the models that fail one, the
// Monte-Carlo error their plain 2.5%/97.5% bounds carry: the theoretical √(q(1−q)/R)/φ(z)·σ and the spread of the
// bounds over several seeds (same data, same rounds).
// Default: LMArena's 1.67M real battles, 1,000 rounds (arena rate's default seed 42 first), seeds 42,1,…,9.
//   npm run build && node bench/cv-fallback.mjs [--file F] [--rounds 1000] [--seeds 42,1,2,3,4,5,6,7,8,9] [--threads 2]
import { parseArgs } from 'node:util';
import {
  bootstrapJobOf,
  bootstrapRatings,
  CONTROL_MAX_CUMULANT,
  CONTROL_MIN_DRAWS,
  controlQuantiles,
  fitModel,
  linearBootstrapModel,
  modelLaws,
  quantileSorted,
  readBattles,
} from '../dist/advanced.js';
import { REAL_BATTLES } from './lib.mjs';

const { values: a } = parseArgs({
  options: {
    file: { type: 'string', default: REAL_BATTLES },
    rounds: { type: 'string', default: '1000' },
    seeds: { type: 'string', default: '42,1,2,3,4,5,6,7,8,9' },
    threads: { type: 'string', default: '2' },
  },
});
const t = await readBattles([a.file], {});
const point = fitModel(t); // LMArena's defaults: Bradley–Terry, ties half
const job = bootstrapJobOf(point);
const lin = linearBootstrapModel(job);
const laws = modelLaws(lin);
const m = point.models.length;
const R = Number(a.rounds);
const probs = [0.025, 0.975];
const seeds = a.seeds.split(',');
const why = (law) => {
  const r = [];
  if (law.effectiveDraws < CONTROL_MIN_DRAWS) r.push(`effective draws ${law.effectiveDraws.toFixed(0)} < ${CONTROL_MIN_DRAWS}`);
  if (Math.abs(law.skewness) > CONTROL_MAX_CUMULANT) r.push(`|skewness| ${Math.abs(law.skewness).toFixed(3)} > ${CONTROL_MAX_CUMULANT}`);
  if (Math.abs(law.kurtosis) > CONTROL_MAX_CUMULANT) r.push(`|excess kurtosis| ${Math.abs(law.kurtosis).toFixed(3)} > ${CONTROL_MAX_CUMULANT}`);
  return r.length ? r.join('; ') : 'Edgeworth density not positive over the grid, or non-finite rounds';
};
// per seed, per model: [lower, upper] of the estimator arena rate uses, and whether it was the control one
const bounds = [];
const onControl = new Map();
for (const seed of seeds) {
  const dist = await bootstrapRatings(job, { rounds: R, seed, threads: Number(a.threads) });
  const row = [];
  const tc = new Float64Array(R);
  const lc = new Float64Array(R);
  for (let v = 0; v < m; v++) {
    for (let r = 0; r < R; r++) {
      tc[r] = dist.ratings[r * m + v];
      lc[r] = dist.control[r * m + v];
    }
    let q = controlQuantiles(tc, lc, laws[v], probs);
    if (!onControl.has(v)) onControl.set(v, []);
    onControl.get(v).push(q !== null);
    if (!q) {
      tc.sort();
      q = [quantileSorted(tc, probs[0]), quantileSorted(tc, probs[1])];
    }
    row.push(q);
  }
  bounds.push(row);
}
const sdOf = (xs) => {
  const mu = xs.reduce((s, x) => s + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((s, x) => s + (x - mu) ** 2, 0) / (xs.length - 1));
};
const phi = Math.exp(-0.5 * 1.959963984540054 ** 2) / Math.sqrt(2 * Math.PI);
const mcFactor = Math.sqrt((0.025 * 0.975) / R) / phi;
console.log(`${a.file}: ${t.battles.toLocaleString('en-US')} battles, ${m} models, ${R} rounds, seeds ${seeds.join(',')}; plain-quantile Monte-Carlo error factor √(q(1−q)/R)/φ(1.96) = ${mcFactor.toFixed(4)}·σ`);
const fellBack = [];
const spreadsControl = [];
for (let v = 0; v < m; v++) {
  const flags = onControl.get(v);
  const sdLo = sdOf(bounds.map((b) => b[v][0]));
  const sdHi = sdOf(bounds.map((b) => b[v][1]));
  if (flags.every(Boolean)) spreadsControl.push((sdLo + sdHi) / 2);
  else fellBack.push({ v, flags, sdLo, sdHi });
}
spreadsControl.sort((x, y) => x - y);
console.log(
  `on the control estimator for every seed: ${m - fellBack.length}/${m} models` +
    (spreadsControl.length ? `; their bounds' sd over seeds: median ${spreadsControl[spreadsControl.length >> 1].toFixed(3)}, largest ${spreadsControl[spreadsControl.length - 1].toFixed(3)} points` : ''),
);
// how close the models on the control estimator come to the guards
const closest = (key, f) => {
  let best = -1;
  for (let v = 0; v < m; v++) if (best < 0 || f(laws[v]) > f(laws[best])) best = v;
  const law = laws[best];
  return `${key}: ${point.models[best]} (${point.totals.battles[best].toLocaleString('en-US')} battles; effective draws ${law.effectiveDraws.toFixed(0)}, skewness ${law.skewness.toFixed(3)}, excess kurtosis ${law.kurtosis.toFixed(3)})`;
};
console.log(`closest to a guard — ${closest('fewest effective draws', (l) => -l.effectiveDraws)}; ${closest('largest |skewness|', (l) => Math.abs(l.skewness))}; ${closest('largest |excess kurtosis|', (l) => Math.abs(l.kurtosis))}`);
console.log(`models falling back to plain quantiles for at least one seed: ${fellBack.length}`);
if (fellBack.length) console.log('model | battles | σ (points) | effective draws | skewness | excess kurtosis | guard failed | plain for seeds | theoretical MC sd of a bound (0.085·σ) | observed sd of lower / upper over seeds');
for (const { v, flags, sdLo, sdHi } of fellBack) {
  // one row per model that fell back
  const law = laws[v];
  console.log(
    [
      point.models[v],
      point.totals.battles[v].toLocaleString('en-US'),
      law.sd.toFixed(2),
      law.effectiveDraws.toFixed(0),
      law.skewness.toFixed(3),
      law.kurtosis.toFixed(3),
      why(law),
      `${flags.filter((f) => !f).length}/${flags.length}`,
      (mcFactor * law.sd).toFixed(2),
      `${sdLo.toFixed(2)} / ${sdHi.toFixed(2)}`,
    ].join(' | '),
  );
}
