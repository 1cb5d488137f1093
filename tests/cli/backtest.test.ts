import { describe, expect, it } from 'vitest';
import { readBattles } from '../../src/data/load.js';
import { parseSystemSpec } from '../../src/models/online.js';
import { backtest } from '../../src/stats/backtest.js';
import { cli, FIXTURES, jsonl, tempFile } from '../helpers.js';
import { join } from 'node:path';

const LLMFAO = join(FIXTURES, 'data', 'llmfao', 'battles.jsonl');

const hostile = () =>
  tempFile(
    'h.jsonl',
    jsonl(
      Array.from({ length: 60 }, (_, i) => ({
        model_a: ['__proto__', 'a<b>|c', 'plain'][i % 3],
        model_b: ['plain', '__proto__', 'a<b>|c'][i % 3],
        winner: ['model_a', 'model_b', 'tie', 'tie (bothbad)'][(i * 7) % 4],
      })),
    ),
  );

describe('arena backtest', () => {
  it('--format json on LLMFAO: the library\'s numbers, params echoed, the file-order warning', async () => {
    const r = await cli(['backtest', LLMFAO, '--systems', 'elo@8,weng-lin,bt', '--bootstrap', '50', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const t = await readBattles([LLMFAO]);
    const lib = backtest(t, {
      systems: ['elo@8', 'weng-lin', 'bt'].map((s) => parseSystemSpec(s, 4)),
      online: { scale: 400, base: 10, initial: 1000, ties: 'half', refitEvery: 100 /* max(100, 1% of 8,931) */, glicko: { rd: 350, volatility: 0.06, tau: 0.5 } },
      segments: 10,
      bins: 10,
      bootstrap: { rounds: 50, level: 0.95, seed: 42 },
    });
    expect(j.battles).toBe(8931);
    expect(j.systems.map((s: { system: string }) => s.system)).toEqual(['elo@8', 'weng-lin', 'bt']);
    for (let s = 0; s < 3; s++) expect(j.systems[s].logLoss).toBe(lib.systems[s]!.scores.logLoss);
    expect(j.paired).toEqual(JSON.parse(JSON.stringify(lib.paired)));
    expect(j.params).toMatchObject({ systems: ['elo@8', 'weng-lin', 'bt'], ties: 'half', bootstrap: 50, seed: 42 });
    expect(j.warnings).toEqual(['The battles have no timestamps: the backtest takes the file order as the time order.']);
    expect(r.stderr).toContain('warning: The battles have no timestamps');
  });
  it('is reproducible from --seed; another seed moves only the intervals', async () => {
    const args = ['backtest', LLMFAO, '--systems', 'elo,glicko2', '--bootstrap', '40', '--format', 'json'];
    const a = await cli([...args, '--seed', '5']);
    const b = await cli([...args, '--seed', '5']);
    const c = await cli([...args, '--seed', '6']);
    expect(a.stdout).toBe(b.stdout);
    const ja = JSON.parse(a.stdout);
    const jc = JSON.parse(c.stdout);
    expect(jc.systems).toEqual(ja.systems);
    expect(jc.paired[0].logLoss.mean).toBe(ja.paired[0].logLoss.mean);
    expect(jc.paired[0].logLoss.lower).not.toBe(ja.paired[0].logLoss.lower);
  });
  it('model names are data: __proto__ traced in JSON, names escaped nowhere needed in the table', async () => {
    const f = hostile();
    const r = await cli(['backtest', f, '--trace', '__proto__', '--trace', 'a<b>|c', '--format', 'json', '--bootstrap', '0']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j.systems[0].trace)).toEqual(['__proto__', 'a<b>|c']);
    expect(j.systems[0].trace.__proto__).toHaveLength(j.traceAt.length);
    expect(j.traceAt[0]).toBe(0);
    expect(j.traceAt.at(-1)).toBe(60);
    for (const fmt of ['table', 'markdown', 'csv']) expect((await cli(['backtest', f, '--format', fmt, '--bootstrap', '10'])).code).toBe(0);
  });
  it('--k-sweep adds Elo systems; --reference picks the baseline of the paired rows', async () => {
    const r = await cli(['backtest', LLMFAO, '--systems', 'bt', '--k-sweep', '4,16', '--reference', 'bt', '--format', 'json', '--bootstrap', '0']);
    const j = JSON.parse(r.stdout);
    expect(j.systems.map((s: { system: string }) => s.system)).toEqual(['bt', 'elo@4', 'elo@16']);
    expect(j.reference).toBe('bt');
    expect(j.paired.map((p: { system: string }) => p.system)).toEqual(['elo@4', 'elo@16']);
  });
  it('bad input: one line, exit 2 for usage, no stack trace', async () => {
    for (const args of [
      ['--systems', 'trueskill'],
      ['--systems', 'elo,elo@4'],
      ['--k-sweep', '4,x'],
      ['--trace', 'nobody'],
      ['--reference', 'glicko2', '--systems', 'elo'],
    ]) {
      const r = await cli(['backtest', LLMFAO, ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const missing = await cli(['backtest', 'no-such-file.jsonl']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });
});
