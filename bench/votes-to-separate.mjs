#!/usr/bin/env node
// Votes to separate two models: compareModels' formula (precision per vote w²/b added to the gap's own sandwich
// precision) against the exact sandwich update with the full information matrix H, (s² + n·b·h²)/(1 + n·w·h)²,
// h = xᵀH⁻¹x (Sherman–Morrison on the bread), solved for the smallest n whose 95% interval excludes 0.
// Default: LMArena's 1.67M real battles, gpt-4o-mini-2024-07-18 against claude-3-5-sonnet-20240620.
//   npm run build && node bench/votes-to-separate.mjs [--file F] [--a M1] [--b M2]
import { parseArgs } from 'node:util';
import {
  btCells,
  centredInformation,
  choleskyInPlace,
  choleskyInverse,
  DEFAULT_MODEL,
  fitModel,
  normalQuantile,
  pointsPerLogit,
  readBattles,
  sandwichCovariance,
  votesToSeparate,
} from '../dist/advanced.js';
import { REAL_BATTLES } from './lib.mjs';

const { values: o } = parseArgs({
  options: {
    file: { type: 'string', default: REAL_BATTLES },
    a: { type: 'string', default: 'gpt-4o-mini-2024-07-18' },
    b: { type: 'string', default: 'claude-3-5-sonnet-20240620' },
  },
});
const t = await readBattles([o.file]);
const p = fitModel(t, DEFAULT_MODEL); // Bradley–Terry, ties half
const m = p.models.length;
const [a, b] = [p.models.indexOf(o.a), p.models.indexOf(o.b)];
if (a < 0 || b < 0) throw new Error('unknown model');
const th = p.theta;
const cov = sandwichCovariance(p.pairs, 'half', th, p.prior);
const h = centredInformation(btCells(p.pairs, 'half'), th, p.prior);
if (!choleskyInPlace(h, m)) throw new Error('information matrix not positive definite');
const hinv = choleskyInverse(h, m);
const s2 = cov[a * m + a] + cov[b * m + b] - 2 * cov[a * m + b];
const hx = hinv[a * m + a] + hinv[b * m + b] - 2 * hinv[a * m + b];
const d = th[a] - th[b];
const pr = 1 / (1 + Math.exp(-d));
const w = pr * (1 - pr);
const tot = p.totals;
const tau = (tot.ties[a] + tot.ties[b]) / (tot.battles[a] + tot.battles[b]);
const meat = w - tau / 4;
const z = normalQuantile(0.975);
let n = 0;
while ((s2 + n * meat * hx * hx) / (1 + n * w * hx) ** 2 > (d * d) / (z * z)) n++;
const f = pointsPerLogit(DEFAULT_MODEL);
console.log(`${o.a} − ${o.b}: gap ${(d * f).toFixed(2)} points, sandwich sd ${(Math.sqrt(s2) * f).toFixed(3)}, model-based sd ${(Math.sqrt(hx) * f).toFixed(3)}; tie share τ = ${tau.toFixed(4)}`);
console.log(`votes to separate: compareModels' formula ${votesToSeparate(d * f, Math.sqrt(s2) * f, 0.95, DEFAULT_MODEL, tau)}, exact sandwich update ${n}, decisive-vote p(1−p) formula ${votesToSeparate(d * f, Math.sqrt(s2) * f, 0.95, DEFAULT_MODEL)}`);
