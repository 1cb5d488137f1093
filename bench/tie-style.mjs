// Tie models and style control: speed and the independent-optimiser check on the real data.
// Run after `npm run build`:  node bench/tie-style.mjs [--quick]
// Fixed seeds; each timing is the median of 5 runs. --quick: style control at 100k battles only.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  aggregatePairs, createRng, fitDavidson, fitDavidsonMM, fitRaoKupper, fitRaoKupperMM, fitStyleControl, readBattles,
  simulateStyleTable, styleDesign, tieCells,
} from '../dist/advanced.js';

const quick = process.argv.includes('--quick');
const median = (f, runs = 5) => {
  const ts = [];
  let out;
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    out = f();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return { ms: ts[Math.floor(runs / 2)], out };
};

const real = join(import.meta.dirname, '..', 'fixtures', 'data', 'chatbot-arena-20240814', 'battles.jsonl');
if (!existsSync(real)) throw new Error(`${real} is missing (the repository's fixtures/data)`);
{
  const c = tieCells(aggregatePairs(await readBattles([real])));
  console.log('## Real data: Newton vs minorisation-maximisation (1.67M battles)\n');
  console.log('| model | solver | iterations | median ms | mean log-lik. per battle | tie parameter |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: |');
  const notes = [];
  for (const [name, newton, mm] of [['Davidson', fitDavidson, fitDavidsonMM], ['Rao–Kupper', fitRaoKupper, fitRaoKupperMM]]) {
    const a = median(() => newton(c));
    const b = median(() => mm(c, { tolerance: 1e-12 }), 3);
    let d = 0;
    for (let v = 0; v < c.m; v++) d = Math.max(d, Math.abs(a.out.theta[v] - b.out.theta[v]));
    for (const [solver, r] of [['Newton', a], ['MM', b]]) {
      console.log(`| ${name} | ${solver} | ${r.out.iterations} | ${r.ms.toFixed(1)} | ${(r.out.logLikelihood / r.out.battles).toFixed(12)} | ${r.out.tie.toFixed(6)} |`);
    }
    notes.push(`${name}: max |Δθ| = ${d.toExponential(2)}, |Δℓ| per battle = ${(Math.abs(a.out.logLikelihood - b.out.logLikelihood) / a.out.battles).toExponential(2)}`);
  }
  console.log(`\n${notes.join('\n')}\n`);
}

console.log('## Style control on simulated battles (8 models, one 3x verbose, token effect 1.0)\n');
console.log('| battles | outcome | iterations | median ms | token coefficient per unit (95% sandwich) |');
console.log('| ---: | --- | ---: | ---: | --- |');
const models = ['m0', 'm1', 'm2', 'verbose', 'm4', 'm5', 'm6', 'm7'];
const truth = { models, ratings: Float64Array.from([1000, 1020, 1040, 1030, 1060, 1080, 1100, 1120]) };
for (const n of quick ? [100_000] : [100_000, 1_000_000]) {
  const t = simulateStyleTable(truth, n, {}, { effect: [1, 0, 0, 0], verbosity: new Map([['verbose', 3]]) }, createRng(1));
  const d = styleDesign(t);
  for (const outcome of ['half', 'davidson', 'rao-kupper']) {
    const r = median(() => fitStyleControl(t, d, { outcome }), quick || n < 1e6 ? 5 : 3);
    const f = r.out;
    const i = f.betaIndex[0];
    const se = Math.sqrt(f.cov[i * f.n + i]);
    const per = (x) => (x / d.sd[0]).toFixed(3);
    console.log(`| ${n.toLocaleString('en-US')} | ${outcome} | ${f.iterations} | ${r.ms.toFixed(0)} | ${per(f.beta[0])} (${per(f.beta[0] - 1.96 * se)} – ${per(f.beta[0] + 1.96 * se)}) |`);
  }
}
