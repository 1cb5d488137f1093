import { describe, expect, it } from 'vitest';
import { filterRows } from '../../src/data/table.js';
import { modelFor } from '../../src/models/index.js';
import { DEFAULT_MODEL, type ModelOptions } from '../../src/models/types.js';
import { simulateVoterTable } from '../../src/sim/voters.js';
import { voterAudit } from '../../src/stats/voters.js';

// 20 models 15 points apart, 40,000 battles, 200 voters of equal activity (about 200 battles each), 5% anomalous.
const m = 20;
const models = Array.from({ length: m }, (_, v) => `m${String(v).padStart(2, '0')}`);
const truth = { models, ratings: Float64Array.from(models, (_, v) => 1000 + 15 * v), weights: null, isNew: new Uint8Array(m), real: null, votes: 0 };
const sim = (anomaly: 'random' | 'adversarial' | 'promoter', share = 0.05, seed = 11) => simulateVoterTable(truth, 40000, { tieRate: 0.2 }, { voters: 200, anomalousShare: share, anomaly, activityExponent: 0, ...(anomaly === 'promoter' ? { promote: 'm02' } : {}) }, seed);
const optionsFor = (ties: ModelOptions['ties']): ModelOptions => ({ ...DEFAULT_MODEL, ties });

describe('voterAudit on simulated voters (5% planted)', () => {
  for (const ties of ['half', 'ignore', 'davidson', 'rao-kupper'] as const) {
    // With 10 true discoveries, Benjamini–Hochberg at 0.1 may add an honest voter whose p is below 11·0.1/200: at
    // most one false flag is the FDR control at work, not a failure.
    it(`adversarial voters (≈ 200 votes each) are all flagged, at most one honest voter with them, ties ${ties}`, () => {
      const { table, voters } = sim('adversarial');
      const opts = optionsFor(ties);
      const model = modelFor(opts);
      const a = voterAudit(model.fit(table, opts), model, { refit: false });
      const planted = voters.names.filter((_, i) => voters.anomalous[i]);
      expect(planted.filter((v) => !a.flagged.includes(v))).toEqual([]);
      expect(a.flagged.length - planted.length).toBeLessThanOrEqual(1);
      // their agreement statistic is the one that flags them: strongly negative
      for (const t of a.tests.filter((x) => planted.includes(x.voter))) expect(t.agreement.z).toBeLessThan(-5);
      expect(a.tests.slice(0, planted.length).map((x) => x.voter).sort()).toEqual(planted); // the smallest p-values
    });
  }

  it('coin-flip voters: flagged by the agreement test; a promoter of a low model (m02) by the favour test', () => {
    const r = sim('random');
    const model = modelFor(DEFAULT_MODEL);
    const ar = voterAudit(model.fit(r.table, DEFAULT_MODEL), model, { refit: false });
    const plantedR = new Set(r.voters.names.filter((_, i) => r.voters.anomalous[i]));
    expect(ar.flagged.filter((v) => !plantedR.has(v)).length).toBeLessThanOrEqual(1);
    expect(ar.flagged.filter((v) => plantedR.has(v)).length).toBeGreaterThanOrEqual(8); // of 10
    const p = sim('promoter');
    const ap = voterAudit(model.fit(p.table, DEFAULT_MODEL), model, { refit: false });
    const plantedP = new Set(p.voters.names.filter((_, i) => p.voters.anomalous[i]));
    expect(ap.flagged.filter((v) => !plantedP.has(v)).length).toBeLessThanOrEqual(1);
    expect(ap.flagged.filter((v) => plantedP.has(v)).length).toBeGreaterThanOrEqual(8);
    for (const t of ap.tests.filter((x) => x.flagged && plantedP.has(x.voter))) {
      expect(t.favour?.model).toBe('m02');
      expect(t.favour!.z).toBeGreaterThan(3);
    }
  });

  it('no anomalous voter: nobody flagged, and the p-values are not too small (share below 0.05 at most 10%)', () => {
    const { table } = sim('random', 0, 12);
    const model = modelFor(DEFAULT_MODEL);
    const a = voterAudit(model.fit(table, DEFAULT_MODEL), model);
    expect(a.tested).toBe(200);
    expect(a.flagged).toEqual([]);
    expect(a.refit).toBeNull();
    expect(a.tests.filter((t) => t.p < 0.05).length).toBeLessThanOrEqual(20);
  });

  it('the refit equals a direct fit without the flagged voters’ battles; shares and counts add up', () => {
    const { table } = sim('adversarial', 0.05, 13);
    const model = modelFor(DEFAULT_MODEL);
    const fit = model.fit(table, DEFAULT_MODEL);
    const a = voterAudit(fit, model, { top: 5 });
    const flagged = new Set(a.flagged.map((n) => table.voters!.names.indexOf(n)));
    const direct = model.fit(filterRows(table, (r) => !flagged.has(table.voters!.id[r]!)), DEFAULT_MODEL);
    expect(a.refit!.battles).toBe(direct.battles);
    expect(a.refit!.battles).toBe(table.battles - a.flaggedVotes);
    for (const row of a.refit!.models) expect(row.ratingWithout!).toBeCloseTo(direct.ratings[direct.models.indexOf(row.model)]!, 9);
    expect(a.refit!.models.reduce((s, r) => s + r.votesRemoved, 0)).toBe(2 * a.flaggedVotes);
    expect(a.top.length).toBe(5);
    for (let i = 1; i < a.top.length; i++) expect(a.top[i - 1]!.votes).toBeGreaterThanOrEqual(a.top[i]!.votes);
    expect(a.topShare).toBeCloseTo(a.top.reduce((s, x) => s + x.votes, 0) / table.battles, 15);
    expect(a.unattributed).toBe(0);
    // the adversarial voters pulled the board towards equality: without them the spread widens
    const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);
    expect(spread(a.refit!.models.map((r) => r.ratingWithout!))).toBeGreaterThan(spread(a.refit!.models.map((r) => r.rating)));
  });

  it('needs voters and a pair-level likelihood fit', () => {
    const { table } = sim('random', 0);
    const elo = modelFor({ ...DEFAULT_MODEL, method: 'elo' });
    expect(() => voterAudit(elo.fit(table, { ...DEFAULT_MODEL, method: 'elo' }), elo)).toThrow(/online Elo/);
    const bare = { ...table, voters: null };
    const model = modelFor(DEFAULT_MODEL);
    expect(() => voterAudit(model.fit(bare, DEFAULT_MODEL), model)).toThrow(/no voter field/);
  });
});
