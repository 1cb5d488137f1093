import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURES, jsonl, tempFile } from '../helpers.js';
import { readFileSync } from 'node:fs';

const REAL = join(FIXTURES, 'data', 'chatbot-arena-20240814-japanese', 'battles.jsonl');

type Change = { a: string; b: string; outcome: 'a' | 'b' | 'tie' | 'bothbad'; count: number; to?: 'a' | 'b' | 'tie' | 'bothbad' };

/** The fixture's rows with the changes applied (independently of the library), as a JSONL file. */
function changedFile(changes: readonly Change[], action: string): string {
  const rows = readFileSync(REAL, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { model_a: string; model_b: string; winner: string; count?: number });
  const fromA = (r: (typeof rows)[number], c: Change) => {
    const o = r.winner === 'model_a' ? 'a' : r.winner === 'model_b' ? 'b' : r.winner === 'tie' ? 'tie' : 'bothbad';
    if (r.model_a === c.a && r.model_b === c.b) return o;
    if (r.model_a === c.b && r.model_b === c.a) return o === 'a' ? 'b' : o === 'b' ? 'a' : o;
    return null;
  };
  const out = rows.map((r) => ({ ...r, count: r.count ?? 1 }));
  const winner = { a: 'model_a', b: 'model_b', tie: 'tie', bothbad: 'tie (bothbad)' } as const;
  for (const c of changes) {
    if (action === 'add') {
      out.push({ model_a: c.a, model_b: c.b, winner: winner[c.outcome], count: c.count });
      continue;
    }
    let left = c.count;
    for (const r of out) {
      if (left === 0) break;
      if (r.count === 0 || fromA(r, c) !== c.outcome) continue;
      const take = Math.min(left, r.count);
      r.count -= take;
      left -= take;
      if (c.to) out.push({ model_a: c.a, model_b: c.b, winner: winner[c.to], count: take });
    }
    expect(left).toBe(0);
  }
  return tempFile('changed.jsonl', jsonl(out.filter((r) => r.count > 0)));
}

describe('arena audit', () => {
  it('the fewest dropped, flipped and added votes for #1 to change: each answer, applied to the file, makes `arena rate` put the challenger first', async () => {
    const r = await cli(['audit', REAL, '--format', 'json', '--challengers', '2']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.perturbations.map((p: { action: string }) => p.action)).toEqual(['drop', 'drop', 'flip', 'flip', 'add', 'add']);
    const before = JSON.parse((await cli(['rate', REAL, '--format', 'json', '--ci-method', 'none'])).stdout).models.map((m: { model: string }) => m.model);
    for (const p of j.perturbations) {
      expect(p.above).toBe(before[0]);
      expect(p.votes).toBeGreaterThan(0);
      expect(p.fraction).toBeCloseTo(p.votes / j.battles, 12);
      const after = JSON.parse((await cli(['rate', changedFile(p.changes, p.action), '--format', 'json', '--ci-method', 'none'])).stdout).models.map((m: { model: string }) => m.model);
      expect(after.indexOf(p.below)).toBeLessThan(after.indexOf(p.above));
    }
    expect(j.smallest.drop).toBe(Math.min(...j.perturbations.filter((p: { action: string }) => p.action === 'drop').map((p: { votes: number }) => p.votes)));
  });

  it('--a/--b for one pair; usage errors in one line', async () => {
    const rated = JSON.parse((await cli(['rate', REAL, '--format', 'json', '--ci-method', 'none'])).stdout).models.map((m: { model: string }) => m.model);
    const r = await cli(['audit', REAL, '--a', rated[2], '--b', rated[4], '--action', 'flip', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.perturbations.map((p: { action: string; above: string; below: string }) => [p.action, p.above, p.below])).toEqual([['flip', rated[2], rated[4]]]);
    for (const [args, msg] of [
      [['--a', rated[0]], /--a and --b go together/],
      [['--method', 'elo'], /online Elo has none/],
      [['--a', rated[0], '--b', 'nobody'], /nobody/],
    ] as const) {
      const e = await cli(['audit', REAL, ...args]);
      expect(e.code).not.toBe(0);
      expect(e.stderr).toMatch(msg);
      expect(e.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('a challenger with few battles: without its 12 losses and 9 ties it never lost, the ridge prior sets its rating, and that route is found (the linearised search alone took 306 drops)', async () => {
    const r = await cli(['audit', REAL, '--a', 'gpt-4o-2024-05-13', '--b', 'codellama-70b-instruct', '--action', 'drop', '--format', 'json']);
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout).perturbations[0];
    expect(p.votes).toBeLessThanOrEqual(21);
    const after = JSON.parse((await cli(['rate', changedFile(p.changes, 'drop'), '--format', 'json', '--ci-method', 'none'])).stdout).models.map((m: { model: string }) => m.model);
    expect(after.indexOf('codellama-70b-instruct')).toBeLessThan(after.indexOf('gpt-4o-2024-05-13'));
  });
});
