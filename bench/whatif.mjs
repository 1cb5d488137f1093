#!/usr/bin/env node
// Benchmark: what-if figures on the April 2026 fixture (issue 4's acceptance figures).
// Usage: npm run build && node bench/whatif.mjs [--battles N] [--reps R] [--only bestofn|biased]
// Defaults: baseline of 5,780,000 battles simulated from the fixture (seed 1), R = 50 replications.
//  1. bestOfN (the Leaderboard Illusion): muse-spark tests N private variants with n = 3,000 votes each and
//     publishes the best; N = 1, 10, 50, variants' opponents drawn uniformly or by LMArena's policy. Reported:
//     published rating − true rating (mean and 2.5–97.5% over the replications), the published interval's
//     half-width, and how often muse-spark shows at position 1.
//  2. biasedVoters: how many of muse-spark's non-wins must be flipped to wins to move it from #3 to #1 by rating
//     (P(position 1) ≥ 50% and ≥ 95% over the replications, by bisection on the number of flips), next to the
//     first-order estimate K ≈ gap · I / (points per logit · mean score gain per flip).
// Timings: milliseconds per replication (median).
import { DEFAULT_MODEL, fitBoard, loadSimRatings, parseScenario, pointsPerLogit, runWhatIf, simulatedBaseline } from '../dist/advanced.js';

const argv = process.argv.slice(2);
const arg = (name, dflt) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : dflt);
const truth = loadSimRatings();
const battles = Number(arg('--battles', truth.votes));
const reps = Number(arg('--reps', 50));
const only = arg('--only', 'all');
const model = 'muse-spark';
const fmt = (x) => (x >= 0 ? '+' : '−') + Math.abs(x).toFixed(1);

const baseScenario = { baseline: { battles }, seed: 1, replications: reps };
const base0 = simulatedBaseline(truth, parseScenario({ ...baseScenario, steps: [] }), 'fixture');
const baseFit = fitBoard(base0.board, base0.rate, 'sandwich', 0.95);
const v = base0.board.slotOf(model);
console.log(`whatif bench: baseline ${battles.toLocaleString('en-US')} battles simulated from the April 2026 fixture (seed 1), ${reps} replications, Node ${process.version}`);
console.log(`baseline: ${model} true 1493, fitted ${baseFit.rating[v].toFixed(1)} [${baseFit.lower[v].toFixed(1)}, ${baseFit.upper[v].toFixed(1)}], position ${baseFit.position[v]}, rank ${baseFit.rank[v]}, ${baseFit.battles[v].toLocaleString('en-US')} battles`);

function run(scenario) {
  const s = parseScenario({ ...baseScenario, ...scenario });
  const times = [];
  let t = performance.now();
  const r = runWhatIf(s, { ...base0, board: base0.board }, {
    onReplication: () => {
      const now = performance.now();
      times.push(now - t);
      t = now;
    },
  });
  return { r, ms: times.sort((a, b) => a - b)[Math.floor((times.length - 1) / 2)] };
}

if (only === 'all' || only === 'bestofn') {
  console.log('\n1. bestOfN: N private variants × 3,000 votes, the best one published (inflation = published − true 1493)');
  console.log(['opponents', 'N', 'inflation mean', '2.5% – 97.5%', 'half-width', 'P(position 1)', 'ms/rep'].map((h, i) => (i ? h.padStart(15) : h.padEnd(10))).join(''));
  for (const policy of ['uniform', 'lmarena']) {
    for (const N of [1, 10, 50]) {
      const { r, ms } = run({ steps: [{ type: 'bestOfN', model, variants: N, votesPerVariant: 3000, policy }] });
      const row = r.models.find((x) => x.model === model);
      const infl = r.steps[0].inflation;
      const half = (row.scenario.upper - row.scenario.lower) / 2;
      const p1 = row.positionDistribution.find((d) => d.position === 1)?.p ?? 0;
      console.log(
        [policy.padEnd(10), String(N).padStart(15), fmt(infl.mean).padStart(15), `${fmt(infl.lower)} – ${fmt(infl.upper)}`.padStart(15), half.toFixed(1).padStart(15), `${(100 * p1).toFixed(0)}%`.padStart(15), ms.toFixed(0).padStart(15)].join(''),
      );
    }
  }
}

if (only === 'all' || only === 'biased') {
  console.log(`\n2. biasedVoters: flips of ${model}'s non-wins (losses and ties) into wins until it shows at position 1`);
  // first-order estimate: the score rises by g per flip (1 for a loss, ½ for a tie), the rating by f·g/I
  const c = base0.board;
  let losses = 0;
  let ties = 0;
  let info = 0;
  const f = pointsPerLogit(DEFAULT_MODEL);
  for (let u = 0; u < c.size; u++) {
    if (u === v) continue;
    const { base, aFirst } = c.cell(v, u);
    const n = c.counts[base] + c.counts[base + 1] + c.counts[base + 2] + c.counts[base + 3];
    losses += c.counts[base + (aFirst ? 1 : 0)];
    ties += c.counts[base + 2] + c.counts[base + 3];
    const p = 1 / (1 + Math.exp(-(baseFit.rating[v] - baseFit.rating[u]) / f));
    info += n * p * (1 - p);
  }
  const gain = (losses + 0.5 * ties) / (losses + ties);
  const top = Math.max(...Array.from(baseFit.rating.slice(0, c.size)).filter((x, u) => u !== v && Number.isFinite(x)));
  const gap = top - baseFit.rating[v];
  console.log(`  baseline gap to position 1: ${gap.toFixed(2)} points; information I = ${info.toFixed(0)}; mean score gain per flip ${gain.toFixed(3)}`);
  console.log(`  first-order estimate: K ≈ gap·I/(f·gain) = ${Math.ceil((gap / f) * (info / gain)).toLocaleString('en-US')} flips`);
  const cache = new Map();
  const pTop = (k) => {
    if (!cache.has(k)) {
      const { r } = run({ replications: Math.min(reps, 20), intervals: 'none', steps: [{ type: 'biasedVoters', model, votes: k }] });
      cache.set(k, r.models.find((x) => x.model === model).positionDistribution.find((d) => d.position === 1)?.p ?? 0);
    }
    return cache.get(k);
  };
  const search = (target) => {
    let lo = 0;
    let hi = 64;
    while (pTop(hi) < target) {
      lo = hi;
      hi *= 2;
    }
    while (hi - lo > Math.max(1, Math.round(hi / 100))) {
      const mid = Math.round((lo + hi) / 2);
      if (pTop(mid) >= target) hi = mid;
      else lo = mid;
    }
    return hi;
  };
  const k50 = search(0.5);
  const k95 = search(0.95);
  const share = (k) => `${((100 * k) / battles).toFixed(4)}% of all votes, ${((100 * k) / baseFit.battles[v]).toFixed(2)}% of ${model}'s`;
  console.log(`  P(position 1) ≥ 50%: ${k50.toLocaleString('en-US')} flips (${share(k50)})`);
  console.log(`  P(position 1) ≥ 95%: ${k95.toLocaleString('en-US')} flips (${share(k95)})`);
  console.log(`  (${Math.min(reps, 20)} replications per trial; positions by rating, intervals not needed)`);
}
