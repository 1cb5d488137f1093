import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/rng.js';
import { type DriftEvent, driftOffset, ratingAt } from '../../src/sim/drift.js';
import { parseSimRatings } from '../../src/sim/fixture.js';
import { simulateTable } from '../../src/sim/generate.js';
import { cli, tempFile } from '../helpers.js';

describe('driftOffset: known values', () => {
  const step: DriftEvent = { type: 'step', at: 10, delta: 5 };
  const ramp: DriftEvent = { type: 'linear', from: 100, to: 200, delta: -50 };
  it('a step applies from its battle on', () => {
    expect(driftOffset([step], 9)).toBe(0);
    expect(driftOffset([step], 10)).toBe(5);
  });
  it('a ramp is linear between from and to, then stays', () => {
    expect(driftOffset([ramp], 100)).toBe(0);
    expect(driftOffset([ramp], 150)).toBe(-25);
    expect(driftOffset([ramp], 200)).toBe(-50);
    expect(driftOffset([ramp], 1e6)).toBe(-50);
  });
  it('events add up; a model without events keeps its rating', () => {
    expect(driftOffset([step, ramp], 150)).toBe(-20);
    expect(ratingAt([1000, 1100], new Map([[1, [step]]]), 0, 50)).toBe(1000);
    expect(ratingAt([1000, 1100], new Map([[1, [step]]]), 1, 50)).toBe(1105);
  });
  it('property: a ramp stays between 0 and delta and is monotone in time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 1000 }), fc.double({ min: -500, max: 500, noNaN: true }), fc.integer({ min: 0, max: 3000 }), (from, len, delta, i) => {
        const e: DriftEvent = { type: 'linear', from, to: from + len, delta };
        const x = driftOffset([e], i);
        expect(Math.abs(x)).toBeLessThanOrEqual(Math.abs(delta) + 1e-9);
        expect(Math.sign(x) * Math.sign(delta)).toBeGreaterThanOrEqual(0);
        expect(Math.abs(driftOffset([e], i + 1))).toBeGreaterThanOrEqual(Math.abs(x) - 1e-9);
      }),
    );
  });
});

describe('simulation with drift', () => {
  it('battles follow the ratings of their time: a +400 step takes B\'s win rate from ½ to 10/11 (within 4 standard errors)', () => {
    const truth = { models: ['a', 'b'], ratings: Float64Array.of(1000, 1000) };
    const t = simulateTable(truth, 20000, { tieRate: 0, drift: new Map([[1, [{ type: 'step', at: 10000, delta: 400 } as const]]]) }, createRng(4));
    let before = 0;
    let after = 0;
    for (let i = 0; i < t.rows; i++) {
      const bWon = (t.outcome[i] === 1) === (t.models[t.b[i]!] === 'b');
      if (i < 10000) before += bWon ? 1 : 0;
      else after += bWon ? 1 : 0;
    }
    const check = (wins: number, p: number) => expect(Math.abs(wins / 10000 - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / 10000));
    check(before, 0.5);
    check(after, 10 / 11);
  });
  it('an empty drift list draws exactly the battles of no drift', async () => {
    const plain = tempFile('r.json', JSON.stringify({ models: [{ model: 'x', rating: 1000 }, { model: 'y', rating: 1100 }] }));
    const empty = tempFile('r.json', JSON.stringify({ models: [{ model: 'x', rating: 1000, drift: [] }, { model: 'y', rating: 1100 }] }));
    const a = await cli(['simulate', '--ratings', plain, '--battles', '500', '--quiet']);
    const b = await cli(['simulate', '--ratings', empty, '--battles', '500', '--quiet']);
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });
  it('malformed drift events are input errors naming the field', () => {
    const bad = (drift: unknown) => () => parseSimRatings({ models: [{ model: 'x', rating: 1, drift }, { model: 'y', rating: 2 }] }, 'r.json');
    expect(bad([{ type: 'linear', from: 5, to: 5, delta: 1 }])).toThrow(/models\.0\.drift\.0\.to/);
    expect(bad([{ type: 'step', at: -1, delta: 1 }])).toThrow(/models\.0\.drift\.0\.at/);
    expect(bad([{ type: 'jump', at: 1, delta: 1 }])).toThrow(/models\.0\.drift\.0/);
  });
});
