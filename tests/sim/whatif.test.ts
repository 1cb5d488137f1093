import { describe, expect, it } from 'vitest';
import { tableFromBattles } from '../../src/data/table.js';
import { expectedScore } from '../../src/rating/predict.js';
import { DEFAULT_MODEL as DEFAULT_RATE } from '../../src/models/types.js';
import type { SimRatings } from '../../src/sim/fixture.js';
import { parseScenario } from '../../src/sim/scenario.js';
import { coordinateAscent, countCells } from '../rating/independent-fits.js';
import { fitAgainstFixed } from '../../src/rating/bradley-terry.js';
import { battlesBaseline, prepareWhatIfBaseline, runWhatIf, simulatedBaseline, type WhatIfResult } from '../../src/sim/whatif.js';

function truthOf(entries: [string, number][]): SimRatings {
  return {
    models: entries.map((e) => e[0]),
    ratings: Float64Array.from(entries, (e) => e[1]),
    weights: null,
    isNew: new Uint8Array(entries.length),
    real: null,
  };
}

const eight = truthOf([
  ['top', 1300],
  ['second', 1280],
  ['__proto__', 1250],
  ['mid', 1200],
  ['low', 1150],
  ['lower', 1100],
  ['bottom', 1000],
  ['last', 950],
]);

function run(scenario: object, truth = eight): WhatIfResult {
  const s = parseScenario(scenario);
  return runWhatIf(s, simulatedBaseline(truth, s, 'test'));
}

const row = (r: WhatIfResult, model: string) => r.models.find((x) => x.model === model)!;

describe('runWhatIf: replications', () => {
  const scenario = { baseline: { battles: 20000 }, seed: 3, steps: [{ type: 'addVotes', model: 'mid', votes: 500 }] };
  it('is reproducible, and replication r does not depend on how many there are', () => {
    const a = run({ ...scenario, replications: 3 });
    const b = run({ ...scenario, replications: 5 });
    const c = run({ ...scenario, replications: 3 });
    expect(c.samples.rating).toEqual(a.samples.rating);
    const K = a.samples.models.length;
    expect(b.samples.models).toEqual(a.samples.models);
    expect(Array.from(b.samples.rating.slice(0, 3 * K))).toEqual(Array.from(a.samples.rating));
  });
  it('a step that adds nothing changes nothing: every delta is exactly 0', () => {
    const r = run({ baseline: { battles: 20000 }, replications: 2, steps: [{ type: 'addVotes', model: 'mid', votes: 0 }] });
    for (const x of r.models) {
      expect(x.delta).toEqual({ mean: 0, lower: 0, upper: 0 });
      expect(x.pRankChange).toBe(0);
      expect(x.scenario!.battles).toBe(x.baseline!.battles);
    }
  });
  it('the models no step names keep their mean rating (the alignment)', () => {
    const r = run({ baseline: { battles: 20000 }, replications: 4, steps: [{ type: 'addVotes', model: 'mid', opponent: 'low', votes: 3000, winRate: 0.9 }] });
    const K = r.samples.models.length;
    const base = new Map(r.models.map((x) => [x.model, x.baseline!.rating]));
    for (let rep = 0; rep < 4; rep++) {
      let d = 0;
      let n = 0;
      r.samples.models.forEach((m, v) => {
        if (m === 'mid' || m === 'low') return;
        d += r.samples.rating[rep * K + v]! - base.get(m)!;
        n++;
      });
      expect(Math.abs(d / n)).toBeLessThan(1e-9);
    }
  });
});

describe('runWhatIf: steps', () => {
  it('addVotes against one opponent: exact vote counts, the winner rises and the loser falls', () => {
    const r = run({ baseline: { battles: 20000 }, replications: 3, steps: [{ type: 'addVotes', model: 'low', opponent: 'top', votes: 400, winRate: 1 }] });
    const low = row(r, 'low');
    const top = row(r, 'top');
    expect(low.scenario!.battles - low.baseline!.battles).toBe(400);
    expect(top.scenario!.battles - top.baseline!.battles).toBe(400);
    expect(low.delta!.lower).toBeGreaterThan(10);
    expect(top.delta!.upper).toBeLessThan(-10);
    expect(r.steps[0]).toMatchObject({ type: 'addVotes', model: 'low', votesAdded: 400 });
  });
  it('addVotes against the field at the true rating moves the model by noise only', () => {
    const r = run({ baseline: { battles: 40000 }, replications: 8, steps: [{ type: 'addVotes', model: '__proto__', votes: 5000 }] });
    const x = row(r, '__proto__');
    expect(x.scenario!.battles - x.baseline!.battles).toBe(5000);
    // the change is the baseline error being diluted: within the baseline interval's half-width
    expect(Math.abs(x.delta!.mean)).toBeLessThan((x.baseline!.upper! - x.baseline!.lower!) / 2);
  });
  it('biasedVoters: exactly K votes flipped, the model rises with K', () => {
    const small = run({ baseline: { battles: 40000 }, replications: 3, steps: [{ type: 'biasedVoters', model: 'mid', votes: 100 }] });
    const big = run({ baseline: { battles: 40000 }, replications: 3, steps: [{ type: 'biasedVoters', model: 'mid', votes: 1000 }] });
    expect(small.steps[0]!.flipped).toEqual({ mean: 100, lower: 100, upper: 100 });
    expect(row(small, 'mid').scenario!.battles).toBe(row(small, 'mid').baseline!.battles);
    expect(row(small, 'mid').delta!.mean).toBeGreaterThan(0);
    expect(row(big, 'mid').delta!.mean).toBeGreaterThan(5 * row(small, 'mid').delta!.mean);
    const against = run({ baseline: { battles: 40000 }, replications: 2, steps: [{ type: 'biasedVoters', model: 'mid', votes: 300, direction: 'against' }] });
    expect(row(against, 'mid').delta!.upper).toBeLessThan(0);
  });
  it('biasedVoters: one flipped loss moves the BT score by one (the fit shifts by about 1/information)', () => {
    // two models only: flipping a loss to a win changes the score by exactly 1, so the logit moves by ≈ 1/I,
    // I = Σ n·p(1−p); for 10,000 battles at p ≈ 0.5, 173.7/(10000·0.25) = 0.0695 points per flip
    const two = truthOf([
      ['x', 1000],
      ['y', 1000],
    ]);
    const r = run({ baseline: { battles: 10000 }, replications: 1, tieRate: 0, steps: [{ type: 'biasedVoters', model: 'x', votes: 50 }] }, two);
    // y is named by no step, so the alignment holds it still and x's change is the whole change of the gap
    expect(row(r, 'y').delta!.mean).toBe(0);
    expect(row(r, 'x').delta!.mean).toBeCloseTo(50 * (173.7178 / 2500), 1);
  });
  it('biasedVoters: asking for more flips than exist flips them all and warns', () => {
    const r = run({ baseline: { battles: 2000 }, replications: 1, steps: [{ type: 'biasedVoters', model: 'top', fraction: 1 }] });
    expect(r.warnings.some((w) => /biasedVoters \(step 0\): "top" has only \d+ votes that can be flipped for it/.test(w))).toBe(true);
    expect(r.warnings.some((w) => /never lost/.test(w))).toBe(true); // and top then never lost: the prior keeps it finite
  });
  it('removeModel drops the model and its votes', () => {
    const r = run({ baseline: { battles: 20000 }, replications: 1, steps: [{ type: 'removeModel', model: 'mid' }] });
    const mid = row(r, 'mid');
    expect(mid.scenario).toBeNull();
    expect(mid.delta).toBeNull();
    expect(r.models[r.models.length - 1]!.model).toBe('mid');
    expect(r.models.filter((x) => x.scenario).length).toBe(7);
  });
  it('removeModel warns when a bridging model leaves and the graph splits', () => {
    const bs = [] as { modelA: string; modelB: string; outcome: 'a' | 'b' | 'tie' }[];
    for (let i = 0; i < 20; i++) {
      bs.push({ modelA: 'A', modelB: 'bridge', outcome: i % 2 ? 'a' : 'b' });
      bs.push({ modelA: 'bridge', modelB: 'C', outcome: i % 3 ? 'a' : 'b' });
      bs.push({ modelA: 'C', modelB: 'D', outcome: i % 2 ? 'a' : 'tie' });
    }
    const s = parseScenario({ replications: 1, steps: [{ type: 'removeModel', model: 'bridge' }] });
    const r = runWhatIf(s, battlesBaseline(tableFromBattles(bs), s, ['x.jsonl']));
    expect(r.warnings).toContain('Removing "bridge" (step 0) splits the comparison graph into 2 parts (sizes 2, 1): ratings in different parts are no longer comparable.');
    expect(row(r, 'A').truth).toBeNull(); // real battles: the truth is not known
  });
  it('newModel for T hours under the LMArena policy receives its expected share of the votes', () => {
    const r = run({ baseline: { battles: 20000 }, replications: 4, votesPerHour: 1000, steps: [{ type: 'newModel', model: 'fresh', rating: 1270, hours: 5, policy: { type: 'lmarena', topN: 2, boostVotes: 100000 } }] });
    // weights: new 5, top-2 (top, second) 3, others 1; P(new in a pair) = Σ_j w_new·w_j / Σ_{i<j} w_i·w_j
    const w = [3, 3, 1, 1, 1, 1, 1, 1, 5];
    let z = 0;
    for (let i = 0; i < 9; i++) for (let j = i + 1; j < 9; j++) z += w[i]! * w[j]!;
    const p = (5 * (3 + 3 + 6)) / z;
    const n = 4 * 5000;
    const got = r.steps[0]!.modelVotes!.mean * 4;
    expect(Math.abs(got - n * p)).toBeLessThan(4 * Math.sqrt(n * p * (1 - p)));
    const fresh = row(r, 'fresh');
    expect(fresh.baseline).toBeNull();
    expect(fresh.truth).toBe(1270);
    expect(fresh.vsTruth).not.toBeNull();
    expect(fresh.positionDistribution!.reduce((a, d) => a + d.p, 0)).toBeCloseTo(1, 12);
  });
});

describe('a debut: a model held back from the baseline enters at its true rating', () => {
  it('baseline.without + newModel without a rating', () => {
    const r = run({ baseline: { battles: 20000, without: ['second'] }, replications: 2, steps: [{ type: 'newModel', model: 'second', votes: 3000 }] });
    const x = row(r, 'second');
    expect(x.baseline).toBeNull();
    expect(x.truth).toBe(1280);
    expect(x.scenario!.battles).toBe(3000);
    expect(r.params.baseline).toMatchObject({ without: ['second'] });
    expect(Math.abs(x.vsTruth!.mean)).toBeLessThan((x.scenario!.upper! - x.scenario!.lower!) / 2);
    // the board is centred on the true mean of the models on it, so the others stay on the truth's scale
    expect(Math.abs(row(r, 'top').baseline!.rating - 1300)).toBeLessThan(10);
  });
});

describe('bestOfN (the Leaderboard Illusion)', () => {
  const scenario = (variants: number) => ({
    baseline: { battles: 200000 },
    replications: 30,
    seed: 5,
    steps: [{ type: 'bestOfN', model: 'mid', variants, votesPerVariant: 2000 }],
  });
  it('N = 1 publishes an honest rating: no inflation beyond its standard error', () => {
    const r = run(scenario(1));
    const mid = row(r, 'mid');
    const se = (mid.scenario!.upper! - mid.scenario!.lower!) / (2 * 1.959964);
    // the mean of 30 draws of (estimate − truth) has standard error se/√30
    expect(Math.abs(r.steps[0]!.inflation!.mean)).toBeLessThan((3 * se) / Math.sqrt(30));
    expect(Math.abs(mid.vsTruth!.mean)).toBeLessThan((mid.scenario!.upper! - mid.scenario!.lower!) / 2);
  });
  it('N = 20 inflates by about E[max of 20 normals] = 1.8675 standard errors', () => {
    const r = run(scenario(20));
    const mid = row(r, 'mid');
    const se = (mid.scenario!.upper! - mid.scenario!.lower!) / (2 * 1.959964);
    const inflation = r.steps[0]!.inflation!.mean;
    // sd of the max of 20 standard normals ≈ 0.525: the mean of 30 has sd ≈ 0.1 se
    expect(inflation / se).toBeGreaterThan(1.8675 - 0.4);
    expect(inflation / se).toBeLessThan(1.8675 + 0.4);
    expect(mid.scenario!.battles).toBe(2000); // the published model keeps only its best variant's votes
  });
});

describe('fitAgainstFixed', () => {
  it('recovers the maximum-likelihood strength against fixed opponents (score equation)', () => {
    const phi = [0, 0.5, -1];
    const n = [100, 50, 80];
    const theta = 0.3;
    const s = n.map((k, u) => k * (1 / (1 + Math.exp(-(theta - phi[u]!)))));
    // with exact expected scores the estimate is θ (up to the tiny ridge)
    expect(fitAgainstFixed(n, s, phi)).toBeCloseTo(theta, 3);
    // all wins: finite thanks to the ridge
    expect(Number.isFinite(fitAgainstFixed([10], [10], [0]))).toBe(true);
    expect(fitAgainstFixed([0, 0], [0, 0], [1, 2])).toBe(0);
  });
});

describe('battlesBaseline', () => {
  it('takes the truth from the baseline fit', () => {
    const t = tableFromBattles([
      { modelA: 'a', modelB: 'b', outcome: 'a', count: 30 },
      { modelA: 'a', modelB: 'b', outcome: 'b', count: 10 },
    ]);
    const s = parseScenario({ steps: [] });
    const b = battlesBaseline(t, s, ['t.jsonl']);
    const gap = b.board.truth[0]! - b.board.truth[1]!;
    expect(gap).toBeCloseTo(400 * Math.log10(3), 6);
    expect(expectedScore(b.board.truth[0]!, b.board.truth[1]!, DEFAULT_RATE)).toBeCloseTo(0.75, 9);
  });
});

describe('bestOfN with unequal variants', () => {
  it('with spread > 0 the published variant is truly better than average: selection finds real quality too', () => {
    const s = parseScenario({ baseline: { battles: 50000 }, replications: 10, seed: 2, steps: [{ type: 'bestOfN', model: 'mid', variants: 10, votesPerVariant: 2000, spread: 20 }] });
    const r = runWhatIf(s, simulatedBaseline(eight, s, 'test'));
    const st = r.steps[0]!;
    // E[true rating of the best of 10 by a noisy score] > 0 when the variants differ; 0 exactly without spread
    expect(st.chosenTrue!.mean).toBeGreaterThan(5);
    expect(st.inflation!.mean).toBeGreaterThan(st.chosenTrue!.mean);
    const flat = run({ baseline: { battles: 50000 }, replications: 3, steps: [{ type: 'bestOfN', model: 'mid', variants: 3, votesPerVariant: 500 }] });
    expect(flat.steps[0]!.chosenTrue).toEqual({ mean: 0, lower: 0, upper: 0 });
  });
});

describe('prepareWhatIfBaseline (the baseline of arena whatif and arena plot whatif)', () => {
  it('simulated: the seven models at their true ratings, 5,000 votes, described; held-back models may enter', () => {
    const s = parseScenario({ baseline: { battles: 5000, without: ['last'] }, seed: 1, replications: 2, steps: [{ type: 'newModel', model: 'last', votes: 100 }] });
    const p = prepareWhatIfBaseline(s, { kind: 'simulated', truth: eight, ratingsName: 'test', label: 'eight models' });
    expect(p.description).toBe('baseline 5,000 battles simulated from eight models');
    expect(p.warnings).toEqual([]);
    expect(p.baseline.info).toEqual({ source: 'simulated', ratings: 'test', battles: 5000, policy: { type: 'uniform' }, without: ['last'] });
    expect(p.baseline.source).toBe('simulated');
    expect(p.baseline.truthKnown).toBe(true);
    // the board: the seven other models at their true ratings, 5,000 votes, fits centred on their mean rating
    const seven = eight.models.slice(0, 7);
    const board = p.baseline.board;
    expect(board.names.slice(0, board.size)).toEqual(seven);
    expect([...board.truth.slice(0, 7)]).toEqual([...eight.ratings.slice(0, 7)]);
    expect(board.votes().slice(0, 7).reduce((a, b) => a + b, 0)).toBe(2 * 5000);
    expect(p.baseline.battles).toBe(5000);
    expect(p.baseline.rate.initial).toBeCloseTo((1300 + 1280 + 1250 + 1200 + 1150 + 1100 + 1000) / 7, 12);
    expect([...p.baseline.heldBack]).toEqual([['last', 950]]);
    // the held-back model enters through its step at its true rating, off the baseline board
    const last = runWhatIf(s, p.baseline).models.find((x) => x.model === 'last')!;
    expect(last.truth).toBe(950);
    expect(last.baseline).toBeNull();
    expect(last.scenario).not.toBeNull();
  });

  it('battles: the BT fit drives the votes; scenario baseline fields are ignored with a warning; unknown models are errors', () => {
    const t = tableFromBattles([
      { modelA: 'x', modelB: 'y', outcome: 'a' as const },
      { modelA: 'y', modelB: 'x', outcome: 'a' as const },
      { modelA: 'x', modelB: 'z', outcome: 'a' as const },
      { modelA: 'z', modelB: 'y', outcome: 'tie' as const },
      { modelA: 'y', modelB: 'z', outcome: 'b' as const },
    ]);
    const s = parseScenario({ baseline: { battles: 10 }, steps: [{ type: 'addVotes', model: 'x', votes: 10 }] });
    const p = prepareWhatIfBaseline(s, { kind: 'battles', table: t, files: ['a.jsonl'] });
    expect(p.description).toBe('baseline 5 battles from a.jsonl (the true ratings of simulated votes are their Bradley–Terry fit)');
    expect(p.warnings).toEqual(['The scenario baseline (ratings, battles, policy, without) is ignored: the baseline is the battle files given.']);
    expect(p.baseline.info).toEqual({ source: 'battles', files: ['a.jsonl'], battles: 5 });
    expect(p.baseline.truthKnown).toBe(false);
    // the "true" ratings of the simulated votes are the BT fit of the battles, computed here independently
    // (ties as half wins, mean 1000; x→z→y→x is strongly connected, so the plain MLE exists)
    const own = coordinateAscent('bt-half', countCells(t));
    const board = p.baseline.board;
    for (const [v, name] of t.models.entries()) expect(board.truth[board.slotOf(name)]).toBeCloseTo(1000 + (own.theta[v]! * 400) / Math.log(10), 6);
    const clean = parseScenario({ steps: [{ type: 'addVotes', model: 'x', votes: 10 }] });
    expect(prepareWhatIfBaseline(clean, { kind: 'battles', table: t, files: ['a.jsonl'] }).warnings).toEqual([]);
    const bad = parseScenario({ steps: [{ type: 'removeModel', model: 'nobody' }] });
    expect(() => prepareWhatIfBaseline(bad, { kind: 'battles', table: t, files: ['a.jsonl'] }, 's.json')).toThrow(/s\.json: steps\.0\.model/);
  });
});

describe('what-ifs on a baseline fitted with a tie model draw votes from that model', () => {
  it('LLMFAO, Davidson: 100 votes drawn from the fitted law move GPT 4 by about 0 (the BT law at Davidson ratings gave +81, interval 43 – 112)', async () => {
    const { readBattles } = await import('../../src/data/load.js');
    const { FIXTURES } = await import('../helpers.js');
    const t = await readBattles([`${FIXTURES}/data/llmfao/battles.jsonl`]);
    const s = parseScenario({ replications: 20, seed: 1, steps: [{ type: 'addVotes', model: 'GPT 4', votes: 100 }] }, 's.json');
    for (const ties of ['davidson', 'rao-kupper'] as const) {
      const b = battlesBaseline(t, s, ['llmfao'], { ...DEFAULT_RATE, ties });
      expect(b.law?.model).toBe(ties);
      const gpt4 = runWhatIf(s, b).models.find((x) => x.model === 'GPT 4')!;
      expect(gpt4.delta!.lower).toBeLessThan(0);
      expect(gpt4.delta!.upper).toBeGreaterThan(0);
    }
  });
});

describe('a debut watched hour by hour (newModel with hours)', () => {
  // the baseline board of eight models (50 to 100 points apart), 200,000 battles; the newcomer enters at a rating
  // between two neighbours (well separated) or equal to one (never separable); 20 hours at 2,000 votes an hour
  const debut = (rating: number) =>
    run({ baseline: { battles: 200_000 }, replications: 20, seed: 5, votesPerHour: 2000, steps: [{ type: 'newModel', model: 'new', rating, hours: 20, policy: { type: 'uniform' } }] });
  it('between 1250 and 1200: the position settles with confidence in most runs, after the rating', () => {
    const d = debut(1225).steps[0]!.debut!;
    expect(d.settled.share).toBeGreaterThan(0.8);
    expect(d.rating.share).toBe(1);
    // settling is claimed at an hour and with the votes the newcomer had then
    expect(d.settled.hours!.mean).toBeGreaterThan(0);
    expect(d.settled.hours!.mean).toBeLessThan(20);
    expect(d.settled.votes!.mean).toBeGreaterThan(0);
  });
  it('equal to an existing model (1200): its position is (almost) never called settled', () => {
    const d = debut(1200).steps[0]!.debut!;
    expect(d.settled.share).toBeLessThanOrEqual(0.1);
  });
});

describe('baseline.redraw: the baseline\'s own noise in the spread', () => {
  it('unaffected models: without redraw their ratings barely move; with it they spread like a fresh fit (sd ≈ the sandwich se)', () => {
    const scenario = { baseline: { battles: 20000 }, replications: 100, seed: 9, steps: [{ type: 'addVotes', model: 'top', votes: 1 }] };
    const once = run(scenario);
    const redrawn = run({ ...scenario, baseline: { battles: 20000, redraw: true } });
    const sdOf = (r: WhatIfResult, model: string) => {
      const k = r.samples.models.indexOf(model);
      const xs = Array.from({ length: r.samples.replications }, (_, i) => r.samples.rating[i * r.samples.models.length + k]!);
      const m = xs.reduce((a, x) => a + x, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
    };
    for (const model of ['mid', 'low', 'bottom']) {
      const b = row(redrawn, model).baseline!;
      const se = (b.upper! - b.lower!) / (2 * 1.959964);
      expect(sdOf(once, model)).toBeLessThan(0.1 * se);
      // 100 replications: the sample sd is within ±20% of the true one with high probability (its sd ≈ 7%)
      expect(sdOf(redrawn, model) / se).toBeGreaterThan(0.75);
      expect(sdOf(redrawn, model) / se).toBeLessThan(1.25);
    }
    // replication 0 is the reference draw in both runs
    const k = once.samples.models.indexOf('mid');
    expect(redrawn.samples.rating[k]).toBe(once.samples.rating[k]);
    expect(redrawn.params.baseline).toMatchObject({ redraw: true });
  });
});

describe('battlesBaseline refuses models pair counts cannot refit', () => {
  it('online Elo (no order) and style control (no style features) are errors in the library too', () => {
    const t = tableFromBattles([{ modelA: 'a', modelB: 'b', outcome: 'a' }, { modelA: 'b', modelB: 'a', outcome: 'a' }]);
    const s = parseScenario({ replications: 1, steps: [{ type: 'addVotes', model: 'a', votes: 1 }] });
    expect(() => battlesBaseline(t, s, ['x'], { ...DEFAULT_RATE, method: 'elo' })).toThrow(/keep no battle order/);
    expect(() => battlesBaseline(t, s, ['x'], { ...DEFAULT_RATE, styleControl: true })).toThrow(/no style features/);
  });
});

describe('the simulated baseline\'s default policy', () => {
  // weights 8, 1, 1, 1, 1, 1, 1, 1: under popularity 'top' plays in 2·8·7/(2·8·7 + 7·6) = 112/154 of the pairs'
  // draws (pair ∝ wᵢ·wⱼ), under uniform in 7/28
  const weighted: SimRatings = { ...eight, weights: Float64Array.from(eight.models, (_, v) => (v === 0 ? 8 : 1)) };
  const share = (truth: SimRatings, policy?: string) => {
    const s = parseScenario({ baseline: { battles: 20000, ...(policy ? { policy } : {}) }, seed: 3, steps: [] });
    const b = simulatedBaseline(truth, s, 'test');
    const c = b.board;
    let top = 0;
    let all = 0;
    for (let i = 0; i < c.size; i++) {
      for (let j = i + 1; j < c.size; j++) {
        const { base } = c.cell(i, j);
        const n = c.counts[base]! + c.counts[base + 1]! + c.counts[base + 2]! + c.counts[base + 3]!;
        all += n;
        if (i === 0) top += n;
      }
    }
    return { p: top / all, policy: (b.info as { policy: { type: string } }).policy.type, counts: Array.from(c.counts) };
  };
  it('is popularity when every model has a weight (as the embedded board), uniform otherwise; an explicit policy wins', () => {
    const d = share(weighted);
    expect(d.policy).toBe('popularity');
    expect(Math.abs(d.p - 112 / 154)).toBeLessThan(4 * Math.sqrt(((112 / 154) * (42 / 154)) / 20000));
    expect(d.counts).toEqual(share(weighted, 'popularity').counts);
    const u = share(weighted, 'uniform');
    expect(u.policy).toBe('uniform');
    expect(Math.abs(u.p - 7 / 28)).toBeLessThan(4 * Math.sqrt(((7 / 28) * (21 / 28)) / 20000));
    expect(share(eight).policy).toBe('uniform');
    expect(share(eight).counts).toEqual(u.counts);
  });
});

describe('runWhatIf: rig (vote rigging, target-only and omnipresent)', () => {
  const forty = truthOf(Array.from({ length: 40 }, (_, v) => [`m${String(v).padStart(2, '0')}`, 1000 + 4 * v] as [string, number]));
  const rigRun = (mode: 'target' | 'omnipresent', votes: number, ahead = 3) => run({ baseline: { battles: 200_000 }, replications: 10, seed: 3, steps: [{ type: 'rig', model: 'm20', votes, mode, ahead }] }, forty);

  it('target-only votes only in the target\'s battles of the traffic (binomial share 2/40 under uniform pairs), each a win that lifts it', () => {
    const r = rigRun('target', 4000);
    // uniform pairs among 40 models: a battle holds the target with probability 2/40; votes cast ~ Binomial(4000, 0.05)
    const cast = r.steps[0]!.votesAdded;
    expect(Math.abs(cast - 200)).toBeLessThan(4 * Math.sqrt(4000 * 0.05 * 0.95));
    const x = row(r, 'm20');
    expect(x.scenario!.battles - x.baseline!.battles).toBeCloseTo(cast, 6);
    // every replication lifts the target: its delta interval is above 0
    expect(x.delta!.lower).toBeGreaterThan(0);
  });

  it('omnipresent votes in every battle; with the same traffic it closes the gap to the model just above faster than target-only', () => {
    const t = rigRun('target', 200, 1);
    const o = rigRun('omnipresent', 200, 1);
    expect(o.steps[0]!.votesAdded).toBe(200);
    const K = o.samples.models.length;
    const gapShrink = (r: WhatIfResult) => {
      const k = r.samples.models.indexOf('m20');
      const base = r.models.find((x) => x.model === 'm20')!;
      const aboveName = r.models.find((x) => x.baseline!.position === base.baseline!.position - 1)!.model;
      const a = r.samples.models.indexOf(aboveName);
      const baseGap = row(r, aboveName).baseline!.rating - base.baseline!.rating;
      let mean = 0;
      for (let rep = 0; rep < r.samples.replications; rep++) mean += (baseGap - (r.samples.rating[rep * K + a]! - r.samples.rating[rep * K + k]!)) / r.samples.replications;
      return mean;
    };
    expect(gapShrink(o)).toBeGreaterThan(gapShrink(t) * 1.5);
  });

  it('rejects an unknown mode with its JSON path, and counts its votes in the scenario limits', () => {
    expect(() => parseScenario({ steps: [{ type: 'rig', model: 'm20', votes: 10, mode: 'everywhere' }] })).toThrow(/steps\.0\.mode/);
    expect(() => parseScenario({ steps: [{ type: 'rig', model: 'm20', votes: 10, ahead: 0 }] })).toThrow(/steps\.0\.ahead/);
  });
});

describe('runWhatIf: contaminate (random voters)', () => {
  it('replaces each vote with probability f (binomial count); f = 0 changes nothing; f = 1 leaves coin flips only (every rating near the mean)', () => {
    const n = 20_000;
    const some = run({ baseline: { battles: n }, replications: 2, seed: 5, steps: [{ type: 'contaminate', fraction: 0.1 }] });
    const replaced = some.steps[0]!.replaced!.mean;
    expect(Math.abs(replaced - 0.1 * n)).toBeLessThan(4 * Math.sqrt(n * 0.1 * 0.9));
    expect(some.steps[0]!.model).toBe('');
    // contamination pulls ratings together: the top loses, the bottom gains
    expect(row(some, 'top').delta!.mean).toBeLessThan(0);
    expect(row(some, 'last').delta!.mean).toBeGreaterThan(0);
    const none = run({ baseline: { battles: n }, replications: 2, seed: 5, steps: [{ type: 'contaminate', fraction: 0 }] });
    for (const x of none.models) expect(x.delta).toEqual({ mean: 0, lower: 0, upper: 0 });
    const all = run({ baseline: { battles: n }, replications: 2, seed: 5, steps: [{ type: 'contaminate', fraction: 1 }] });
    expect(all.steps[0]!.replaced!.mean).toBe(n);
    // coin flips only: every rating within a few standard errors of the mean (8 models, 20,000 votes: sd ≈ 7 points)
    const ratings = all.models.map((x) => x.scenario!.rating);
    const mean = ratings.reduce((a, x) => a + x, 0) / ratings.length;
    for (const r of ratings) expect(Math.abs(r - mean)).toBeLessThan(30);
  });
});
