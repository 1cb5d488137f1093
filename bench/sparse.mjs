// Many models (issue 15 item 3): the dense and the sparse Bradley–Terry solver side by side — one fit (from the
// battle table: aggregation + Newton), bootstrap rounds on worker threads, sandwich variances, peak memory — on
// simulated boards of N battles over 1,000 / 5,000 / 20,000 models, and the agreement of the two paths.
//
// Boards: true ratings 1000 + 200·z (z standard normal, seeded), pairs from `--policy league` (each model meets
// about --opponents others: half its neighbours by true rating, half random; src/sim/league.ts), or `uniform`
// (every pair equally likely: the densest graph, the sparse path's worst case). Every configuration runs in a fresh
// process (bench/lib.mjs runChild), so peak RSS is its own; CPU time (all threads) is printed beside wall time
// because the machine is shared.
//
//   npm run build && node bench/sparse.mjs                       # the issue's grid (long: see bench/README.md)
//   node bench/sparse.mjs --models 1000 --rounds 1000 --policy uniform
//   node bench/sparse.mjs --models 1000 --policy uniform --solvers dense   # one solver only
//   node bench/sparse.mjs --threshold                            # fit times at 100–1,600 models: the auto rule
//   node bench/sparse.mjs --sandwich --models 5000,20000         # a whole board's sandwich variances: one CG
//                                                                # solve per model (old) vs blocks of solves (new)
//   node bench/sparse.mjs --ties davidson --models 1000,20000 --rounds 20   # a tie model (the simulator draws ties:
//                                                                # 34%, half of them both-bad), both-bad as a tie
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, median, now, parseArgs, runChild } from './lib.mjs';

const SELF = fileURLToPath(import.meta.url);
const args = parseArgs(process.argv.slice(2), {
  models: '1000,5000,20000',
  battles: 6_000_000,
  opponents: 40,
  policy: 'league',
  rounds: 1000,
  threads: 2,
  repeats: 3,
  seed: 1,
  denseMax: 1000,
  variances: 200,
  threshold: false,
  sandwich: false,
  sample: 64,
  one: '',
  solver: '',
  solvers: '',
  out: '',
  ties: 'half',
});

/** A seeded board: m models, `battles` battles by the policy. */
async function board(lib, m, battles, policy, opponents, seed) {
  const rng = lib.deriveRng(seed, 'truth');
  const truth = { models: Array.from({ length: m }, (_, v) => `m${String(v).padStart(5, '0')}`), ratings: Float64Array.from({ length: m }, () => 1000 + 200 * lib.normal(rng)) };
  const pol = policy === 'league' ? lib.leaguePolicy(truth.ratings, opponents, lib.deriveRng(seed, 'league')) : lib.uniformPolicy(m);
  return lib.simulateTable(truth, battles, {}, lib.deriveRng(seed, 'battles'), pol);
}

const cpuMs = (c) => (c.user + c.system) / 1000;

/** One configuration in this (fresh) process: prints one JSON line; writes ratings, sds and rounds to `out`. */
async function one() {
  const lib = await import('../dist/advanced.js');
  const m = Number(args.one);
  const solver = args.solver;
  const table = await board(lib, m, args.battles, args.policy, args.opponents, args.seed);
  const opts = { ...lib.DEFAULT_MODEL, solver, ties: args.ties };
  const model = lib.modelFor(opts);
  const fitMs = [];
  const fitCpu = [];
  let fit;
  for (let k = 0; k < args.repeats; k++) {
    const t = { ...table }; // a new table object: the pair counts are aggregated again (no cache)
    const c0 = process.cpuUsage();
    const t0 = now();
    fit = model.fit(t, opts);
    fitMs.push(now() - t0);
    fitCpu.push(cpuMs(process.cpuUsage(c0)));
  }
  // sandwich variances of the first `variances` models (sparse: one CG solve each; dense: the m³ factors, then O(m) each)
  const V = Math.min(args.variances, m);
  const c1 = process.cpuUsage();
  const t1 = now();
  const cov = model.sandwich(fit);
  const sd = new Float64Array(V);
  // (the dense tie sandwich has no entry function: its whole (m+1)² matrix, formed at once)
  for (let v = 0; v < V; v++) sd[v] = Math.sqrt(cov.entry ? cov.entry(v, v) : cov.cov[v * cov.n + v]) * lib.pointsPerLogit(opts);
  const sandwichMs = now() - t1;
  const sandwichCpu = cpuMs(process.cpuUsage(c1));
  let roundsMs = 0;
  let roundsCpu = 0;
  let dist = null;
  if (args.rounds > 0) {
    const job = lib.bootstrapJobOf(fit);
    const c2 = process.cpuUsage();
    const t2 = now();
    dist = await lib.bootstrapRatings(job, { rounds: args.rounds, seed: args.seed, threads: args.threads });
    roundsMs = now() - t2;
    roundsCpu = cpuMs(process.cpuUsage(c2));
  }
  const keep = Math.min(args.rounds, 20);
  const blob = new Float64Array(m + V + keep * m);
  blob.set(fit.ratings, 0);
  blob.set(sd, m);
  if (dist) blob.set(dist.ratings.subarray(0, keep * m), m + V);
  writeFileSync(args.out, Buffer.from(blob.buffer));
  const result = {
    m,
    solver,
    pairs: fit.pairs.pairs,
    iterations: fit.fit.iterations,
    converged: fit.fit.converged,
    fitMs: median(fitMs),
    fitCpu: median(fitCpu),
    sandwichMs,
    sandwichCpu,
    variances: V,
    rounds: args.rounds,
    roundsMs,
    roundsCpu,
    control: Boolean(dist?.control),
    fallbacks: dist?.fallbacks ?? 0,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function maxAbs(a, b, from, to) {
  let d = 0;
  for (let k = from; k < to; k++) d = Math.max(d, Math.abs(a[k] - b[k]));
  return d;
}

async function grid() {
  const dir = mkdtempSync(join(tmpdir(), 'arena-sparse-'));
  const sizes = String(args.models).split(',').map(Number);
  console.log(`# sparse vs dense ${args.ties === 'davidson' || args.ties === 'rao-kupper' ? `${args.ties} (tie model)` : `Bradley–Terry (ties ${args.ties})`}: ${fmt.n(args.battles)} battles, policy ${args.policy}${args.policy === 'league' ? ` (${args.opponents} opponents)` : ''}, ${args.rounds} rounds on ${args.threads} threads, seed ${args.seed}, fits: median of ${args.repeats}`);
  console.log(`# node ${process.version}, ${cpus().length} cores, load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log('| models | pairs | solver | fit (wall / CPU) | Newton | variances (per model, wall) | rounds (wall / CPU) | per round (CPU) | control | peak RSS |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const m of sizes) {
    const res = {};
    const both = m <= args.denseMax ? ['dense', 'sparse'] : ['sparse'];
    for (const solver of args.solvers ? both.filter((x) => String(args.solvers).split(',').includes(x)) : both) {
      const out = join(dir, `${m}-${solver}.bin`);
      const pass = ['--one', String(m), '--solver', solver, '--out', out, '--battles', String(args.battles), '--opponents', String(args.opponents), '--policy', args.policy, '--rounds', String(args.rounds), '--threads', String(args.threads), '--repeats', String(args.repeats), '--seed', String(args.seed), '--variances', String(args.variances), '--ties', String(args.ties)];
      const r = runChild(SELF, pass);
      const j = r.json;
      res[solver] = { ...j, blob: new Float64Array(readFileSync(out).buffer.slice(0)) };
      console.log(
        `| ${m} | ${j.pairs} | ${solver} | ${fmt.ms(j.fitMs)} / ${fmt.ms(j.fitCpu)} | ${j.iterations} | ${fmt.ms(j.sandwichMs / j.variances)} (${j.variances}: ${fmt.ms(j.sandwichMs)}) | ${fmt.ms(j.roundsMs)} / ${fmt.ms(j.roundsCpu)} | ${fmt.ms(j.roundsCpu / Math.max(1, j.rounds))} | ${j.control ? 'yes' : 'no'} | ${fmt.mib(r.peakRss)} |`,
      );
    }
    if (res.dense && res.sparse) {
      const V = res.dense.variances;
      const a = res.dense.blob;
      const b = res.sparse.blob;
      const keep = Math.min(args.rounds, 20);
      console.log(
        `|  |  | sparse ÷ dense | ${fmt.x(res.dense.fitMs / res.sparse.fitMs)} faster (CPU ${fmt.x(res.dense.fitCpu / res.sparse.fitCpu)}) |  |  | ${fmt.x(res.dense.roundsMs / res.sparse.roundsMs)} faster (CPU ${fmt.x(res.dense.roundsCpu / res.sparse.roundsCpu)}) |  |  | max |Δ| rating ${maxAbs(a, b, 0, m).toExponential(1)}, sd ${maxAbs(a, b, m, m + V).toExponential(1)}, rounds ${maxAbs(a, b, m + V, m + V + keep * m).toExponential(1)} points |`,
      );
    }
  }
  console.log(`# load average at end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  rmSync(dir, { recursive: true, force: true });
}

/** Fit times of both solvers at growing m on uniform pairs (the densest graph) and on the league: the auto threshold. */
async function threshold() {
  const lib = await import('../dist/advanced.js');
  console.log(`# fit only (from the table), median of ${args.repeats}; 1M battles; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log('| policy | models | pairs | dense (CPU) | sparse (CPU) | dense ÷ sparse |');
  console.log('|---|---|---|---|---|---|');
  for (const policy of ['uniform', 'league']) {
    for (const m of [100, 200, 400, 800, 1600]) {
      const table = await board(lib, m, 1_000_000, policy, args.opponents, args.seed);
      const cpu = {};
      let pairs = 0;
      for (const solver of ['dense', 'sparse']) {
        const opts = { ...lib.DEFAULT_MODEL, solver };
        const model = lib.modelFor(opts);
        const xs = [];
        for (let k = 0; k < args.repeats; k++) {
          const c0 = process.cpuUsage();
          const f = model.fit({ ...table }, opts);
          xs.push(cpuMs(process.cpuUsage(c0)));
          pairs = f.pairs.pairs;
        }
        cpu[solver] = median(xs);
      }
      console.log(`| ${policy} | ${m} | ${pairs} | ${fmt.ms(cpu.dense)} | ${fmt.ms(cpu.sparse)} | ${fmt.x(cpu.dense / cpu.sparse)} |`);
    }
  }
}

/**
 * One board in this (fresh) process, sparse fit: the sandwich variances of a whole board by the old path — one CG
 * solve per model (`sparseSandwich(…).entry(v, v)`), timed on `--sample` models, median per model, extrapolated to m
 * — and by the new one (`contrastVariances`: 8 solves per pass over the cells) in this thread and on `--threads`
 * worker threads (`contrastVariancesParallel`), each over all m models, median of `--repeats`; wall and CPU (all
 * threads) side by side. Checks that the new variances equal the old bit for bit on the sample and that the
 * threaded ones equal the in-thread ones. Prints one JSON line.
 */
async function sandwichOne() {
  const lib = await import('../dist/advanced.js');
  const m = Number(args.one);
  const table = await board(lib, m, args.battles, args.policy, args.opponents, args.seed);
  const opts = { ...lib.DEFAULT_MODEL, solver: 'sparse' };
  const fit = lib.modelFor(opts).fit(table, opts);
  const ids = Int32Array.from({ length: m }, (_, v) => v);
  // the sample: evenly spread models
  const V = Math.min(args.sample, m);
  const sample = Int32Array.from({ length: V }, (_, k) => Math.floor((k * m) / V));
  const oldWall = [];
  const oldCpu = [];
  const oldVar = new Float64Array(V);
  const s = lib.sparseSandwich(fit.pairs, fit.ties, fit.theta, fit.prior);
  for (let k = 0; k < V; k++) {
    const c0 = process.cpuUsage();
    const t0 = now();
    oldVar[k] = s.entry(sample[k], sample[k]);
    oldWall.push(now() - t0);
    oldCpu.push(cpuMs(process.cpuUsage(c0)));
  }
  const iterations = s.iterations() / V;
  const runs = (fn) => {
    const wall = [];
    const cpu = [];
    let out;
    return (async () => {
      for (let r = 0; r < args.repeats; r++) {
        const c0 = process.cpuUsage();
        const t0 = now();
        out = await fn();
        wall.push(now() - t0);
        cpu.push(cpuMs(process.cpuUsage(c0)));
      }
      return { wall: median(wall), cpu: median(cpu), out };
    })();
  };
  const one = await runs(() => lib.sparseSandwich(fit.pairs, fit.ties, fit.theta, fit.prior).contrastVariances(ids, -1));
  const par = await runs(() => lib.contrastVariancesParallel(lib.sparseSandwich(fit.pairs, fit.ties, fit.theta, fit.prior).data, ids, -1, args.threads));
  let same = 0;
  for (let k = 0; k < V; k++) if (one.out[sample[k]] === oldVar[k]) same++;
  let threadsSame = true;
  for (let v = 0; v < m; v++) if (par.out[v] !== one.out[v]) threadsSame = false;
  const result = {
    m,
    pairs: fit.pairs.pairs,
    sample: V,
    iterations,
    oldWall: median(oldWall),
    oldCpu: median(oldCpu),
    oneWall: one.wall,
    oneCpu: one.cpu,
    parWall: par.wall,
    parCpu: par.cpu,
    sameAsOld: same,
    threadsSame,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** The --sandwich grid: one fresh process per size, a table of per-model and whole-board times. */
async function sandwichGrid() {
  const sizes = String(args.models).split(',').map(Number);
  const min = (ms) => (ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : fmt.ms(ms));
  console.log(`# sparse sandwich, a whole board's variances: ${fmt.n(args.battles)} battles, policy ${args.policy}${args.policy === 'league' ? ` (${args.opponents} opponents)` : ''}, seed ${args.seed}; old: one CG solve per model, median over ${args.sample} models, extrapolated ×m; new: all m models, median of ${args.repeats}, in this thread and on ${args.threads} threads`);
  console.log(`# node ${process.version}, ${cpus().length} cores, load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log('| models | pairs | CG iterations / model | old per model (wall / CPU) | old whole board (extrapolated wall / CPU) | new, 1 thread: board (wall / CPU) | per model (CPU) | new, ' + args.threads + ' threads: board (wall / CPU) | old ÷ new (CPU, 1 thread) | old ÷ new (wall, ' + args.threads + ' threads) | new = old bit for bit | threads bit-identical |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const m of sizes) {
    const pass = ['--sandwich', '--one', String(m), '--battles', String(args.battles), '--opponents', String(args.opponents), '--policy', args.policy, '--threads', String(args.threads), '--repeats', String(args.repeats), '--seed', String(args.seed), '--sample', String(args.sample)];
    const j = runChild(SELF, pass).json;
    console.log(
      `| ${m.toLocaleString('en-US')} | ${j.pairs.toLocaleString('en-US')} | ${j.iterations.toFixed(1)} | ${fmt.ms(j.oldWall)} / ${fmt.ms(j.oldCpu)} | ${min(j.oldWall * m)} / ${min(j.oldCpu * m)} | ${min(j.oneWall)} / ${min(j.oneCpu)} | ${fmt.ms(j.oneCpu / m)} | ${min(j.parWall)} / ${min(j.parCpu)} | ${fmt.x((j.oldCpu * m) / j.oneCpu)} | ${fmt.x((j.oldWall * m) / j.parWall)} | ${j.sameAsOld}/${j.sample} | ${j.threadsSame ? 'yes' : 'NO'} |`,
    );
  }
  console.log(`# load average at end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}

if (args.one && args.sandwich) await sandwichOne();
else if (args.one) await one();
else if (args.sandwich) await sandwichGrid();
else if (args.threshold) await threshold();
else await grid();
