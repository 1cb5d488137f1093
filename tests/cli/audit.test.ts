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

  it('--top k: every adjacent pair of the top k searched, each answer applied to the file swaps that pair under `arena rate`, the smallest is their minimum', async () => {
    const rated = JSON.parse((await cli(['rate', REAL, '--format', 'json', '--ci-method', 'none'])).stdout).models.map((m: { model: string }) => m.model);
    const r = await cli(['audit', REAL, '--format', 'json', '--challengers', '1', '--top', '4', '--action', 'flip']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.params.top).toBe(4);
    expect(j.adjacent.perturbations.map((p: { above: string; below: string }) => [p.above, p.below])).toEqual([
      [rated[0], rated[1]],
      [rated[1], rated[2]],
      [rated[2], rated[3]],
    ]);
    // the #1–#2 search is the one "#1 changes" made
    expect(j.adjacent.perturbations[0]).toEqual(j.perturbations[0]);
    for (const p of j.adjacent.perturbations) {
      expect(p.votes).toBeGreaterThan(0);
      const after = JSON.parse((await cli(['rate', changedFile(p.changes, 'flip'), '--format', 'json', '--ci-method', 'none'])).stdout).models.map((m: { model: string }) => m.model);
      expect(after.indexOf(p.below)).toBeLessThan(after.indexOf(p.above));
    }
    expect(j.adjacent.smallest.flip).toBe(Math.min(...j.adjacent.perturbations.map((p: { votes: number }) => p.votes)));
    const table = await cli(['audit', REAL, '--challengers', '1', '--top', '4', '--action', 'flip']);
    expect(table.stdout).toContain(`An adjacent pair of the top 4 swaps with ${j.adjacent.smallest.flip} flipped vote`);
  });

  it('--target: the rigging budget (1 and 5 positions, target-only and omnipresent); each set of added votes, appended to the file, lifts the model that far under `arena rate`', async () => {
    const rated = JSON.parse((await cli(['rate', REAL, '--format', 'json', '--ci-method', 'none'])).stdout).models.map((m: { model: string }) => m.model);
    const target = rated[12];
    const r = await cli(['audit', REAL, '--format', 'json', '--challengers', '1', '--top', '1', '--action', 'add', '--target', target]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.adjacent).toBeNull();
    expect(j.rigging.target).toBe(target);
    expect(j.rigging.position).toBe(13);
    expect(j.rigging.budgets.map((b: { mode: string; ranks: number }) => [b.mode, b.ranks])).toEqual([['target', 1], ['target', 5], ['omnipresent', 1], ['omnipresent', 5]]);
    for (const b of j.rigging.budgets) {
      expect(b.votes).toBeGreaterThan(0);
      expect(b.fraction).toBeCloseTo(b.votes / j.battles, 12);
      if (b.mode === 'target') expect(b.changes.every((c: Change) => (c.outcome === 'a' ? c.a : c.b) === target)).toBe(true);
      const after = JSON.parse((await cli(['rate', changedFile(b.changes, 'add'), '--format', 'json', '--ci-method', 'none'])).stdout).models.map((m: { model: string }) => m.model);
      expect(after.indexOf(target) + 1).toBeLessThanOrEqual(13 - b.ranks);
      expect(b.positionAfter).toBe(after.indexOf(target) + 1);
    }
    // an omnipresent attacker can cast the target-only votes too
    for (const k of [0, 1]) expect(j.rigging.budgets[2 + k].votes).toBeLessThanOrEqual(j.rigging.budgets[k].votes);
    const e = await cli(['audit', REAL, '--target', 'nobody']);
    expect(e.code).not.toBe(0);
    expect(e.stderr).toMatch(/nobody/);
    expect(e.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.each([
    ['--ties', 'davidson'],
    ['--ties', 'rao-kupper'],
    ['--reweight', 'pairs'],
  ])('%s %s: the drops found, applied to the file, make `arena rate` with the same model put the challenger first', async (flag, value) => {
    const r = await cli(['audit', REAL, '--format', 'json', '--challengers', '1', '--top', '1', '--action', 'drop', flag, value]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const p = j.perturbations[0];
    const before = JSON.parse((await cli(['rate', REAL, '--format', 'json', '--ci-method', 'none', flag, value])).stdout).models.map((m: { model: string }) => m.model);
    expect([p.above, p.below]).toEqual([before[0], before[1]]);
    expect(p.votes).toBeGreaterThan(0);
    const after = JSON.parse((await cli(['rate', changedFile(p.changes, 'drop'), '--format', 'json', '--ci-method', 'none', flag, value])).stdout).models.map((m: { model: string }) => m.model);
    expect(after.indexOf(p.below)).toBeLessThan(after.indexOf(p.above));
  });
});
