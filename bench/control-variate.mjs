#!/usr/bin/env node
// Control-variate quantiles for every likelihood model: what they cost and what they change (fixed seeds, medians).
//   1. Round cost, one thread, the same prepared runner: a round without the control variate vs with it, for
//      Bradley–Terry, Davidson and Rao–Kupper on LMArena's 1.67M real battles (fixtures/data), and for style control
//      on simulated battles with style fields (the real sets have none). Run it again with `--dist` pointing at a
//      build of an older commit for the "before" column (there, tie and style runners ignore the control array).
//   2. Law cost: the linearised law of every model (`linearBootstrapModel` + `modelLaws`), and for Bradley–Terry
//      the per-pair power sums against the general cells form (`btLinearisation`), ratio printed.
//   3. Intervals on the real data at --rounds (default 1,000) for two seeds: control vs plain bounds on the same
//      rounds, seed-to-seed movement of each, models on the control estimator, refit fallbacks.
//   npm run build && node bench/control-variate.mjs [--dist ../dist] [--time-rounds 30] [--rounds 1000]
//        [--threads 2] [--style-battles 100000] [--style-models 129] [--style-rounds 200] [--skip-intervals] [--skip-style]
import { parseArgs } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REAL_BATTLES } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: a } = parseArgs({
  options: {
    dist: { type: 'string', default: join(here, '..', 'dist') },
    file: { type: 'string', default: REAL_BATTLES },
    'time-rounds': { type: 'string', default: '30' },
    rounds: { type: 'string', default: '1000' },
    threads: { type: 'string', default: '2' },
    'style-battles': { type: 'string', default: '100000' },
    'style-models': { type: 'string', default: '129' },
    'style-rounds': { type: 'string', default: '200' },
    'skip-intervals': { type: 'boolean', default: false },
    'skip-style': { type: 'boolean', default: false },
  },
});
const A = await import(resolve(a.dist, 'advanced.js'));
const L = await import(resolve(a.dist, 'stats', 'linearisation.js')).catch(() => null);
const median = (xs) => [...xs].sort((p, q) => p - q)[Math.floor(xs.length / 2)];
const time = (f) => {
  const t0 = performance.now();
  const r = f();
  return [performance.now() - t0, r];
};
const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : String(x));

/** Median round cost without and with the control array, alternating on the same runner and rounds. */
function roundCost(job, R) {
  const runner = A.prepareRounds(job, 1);
  const m = job.models;
  const out = new Float64Array(m);
  const ctl = new Float64Array(m);
  const extra = new Float64Array(8);
  const stats = { fallbacks: 0, degenerate: 0, unconverged: 0 };
  runner.run(0, out, stats, ctl, extra); // warm-up
  const without = [];
  const withCv = [];
  for (let r = 1; r <= R; r++) {
    without.push(time(() => runner.run(r, out, stats, undefined, extra))[0]);
    withCv.push(time(() => runner.run(r, out, stats, ctl, extra))[0]);
  }
  // the control variate's own cost, isolated from the round's noise: one linearStep on a count vector
  let step = Number.NaN;
  if (L && (job.kind === 'tie' || job.kind === 'style')) {
    const lin = job.kind === 'tie' ? L.tieLinearisation(job) : L.styleLinearisation(job);
    const w = job.kind === 'tie' ? new Float64Array(lin.cells) : Float64Array.from(job.table.count);
    if (job.kind === 'tie') L.tieCellCounts(job.counts, w);
    const g = new Float64Array(lin.n);
    const ts = [];
    for (let r = 0; r < Math.max(R, 5); r++) ts.push(time(() => L.linearStep(lin, w, g, out))[0]);
    step = median(ts);
  }
  return { without: median(without), with: median(withCv), step, hasControl: runner.hasControl };
}

/** Law cost: linearBootstrapModel + modelLaws, median of 3 (null where the build has no law for the job). */
function lawCost(job) {
  const ts = [];
  let lin = null;
  try {
    for (let k = 0; k < 3; k++) ts.push(time(() => { lin = A.linearBootstrapModel(job); if (lin) A.modelLaws(lin); })[0]);
  } catch {
    lin = null;
  }
  return { ms: median(ts), lin };
}

const R = Number(a['time-rounds']);
const t = await A.readBattles([a.file]);
console.log(`dist: ${a.dist}`);
console.log(`${t.models.length} models, ${t.battles.toLocaleString('en-US')} battles (${a.file.split('/').slice(-2).join('/')})\n`);
console.log(`## Round cost, one thread (median of ${R} rounds; the same runner, alternating)\n`);
console.log('| model | kind | round without control (ms) | round with control (ms) | ratio | the control alone (ms) | linearised law of every model (ms) |');
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: |');
const fits = {};
for (const ties of ['half', 'davidson', 'rao-kupper']) {
  const point = A.fitModel(t, { ties });
  fits[ties] = point;
  const job = A.bootstrapJobOf(point);
  const c = roundCost(job, R);
  const law = lawCost(job);
  console.log(`| ${ties === 'half' ? 'bt (ties half)' : ties} | ${job.kind}${c.hasControl ? '' : ' (no control)'} | ${fmt(c.without)} | ${fmt(c.with)} | ${fmt(c.with / c.without, 3)} | ${job.kind === 'bt' ? 'in the chord refit' : fmt(c.step, 3)} | ${law.lin ? fmt(law.ms, 1) : '—'} |`);
}

if (L?.btLinearisation) {
  const job = A.bootstrapJobOf(fits.half);
  const pairs = A.linearBootstrapModel(job);
  const f = 400 / Math.log(10);
  const [tBuild, cells] = time(() => A.cellLinearModel(L.btLinearisation(job), f, job.offset));
  const tp = [];
  const tc = [];
  let lp;
  let lc;
  for (let k = 0; k < 5; k++) {
    tp.push(time(() => (lp = A.modelLaws(pairs)))[0]);
    tc.push(time(() => (lc = A.modelLaws(cells)))[0]);
  }
  let worst = 0;
  for (let v = 0; v < lp.length; v++) worst = Math.max(worst, Math.abs(lp[v].sd - lc[v].sd) / lp[v].sd);
  console.log(`\nBradley–Terry laws of all ${lp.length} models: per-pair power sums ${fmt(median(tp), 1)} ms; general cells form ${fmt(median(tc), 1)} ms (+ ${fmt(tBuild, 1)} ms to build), ratio ${fmt(median(tc) / median(tp), 2)}; largest relative sd difference ${worst.toExponential(1)}`);
}

async function intervals(label, point, job, rounds, seeds) {
  const lin = A.linearBootstrapModel(job);
  const m = point.models.length;
  const runs = [];
  for (const seed of seeds) {
    const t0 = performance.now();
    const dist = await A.bootstrapRatings(job, { rounds, seed, threads: Number(a.threads) });
    const secs = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const c = A.controlIntervals(dist, lin, point.ratings, 0.95);
    const tc = performance.now() - t1;
    const p = A.percentileIntervals(dist, point.ratings, 0.95);
    runs.push({ seed, dist, c, p, secs, tc });
  }
  const laws = A.modelLaws(lin);
  const stat = (f) => {
    let max = 0;
    let sum = 0;
    let arg = 0;
    let n = 0;
    for (let v = 0; v < m; v++) {
      for (const side of ['lower', 'upper']) {
        const x = Math.abs(f(side, v));
        sum += x;
        n++;
        if (x > max) [max, arg] = [x, v];
      }
    }
    return `${fmt(max, 3)} (${point.models[arg]}), mean ${fmt(sum / n, 3)}`;
  };
  console.log(`\n### ${label}: ${rounds} rounds, seeds ${seeds.join(', ')}, ${a.threads} threads\n`);
  for (const r of runs) {
    console.log(`seed ${r.seed}: ${fmt(r.secs, 1)} s (${fmt((r.secs * 1000) / rounds, 2)} ms a round); fallbacks ${r.dist.fallbacks}, degenerate ${r.dist.degenerate}, unconverged ${r.dist.unconverged}; ${r.c.controlled}/${m} models on the control estimator (${m - r.c.controlled} fell back to plain quantiles); control intervals in ${fmt(r.tc, 0)} ms`);
    console.log(`  |control − plain| per bound, same rounds: ${stat((s, v) => r.c[s][v] - r.p[s][v])}`);
    let sdRatio = [Infinity, 0];
    let tl = 0;
    for (let v = 0; v < m; v++) {
      let d2 = 0;
      for (let q = 0; q < rounds; q++) d2 += (r.dist.ratings[q * m + v] - r.dist.control[q * m + v]) ** 2;
      tl = Math.max(tl, Math.sqrt(d2 / rounds) / laws[v].sd);
      const half = (r.c.upper[v] - r.c.lower[v]) / (2 * 1.959964 * laws[v].sd);
      sdRatio = [Math.min(sdRatio[0], half), Math.max(sdRatio[1], half)];
    }
    console.log(`  rms(T − L)/sd(L): largest ${fmt(tl, 4)}; control half-width / (1.96·sd of the linear law): ${fmt(sdRatio[0], 3)} – ${fmt(sdRatio[1], 3)}`);
  }
  if (runs.length >= 2) {
    const [x, y] = runs;
    console.log(`  seed ${x.seed} vs ${y.seed}, control: ${stat((s, v) => x.c[s][v] - y.c[s][v])}`);
    console.log(`  seed ${x.seed} vs ${y.seed}, plain:   ${stat((s, v) => x.p[s][v] - y.p[s][v])}`);
  }
}

if (!a['skip-intervals']) {
  console.log('\n## Intervals on the real data: control vs plain quantiles (95%)');
  for (const ties of ['davidson', 'rao-kupper', 'half']) {
    const point = fits[ties];
    await intervals(ties === 'half' ? 'bt (ties half)' : ties, point, A.bootstrapJobOf(point), Number(a.rounds), [1, 2]);
  }
}

if (!a['skip-style']) {
  const fixture = A.loadRatings(join(here, '..', 'fixtures', 'lmarena-text-2026-04.json'));
  const ms = Number(a['style-models']);
  const truth = { models: fixture.models.slice(0, ms), ratings: fixture.ratings.slice(0, ms) };
  const n = Number(a['style-battles']);
  const st = A.simulateStyleTable(truth, n, { tieRate: 0.3 }, { effect: [1, 0.3, -0.2, 0], verbosity: new Map([[truth.models[3], 3]]) }, A.createRng(1));
  console.log(`\n## Style control on simulated battles with style fields (${ms} models of the April 2026 fixture, ${n.toLocaleString('en-US')} battles = rows)\n`);
  console.log('| outcome | round without control (ms) | round with control (ms) | ratio | the control alone (ms) | linearised law of every model (ms) | law / round |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  const sfits = {};
  for (const ties of ['half', 'davidson']) {
    const point = A.fitModel(st, { ties, styleControl: true });
    sfits[ties] = point;
    const job = A.bootstrapJobOf(point);
    const c = roundCost(job, Math.max(3, Math.min(R, 10)));
    const law = lawCost(job);
    console.log(`| ${ties} | ${fmt(c.without, 1)} | ${fmt(c.with, 1)} | ${fmt(c.with / c.without, 3)} | ${fmt(c.step, 2)} | ${law.lin ? fmt(law.ms, 1) : '—'} | ${law.lin ? fmt(law.ms / c.with, 2) : '—'} |`);
  }
  if (!a['skip-intervals']) {
    for (const ties of ['half', 'davidson']) await intervals(`style control over ${ties}`, sfits[ties], A.bootstrapJobOf(sfits[ties]), Number(a['style-rounds']), [1, 2]);
  }
}
