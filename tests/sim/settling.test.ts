import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../../src/models/types.js';
import { createRng } from '../../src/rng.js';
import { simulateTable } from '../../src/sim/generate.js';
import { boardSettling, modelSettling, type SettlingCheckpoint, type SettlingModel } from '../../src/sim/settling.js';
import { stabilityReplay } from '../../src/sim/stability.js';

/** A checkpoint from [model, rating, rank, separatedAbove, separatedBelow] rows in rating order (interval ±5). */
function cp(index: number, rows: [string, number, number, boolean | null, boolean | null][], tstamp: number | null = null): SettlingCheckpoint {
  const models: SettlingModel[] = rows.map(([model, rating, rank, above, below], q) => ({
    model,
    rating,
    lower: rating - 5,
    upper: rating + 5,
    rank,
    position: q + 1,
    battles: 10 * (index + 1),
    separatedAbove: above,
    separatedBelow: below,
    gapSdBelow: null,
  }));
  return { index, battles: 100 * (index + 1), tstamp, models };
}

describe('modelSettling: known values', () => {
  const h = 3600;
  const cps = [
    cp(0, [['x', 1000, 1, null, false], ['y', 990, 1, false, null]], 0),
    cp(1, [['y', 1010, 1, null, false], ['x', 1000, 1, false, null]], 10 * h),
    cp(2, [['x', 1020, 1, null, true], ['y', 990, 2, true, false], ['z', 900, 2, false, null]], 20 * h),
    cp(3, [['x', 1022, 1, null, true], ['y', 991, 2, true, true], ['z', 950, 3, true, null]], 30 * h),
  ];
  const s = modelSettling(cps, new Map([['x', 0], ['y', 0], ['z', 15 * h]]));
  it('position and rank unchanged since; rating inside its final interval since; times from the first battle', () => {
    // x: position 1 at 2, 3 (2 at 1); rank 1 at every checkpoint
    expect(s.get('x')!.position).toEqual({ settled: true, checkpoint: 2, battles: 300, votes: 30, tstamp: 20 * h, hours: 20 });
    expect(s.get('x')!.rank).toMatchObject({ settled: true, checkpoint: 0, hours: 0 });
    // x's rating in [1017, 1027] at 2 and 3
    expect(s.get('x')!.rating).toMatchObject({ settled: true, checkpoint: 2 });
    // y: 990 at 0 and 2 but 1010 at 1 → from 2; z: 900 at 2 outside [945, 955] → only at the end: not settled
    expect(s.get('y')!.rating).toMatchObject({ settled: true, checkpoint: 2 });
    expect(s.get('z')!.rating).toEqual({ settled: false, reason: 'rating (outside its final interval) changed at the last checkpoint' });
    // z first played at 15 h: its position (3 since checkpoint 2) counts hours from then
    expect(s.get('z')!.position).toMatchObject({ settled: true, checkpoint: 2, hours: 5 });
    // z's rank went 2 → 3 at the last checkpoint
    expect(s.get('z')!.rank).toEqual({ settled: false, reason: 'rank changed at the last checkpoint' });
  });
  it('settled needs the position unchanged and separation from both neighbours at every checkpoint since', () => {
    // x: separated below at 2 and 3 → settled from 2
    expect(s.get('x')!.settled).toMatchObject({ settled: true, checkpoint: 2 });
    // y: not separated from z at 2 → separated from both only at the last checkpoint
    expect(s.get('y')!.settled).toEqual({ settled: false, reason: 'separated from its neighbours only at the last checkpoint' });
    const s2 = modelSettling([...cps, cp(4, [['x', 1022, 1, null, true], ['y', 991, 2, true, false], ['z', 985, 2, false, null]])], new Map());
    expect(s2.get('y')!.settled).toEqual({ settled: false, reason: 'not separated from the model below' });
    expect(s2.get('z')!.settled).toEqual({ settled: false, reason: 'not separated from the model above' });
  });
  it('rank 1 while every interval overlaps is "unchanged", never "settled"', () => {
    const flat = [0, 1, 2, 3].map((i) => cp(i, [['a', 1001, 1, null, false], ['b', 1000, 1, false, false], ['c', 999, 1, false, null]]));
    const f = modelSettling(flat, new Map());
    for (const m of ['a', 'b', 'c']) {
      expect(f.get(m)!.rank).toMatchObject({ settled: true, checkpoint: 0 });
      expect(f.get(m)!.settled.settled).toBe(false);
    }
  });
  it('one checkpoint only: nothing is settled', () => {
    const one = modelSettling([cp(0, [['a', 1000, 1, null, true], ['b', 900, 2, true, null]])], new Map());
    expect(one.get('a')!.position).toEqual({ settled: false, reason: 'one checkpoint only: nothing to compare with' });
  });
});

describe('boardSettling: known values', () => {
  it('top-k set and order unchanged since, and settled when adjacent pairs (and #k vs #k+1) are separated', () => {
    const cps = [
      cp(0, [['a', 1030, 1, null, false], ['c', 1020, 1, false, false], ['b', 1010, 1, false, null]]),
      cp(1, [['a', 1030, 1, null, true], ['b', 1020, 2, true, true], ['c', 1000, 3, true, null]]),
      cp(2, [['a', 1030, 1, null, true], ['b', 1020, 2, true, false], ['c', 1010, 2, false, null]]),
      cp(3, [['a', 1030, 1, null, true], ['b', 1020, 2, true, true], ['c', 1000, 3, true, null]]),
    ];
    const b = boardSettling(cps, 2, null);
    expect(b.k).toBe(2);
    expect(b.setUnchanged).toMatchObject({ settled: true, checkpoint: 1, battles: 200 });
    expect(b.orderUnchanged).toMatchObject({ settled: true, checkpoint: 1 });
    // a–b separated at 1, 2, 3 → order settled from 1; b–c (#2 vs #3) not separated at 2 → set settled only at the end
    expect(b.orderSettled).toMatchObject({ settled: true, checkpoint: 1 });
    expect(b.setSettled).toEqual({ settled: false, reason: 'the top-2 set changed at the last checkpoint' });
    const top3 = boardSettling(cps, 3, null);
    expect(top3.orderUnchanged).toMatchObject({ settled: true, checkpoint: 1 });
    expect(top3.orderSettled.settled).toBe(false);
  });
});

describe('settling on simulated boards with known truth (the claims are right)', () => {
  it('over 12 replays, a model is called settled at a position that is not its true one in ≤ 5% of (model, replay) claims', () => {
    // 8 models 0–70 points apart, some close pairs; checkpoints every 1,000 battles, checked at every checkpoint
    const names = ['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'];
    const ratings = Float64Array.from([1070, 1062, 1040, 1035, 1010, 990, 985, 950]);
    const truePosition = new Map(names.map((n, q) => [n, q + 1]));
    let claims = 0;
    let wrong = 0;
    for (let seed = 0; seed < 12; seed++) {
      const t = simulateTable({ models: names, ratings }, 40_000, { start: 0, interval: 60 }, createRng(`settle-${seed}`));
      const r = stabilityReplay(t, { rate: { ...DEFAULT_MODEL, initial: 1018 }, checkpoints: { every: 1000 }, level: 0.95, intervals: 'sandwich', seed: 1 });
      for (const m of r.models) {
        if (!m.settling.settled.settled) continue;
        claims++;
        if (m.position !== truePosition.get(m.model)) wrong++;
      }
    }
    expect(claims).toBeGreaterThan(20); // the far-apart models do settle
    expect(wrong / claims).toBeLessThanOrEqual(0.05);
  });
});

describe('a true tie watched at every checkpoint', () => {
  it('anytime sequences call the tied pair separated at some checkpoint in ≤ 5% of replays; the fixed 95% interval far more often', () => {
    // two models with the same true rating among four; 60 checkpoints per replay; 100 replays
    const names = ['a', 'b', 'c', 'd'];
    const ratings = Float64Array.from([1100, 1050, 1050, 1000]);
    const replays = 100;
    let anytime = 0;
    let fixed = 0;
    for (let seed = 0; seed < replays; seed++) {
      const t = simulateTable({ models: names, ratings }, 12_000, { start: 0, interval: 60 }, createRng(`tie-${seed}`));
      const r = stabilityReplay(t, { rate: { ...DEFAULT_MODEL, initial: 1050 }, checkpoints: { every: 200 }, level: 0.95, intervals: 'sandwich', seed: 1 });
      let everAnytime = false;
      let everFixed = false;
      for (const c of r.checkpoints) {
        const q = c.models.findIndex((x) => x.model === 'b' || x.model === 'c');
        const hi = c.models[q]!;
        const lo = c.models[q + 1]!;
        if (lo.model !== 'b' && lo.model !== 'c') continue; // not neighbours at this checkpoint
        if (hi.separatedBelow) everAnytime = true;
        if (hi.rating - lo.rating > 1.959964 * hi.gapSdBelow!) everFixed = true;
      }
      if (everAnytime) anytime++;
      if (everFixed) fixed++;
    }
    // Monte-Carlo sd of a 5% rate over 100 replays: 2.2%
    expect(anytime / replays).toBeLessThanOrEqual(0.05 + 2 * 0.022);
    expect(fixed / replays).toBeGreaterThan(0.15);
    expect(fixed).toBeGreaterThan(2 * anytime);
  });
});
