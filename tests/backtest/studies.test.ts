/**
 * The backtest studies of docs/studies.md on simulated boards with known truth (fixtures/backtest/): a static
 * truth, where the static Bradley–Terry fit predicts best, and a step change, where online systems win for a while.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSystemSpec } from '../../src/models/online.js';
import { createRng } from '../../src/rng.js';
import { loadSimRatings } from '../../src/sim/fixture.js';
import { simulateTable } from '../../src/sim/generate.js';
import { backtest } from '../../src/stats/backtest.js';
import { FIXTURES } from '../helpers.js';

const online = (refitEvery: number) => ({ scale: 400, base: 10, initial: 1000, ties: 'half' as const, refitEvery, glicko: { rd: 350, volatility: 0.06, tau: 0.5 } });

describe('static truth: Bradley–Terry refitted on all battles has the best log-loss', () => {
  const truth = loadSimRatings(join(FIXTURES, 'backtest', 'static-16.json'));
  const t = simulateTable(truth, 20000, { tieRate: 0 }, createRng(1));
  const r = backtest(t, {
    systems: ['elo@4', 'elo@16', 'elo@32', 'glicko2', 'weng-lin', 'bt'].map((s) => parseSystemSpec(s, 4)),
    online: online(200),
    segments: 10,
    bins: 10,
    bootstrap: { rounds: 300, level: 0.95, seed: 1 },
  });
  it('bt is the reference (lowest log-loss), and every other system is worse with its whole interval above 0', () => {
    expect(r.reference).toBe('bt');
    for (const p of r.paired) expect(p.logLoss.lower, p.system).toBeGreaterThan(0);
  });
});

describe('a step change (m5 −300 at battle 10,000): online systems win for a window that depends on K', () => {
  const truth = loadSimRatings(join(FIXTURES, 'backtest', 'step-6.json'));
  const t = simulateTable(truth, 30000, { tieRate: 0, drift: truth.drift }, createRng(1));
  const r = backtest(t, {
    systems: ['elo@4', 'elo@32', 'bt'].map((s) => parseSystemSpec(s, 4)),
    online: online(200),
    segments: 30,
    bins: 10,
    bootstrap: { rounds: 0, level: 0.95, seed: 1 },
  });
  const seg = (name: string) => r.systems.find((s) => s.name === name)!.segments.map((g) => g.logLoss);
  const [e4, e32, bt] = [seg('elo@4'), seg('elo@32'), seg('bt')];
  const mean = (x: number[], from: number, to: number) => x.slice(from, to).reduce((s, v) => s + v, 0) / (to - from);
  it('before the step (battles 5,000–10,000) bt and the low K beat K = 32', () => {
    expect(mean(bt, 5, 10)).toBeLessThan(mean(e32, 5, 10));
    expect(mean(e4, 5, 10)).toBeLessThan(mean(e32, 5, 10));
  });
  it('in the 1,000 battles after the step K = 32 beats both K = 4 and bt (it tracks faster)', () => {
    expect(e32[10]!).toBeLessThan(e4[10]!);
    expect(e32[10]!).toBeLessThan(bt[10]!);
  });
  it('later K = 4 has caught up and beats K = 32 again, while bt, diluted by the old battles, still loses to both', () => {
    expect(mean(e4, 15, 30)).toBeLessThan(mean(e32, 15, 30));
    expect(mean(bt, 10, 20)).toBeGreaterThan(mean(e4, 10, 20));
  });
});
