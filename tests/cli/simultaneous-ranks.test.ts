import { describe, expect, it } from 'vitest';
import { cli, FIXTURES } from '../helpers.js';
import { join } from 'node:path';

const REAL = join(FIXTURES, 'data', 'chatbot-arena-20240814-japanese', 'battles.jsonl');

describe('arena rate --simultaneous-ranks', () => {
  it('adds rank intervals holding for all models at once: each contains the model\'s position, and they are wider than the per-model ones', async () => {
    for (const extra of [[], ['--bootstrap', '60', '--threads', '1']]) {
      const r = await cli(['rate', REAL, '--simultaneous-ranks', '--format', 'json', '--seed', '3', ...extra]);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout);
      const s = j.params.simultaneousRanks;
      expect(s.method).toBe(extra.length ? 'bootstrap' : 'sandwich');
      expect(s.level).toBe(0.95);
      // many pairs: the max-statistic's critical value is well above the single pair's 1.96
      expect(s.critical).toBeGreaterThan(2.5);
      let wider = 0;
      j.models.forEach((row: { simultaneousRankLower: number; simultaneousRankUpper: number; rankLower: number; rankUpper: number }, q: number) => {
        expect(row.simultaneousRankLower).toBeLessThanOrEqual(q + 1);
        expect(row.simultaneousRankUpper).toBeGreaterThanOrEqual(q + 1);
        if (row.simultaneousRankUpper - row.simultaneousRankLower > row.rankUpper - row.rankLower) wider++;
      });
      expect(wider).toBeGreaterThan(j.models.length / 4);
    }
  });

  it('same seed, same intervals; usage errors for other formats, display rules and boards without intervals', async () => {
    const a = await cli(['rate', REAL, '--simultaneous-ranks', '--format', 'json', '--seed', '9']);
    const b = await cli(['rate', REAL, '--simultaneous-ranks', '--format', 'json', '--seed', '9']);
    expect(a.stdout).toBe(b.stdout);
    for (const [args, msg] of [
      [['--format', 'table'], /--simultaneous-ranks is written in JSON only/],
      [['--format', 'json', '--min-votes', '100'], /cannot be combined with the display options/],
      [['--format', 'json', '--ci-method', 'none'], /needs the law of the rating gaps/],
    ] as const) {
      const r = await cli(['rate', REAL, '--simultaneous-ranks', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
