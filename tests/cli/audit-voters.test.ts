import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSimRatings } from '../../src/sim/fixture.js';
import { voterSampler } from '../../src/sim/voters.js';
import { cli, FIXTURES, jsonl, tempDir, tempFile } from '../helpers.js';

const WORKERS = join(FIXTURES, 'data', 'llmfao', 'workers.jsonl');
const RATINGS = join(FIXTURES, 'lmarena-text-2026-04.json');

describe('arena audit --voter-field', () => {
  it('end to end: simulate --voters with 5% adversarial voters, then audit: the planted voters are the smallest p-values and flagged', async () => {
    const out = join(tempDir(), 'v.jsonl');
    const sim = await cli(['simulate', '--ratings', RATINGS, '--battles', '30000', '--voters', '100', '--anomalous-voters', '0.05', '--anomaly', 'adversarial', '--voter-activity', '0', '--seed', '7', '--quiet', '--out', out]);
    expect(sim.code).toBe(0);
    // the planted set, from the library's sampler with the same seed
    const { voters } = voterSampler(loadSimRatings(RATINGS), { voters: 100, anomalousShare: 0.05, anomaly: 'adversarial', activityExponent: 0 }, 7);
    const planted = voters.names.filter((_, i) => voters.anomalous[i]).sort();
    expect(planted.length).toBe(5);
    const r = await cli(['audit', out, '--voter-field', 'judge', '--action', 'drop', '--challengers', '1', '--format', 'json', '--quiet']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { voters: { field: string; voters: number; tested: number; flagged: string[]; tests: { voter: string }[]; refit: { battles: number } | null } };
    expect(j.voters.field).toBe('judge');
    expect(j.voters.voters).toBe(100);
    expect(j.voters.tests.slice(0, 5).map((t) => t.voter).sort()).toEqual(planted);
    expect(planted.every((v) => j.voters.flagged.includes(v))).toBe(true);
    expect(j.voters.refit!.battles).toBeLessThan(30000);
    const table = await cli(['audit', out, '--voter-field', 'judge', '--action', 'drop', '--challengers', '1', '--quiet']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Voters \(judge\): 100 voters, 100 tested \(≥ 20 battles\), 0 battles without a voter; Benjamini–Hochberg at α = 0\.1: \d+ flagged/);
    expect(table.stdout).toMatch(/Without the flagged voters \(refit on [\d,]+ battles\)/);
  });

  it('the LLMFAO crowd workers: 124 workers, top shares from the counts (343 of 8,931 judgments each for the most active)', async () => {
    const r = await cli(['audit', WORKERS, '--voter-field', 'worker', '--action', 'drop', '--challengers', '1', '--format', 'json', '--quiet']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { voters: { voters: number; tested: number; unattributed: number; top: { voter: string; votes: number; share: number }[]; flagged: string[] } };
    // counted independently from the file
    const rows = readFileSync(WORKERS, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { worker: string }).worker);
    const counts = new Map<string, number>();
    for (const w of rows) counts.set(w, (counts.get(w) ?? 0) + 1);
    expect(j.voters.voters).toBe(counts.size);
    expect(j.voters.tested).toBe([...counts.values()].filter((c) => c >= 20).length);
    expect(j.voters.unattributed).toBe(0);
    const byCount = [...counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, 10);
    expect(j.voters.top.map((t) => [t.voter, t.votes])).toEqual(byCount);
    expect(j.voters.top[0]!.share).toBeCloseTo(byCount[0]![1] / rows.length, 12);
    expect(j.voters.flagged.length).toBeGreaterThan(0);
  });

  it('davidson and rao-kupper fits run the voter audit too; names are escaped in the table', async () => {
    const file = tempFile('e.jsonl', jsonl(Array.from({ length: 60 }, (_, i) => ({ model_a: i % 3 === 0 ? 'x' : 'y', model_b: i % 3 === 0 ? 'y' : 'z', winner: i % 4 === 0 ? 'tie' : i % 2 ? 'model_a' : 'model_b', judge: i % 2 ? 'evil\u001b[31m' : '__proto__' }))));
    for (const ties of ['davidson', 'rao-kupper']) {
      const r = await cli(['audit', file, '--voter-field', 'judge', '--ties', ties, '--action', 'drop', '--challengers', '1', '--quiet']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Voters (judge): 2 voters, 2 tested');
      expect(r.stdout).not.toContain('\u001b[31m');
      expect(r.stdout).toContain('__proto__');
    }
  });

  it('bad input and usage: one line, file, line and field; exit 1 or 2', async () => {
    const file = tempFile('b.jsonl', jsonl([{ model_a: 'x', model_b: 'y', winner: 'model_a', judge: 'a' }, { model_a: 'x', model_b: 'y', winner: 'model_b' }]));
    const missing = await cli(['audit', file, '--voter-field', 'judge', '--quiet']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/b\.jsonl:2: judge: unknown field/);
    expect(missing.stderr).not.toMatch(/\bat .*\.ts:/);
    expect((await cli(['audit', file, '--voter-field', 'a..b', '--quiet'])).code).toBe(2);
    expect((await cli(['audit', file, '--voter-field', 'judge', '--voter-alpha', '1.5', '--quiet'])).code).toBe(2);
    expect((await cli(['audit', file, '--voter-field', 'judge', '--voter-min-votes', '0', '--quiet'])).code).toBe(2);
    expect((await cli(['simulate', '--battles', '10', '--anomalous-voters', '0.1', '--quiet'])).code).toBe(2);
    expect((await cli(['simulate', '--battles', '10', '--voters', '5', '--anomaly', 'promoter', '--promote', 'nope', '--quiet'])).code).toBe(1);
  });
});
