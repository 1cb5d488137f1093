import { describe, expect, it } from 'vitest';
import { voterSampler, simulateVoterTable } from '../../src/sim/voters.js';

const m = 12;
const models = Array.from({ length: m }, (_, v) => `m${String(v).padStart(2, '0')}`);
const truth = { models, ratings: Float64Array.from(models, (_, v) => 1000 + 25 * v), weights: null, isNew: new Uint8Array(m), real: null, votes: 0 };

describe('simulated voters', () => {
  it('plants exactly round(share·N) anomalous voters, the same for a seed', () => {
    for (const [n, share] of [[100, 0.05], [7, 0.5], [40, 0], [3, 1]] as const) {
      const a = voterSampler(truth, { voters: n, anomalousShare: share, anomaly: 'random' }, 9).voters.anomalous;
      expect(a.reduce((s, x) => s + x, 0)).toBe(Math.round(share * n));
      expect(voterSampler(truth, { voters: n, anomalousShare: share, anomaly: 'random' }, 9).voters.anomalous).toEqual(a);
    }
  });

  it('honest votes are those of the simulation without anomalous voters (same pairs, same voters, same outcomes)', () => {
    const spec = { voters: 50, anomalousShare: 0, anomaly: 'random' as const, activityExponent: 1 };
    const clean = simulateVoterTable(truth, 5000, { tieRate: 0.2 }, spec, 4).table;
    const { table, voters } = simulateVoterTable(truth, 5000, { tieRate: 0.2 }, { ...spec, anomalousShare: 0.2 }, 4);
    expect(table.a).toEqual(clean.a);
    expect(table.b).toEqual(clean.b);
    expect(table.voters!.id).toEqual(clean.voters!.id);
    let changed = 0;
    for (let r = 0; r < table.rows; r++) {
      if (!voters.anomalous[table.voters!.id[r]!]) expect(table.outcome[r]).toBe(clean.outcome[r]);
      else if (table.outcome[r] !== clean.outcome[r]) changed++;
    }
    expect(changed).toBeGreaterThan(0);
  });

  it('adversarial voters always pick the lower true rating; promoters always pick their model; random voters flip coins', () => {
    const adv = simulateVoterTable(truth, 4000, { tieRate: 0.3 }, { voters: 20, anomalousShare: 0.25, anomaly: 'adversarial' }, 2);
    const promo = simulateVoterTable(truth, 4000, { tieRate: 0.3 }, { voters: 20, anomalousShare: 0.25, anomaly: 'promoter', promote: 'm03' }, 2);
    const rnd = simulateVoterTable(truth, 20000, { tieRate: 0.3 }, { voters: 20, anomalousShare: 0.25, anomaly: 'random' }, 2);
    const rating = (t: typeof adv.table, id: number) => truth.ratings[models.indexOf(t.models[id]!)]!;
    let n = 0;
    for (let r = 0; r < adv.table.rows; r++) {
      if (!adv.voters.anomalous[adv.table.voters!.id[r]!]) continue;
      n++;
      const lower = rating(adv.table, adv.table.a[r]!) < rating(adv.table, adv.table.b[r]!) ? 0 : 1;
      expect(adv.table.outcome[r]).toBe(lower);
    }
    expect(n).toBeGreaterThan(0);
    const p = promo.table.models.indexOf('m03');
    expect(promo.voters.promoted).toBe(3);
    for (let r = 0; r < promo.table.rows; r++) {
      if (!promo.voters.anomalous[promo.table.voters!.id[r]!]) continue;
      if (promo.table.a[r] === p) expect(promo.table.outcome[r]).toBe(0);
      if (promo.table.b[r] === p) expect(promo.table.outcome[r]).toBe(1);
    }
    let votes = 0;
    let aWins = 0;
    for (let r = 0; r < rnd.table.rows; r++) {
      if (!rnd.voters.anomalous[rnd.table.voters!.id[r]!]) continue;
      votes++;
      expect(rnd.table.outcome[r]).toBeLessThan(2); // no ties
      if (rnd.table.outcome[r] === 0) aWins++;
    }
    // Binomial(votes, ½): within 4.5 standard deviations
    expect(Math.abs(aWins - votes / 2)).toBeLessThan(4.5 * Math.sqrt(votes / 4));
  });

  it('Zipf activity: the voter at rank k casts a share k^−s/H (binomial bounds), s = 0 equal shares', () => {
    const n = 10;
    const battles = 40000;
    for (const s of [0, 1]) {
      const { table } = simulateVoterTable(truth, battles, {}, { voters: n, anomalousShare: 0, anomaly: 'random', activityExponent: s }, 6);
      const counts = new Array<number>(n).fill(0);
      for (let r = 0; r < table.rows; r++) counts[table.voters!.id[r]!]++;
      counts.sort((x, y) => y - x);
      const h = Array.from({ length: n }, (_, k) => (k + 1) ** -s).reduce((x, y) => x + y, 0);
      counts.forEach((c, k) => {
        const p = (k + 1) ** -s / h;
        expect(Math.abs(c - battles * p)).toBeLessThan(4.5 * Math.sqrt(battles * p * (1 - p)) + (s === 0 ? 300 : 0)); // equal shares: sorting widens the spread
      });
    }
  });

  it('rejects bad specs', () => {
    expect(() => voterSampler(truth, { voters: 0, anomalousShare: 0, anomaly: 'random' }, 1)).toThrow(/voters/);
    expect(() => voterSampler(truth, { voters: 5, anomalousShare: 1.5, anomaly: 'random' }, 1)).toThrow(/share/);
    expect(() => voterSampler(truth, { voters: 5, anomalousShare: 0.2, anomaly: 'promoter', promote: 'nope' }, 1)).toThrow(/nope/);
  });
});
