/**
 * A published board as the truth of `arena board-truth`, `simulate --board`, `demo --board` and a what-if baseline:
 * the ratings file round-trips through the simulation reader, the rebuilt widths match the published ones, errors
 * are one line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPublishedBoard } from '../../src/data/board.js';
import { parseSimRatings } from '../../src/sim/fixture.js';
import { cli, FIXTURES, tempDir, tempFile } from '../helpers.js';

const DEC = join(FIXTURES, 'lmarena-catalog', 'text-2025-12-11.json');

describe('arena board-truth', () => {
  it('writes a ratings file the simulators read: published ratings, weights summing to 1, votes = half the seats', async () => {
    const out = join(tempDir(), 'truth.json');
    const r = await cli(['board-truth', DEC, '--category', 'coding', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^coding board of .*text-2025-12-11\.json: 278 models; [\d,]+ battles \(effective, unweighted votes inferred from the published interval widths\)/);
    const json = JSON.parse(readFileSync(out, 'utf8'));
    const sim = parseSimRatings(json, out);
    const b = readPublishedBoard(DEC, 'coding');
    expect(sim.models).toEqual(b.models);
    expect(Array.from(sim.ratings)).toEqual(Array.from(b.ratings));
    expect(sim.weights!.reduce((a, x) => a + x, 0)).toBeCloseTo(1, 12);
    const seats = json.models.reduce((a: number, m: { battles: number }) => a + m.battles, 0);
    expect(Math.abs(seats / 2 - json.votes) / json.votes).toBeLessThan(1e-3);
    expect(json.source).toMatchObject({ category: 'coding', date: '2025-12-11', converged: true, anchor: null, tieRate: 0.34 });
  });

  it('an unknown category: exit 1, one line', async () => {
    const r = await cli(['board-truth', DEC, '--category', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unknown category "nope"/);
  });
});

describe('demo --board and simulate --board', () => {
  it('demo --board (2025-12-11 full): the rebuilt intervals have the published widths (median ratio within 0.97–1.03)', async () => {
    const r = await cli(['demo', '--board', DEC, '--format', 'json', '--quiet']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.widths.models).toBe(282);
    expect(Math.abs(j.widths.median - 1)).toBeLessThan(0.03);
    expect(j.widths.q10).toBeGreaterThan(0.9);
    expect(j.widths.q90).toBeLessThan(1.1);
    expect(j.params).toMatchObject({ board: DEC, category: 'full', policy: 'popularity' });
    // recompute the median from the rows and the file
    const pub = readPublishedBoard(DEC, 'full');
    const w = new Map(pub.models.map((m, v) => [m, pub.upper[v]! - pub.lower[v]!]));
    const ratios = j.models.map((m: { model: string; lower: number; upper: number }) => (m.upper - m.lower) / w.get(m.model)!).sort((a: number, b: number) => a - b);
    expect((ratios[140] + ratios[141]) / 2).toBeCloseTo(j.widths.median, 12);
  });

  it('simulate --board: battles among the board\'s models, popularity by default; with --ratings: exit 2', async () => {
    const r = await cli(['simulate', '--board', DEC, '--category', 'korean', '--battles', '2000', '--seed', '1', '--quiet']);
    expect(r.code).toBe(0);
    const names = new Set(readPublishedBoard(DEC, 'korean').models);
    const rows = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(2000);
    for (const x of rows) expect(names.has(x.model_a) && names.has(x.model_b)).toBe(true);
    const both = await cli(['simulate', '--board', DEC, '--ratings', 'x.json']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('arena: error: give --ratings or --board, not both\n');
    const warn = await cli(['simulate', '--board', DEC, '--category', 'korean', '--battles', '10', '--policy', 'uniform']);
    expect(warn.stderr).toMatch(/warning: the inferred votes reproduce the published widths under --policy popularity only/);
  });

  it('a what-if baseline from the board-truth file (scenario policy popularity) runs', async () => {
    const dir = tempDir();
    const truth = join(dir, 'truth.json');
    expect((await cli(['board-truth', DEC, '--category', 'korean', '--out', truth, '--quiet'])).code).toBe(0);
    const scenario = tempFile('s.json', JSON.stringify({ baseline: { ratings: truth, policy: { type: 'popularity' } }, replications: 2, seed: 1, steps: [{ type: 'addVotes', model: 'gemini-3-pro', votes: 500 }] }));
    const r = await cli(['whatif', '--scenario', scenario, '--format', 'json', '--quiet']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.models.map((m: { model: string }) => m.model)).toContain('gemini-3-pro');
    expect(j.params.baseline.battles).toBe(JSON.parse(readFileSync(truth, 'utf8')).votes);
  });
});
