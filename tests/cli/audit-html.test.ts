import { describe, expect, it } from 'vitest';
import { fmt, visibleText } from '../../src/formats/format.js';
import { cli, jsonl, tempFile } from '../helpers.js';

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');

/** The text of each cell of each body row of the table with this id (tags inside a cell removed, entities decoded). */
function tableRows(html: string, id: string): string[][] {
  const table = html.match(new RegExp(`<table id="${id}">([\\s\\S]*?)</table>`));
  expect(table, `table #${id}`).not.toBeNull();
  const body = table![1]!.split('<tbody>')[1]!;
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => unescape(c[1]!.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim())));
}

// hostile model names: markup, an attribute breaker, an entity, a prototype key, a terminal escape
const NAMES = ['<img src=x onerror=alert(1)>', '__proto__', 'Tom & "Jerry"', 'plain', 'esc\u001b[31m'];
const rows: object[] = [];
NAMES.forEach((a, i) =>
  NAMES.forEach((b, j) => {
    if (i < j) {
      rows.push({ model_a: a, model_b: b, winner: 'model_a', count: 6 + 3 * (j - i) + i });
      rows.push({ model_a: a, model_b: b, winner: 'model_b', count: 4 + j });
      rows.push({ model_a: a, model_b: b, winner: 'tie', count: 2 });
    }
  }),
);
const FILE = tempFile('hostile-audit.jsonl', jsonl(rows));

describe('arena audit --format html', () => {
  it('one self-contained page whose tables show the JSON\'s values, its data block the JSON itself, every name escaped', async () => {
    const args = ['audit', FILE, '--challengers', '2', '--top', '4', '--target', NAMES[4]!];
    const j = await cli([...args, '--format', 'json']);
    expect(j.code).toBe(0);
    const json = JSON.parse(j.stdout);
    const h = await cli([...args, '--format', 'html']);
    expect(h.code).toBe(0);
    const html = h.stdout;
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    // the only script is the JSON data block, and it holds exactly what --format json printed
    expect([...html.matchAll(/<script[^>]*>/gi)].map((m) => m[0])).toEqual(['<script type="application/json" id="arena-audit">']);
    const block = html.match(/<script type="application\/json" id="arena-audit">([\s\S]*?)<\/script>/)![1]!;
    expect(JSON.parse(block)).toEqual(json);
    // no raw markup from a model name, no raw control character
    expect(html).not.toContain('<img');
    expect(html).not.toContain('\u001b');
    const check = (id: string, ps: { below: string; above: string; votes: number | null; action: string }[]) => {
      const body = tableRows(html, id);
      expect(body).toHaveLength(ps.length);
      ps.forEach((p, q) => {
        expect(body[q]![0]).toBe(p.action);
        expect(body[q]![1]).toBe(visibleText(p.below));
        expect(body[q]![2]).toBe(visibleText(p.above));
        expect(body[q]![4]).toBe(p.votes === null ? 'none found' : fmt(p.votes, 0));
      });
    };
    check('audit-top', json.perturbations);
    check('audit-adjacent', json.adjacent.perturbations);
    const rig = tableRows(html, 'audit-rigging');
    expect(rig).toHaveLength(json.rigging.budgets.length);
    json.rigging.budgets.forEach((b: { mode: string; ranks: number; votes: number | null; positionAfter: number | null }, q: number) => {
      expect(rig[q]!.slice(0, 3)).toEqual([b.mode === 'target' ? 'target-only' : 'omnipresent', String(b.ranks), b.votes === null ? 'none found' : fmt(b.votes, 0)]);
      expect(rig[q]![5]).toBe(b.positionAfter === null ? '' : String(b.positionAfter));
    });
    expect(html).toContain(`Rigging budget of ${visibleText(NAMES[4]!)}`);
    // the simultaneous rank intervals of the top: the JSON's rows
    const ranks = tableRows(html, 'audit-ranks-table');
    expect(ranks).toHaveLength(json.simultaneousRanks.top.length);
    json.simultaneousRanks.top.forEach((r: { model: string; rank: number; simultaneousRankLower: number; simultaneousRankUpper: number }, q: number) => {
      expect(ranks[q]![0]).toBe(visibleText(r.model));
      expect(ranks[q]![3]).toBe(String(r.rank));
      expect(ranks[q]![5]).toBe(r.simultaneousRankLower === r.simultaneousRankUpper ? String(r.simultaneousRankLower) : `${r.simultaneousRankLower}–${r.simultaneousRankUpper}`);
    });
    expect(html).not.toContain('id="audit-voters"');
  });

  it('with --voter-field: a voters section whose rows are the JSON\'s tests, voter names escaped', async () => {
    const VOTERS = ['<b>v</b>', '__proto__', 'plain'];
    const voted = tempFile('hostile-audit-voters.jsonl', jsonl(rows.map((r, q) => ({ ...r, judge: VOTERS[q % 3] }))));
    const args = ['audit', voted, '--challengers', '1', '--top', '1', '--action', 'drop', '--voter-field', 'judge', '--voter-min-votes', '1'];
    const json = JSON.parse((await cli([...args, '--format', 'json'])).stdout);
    const h = await cli([...args, '--format', 'html']);
    expect(h.code).toBe(0);
    expect(h.stdout).not.toContain('<b>v</b>');
    const tests = tableRows(h.stdout, 'audit-voters-tests');
    expect(json.voters.tests.length).toBe(3);
    expect(tests).toHaveLength(3);
    json.voters.tests.forEach((t: { voter: string; votes: number }, q: number) => {
      expect(tests[q]![1]).toBe(t.voter);
      expect(tests[q]![2]).toBe(fmt(t.votes, 0));
    });
  });

  it('the table shows the same names made visible (no raw control character reaches the terminal)', async () => {
    const r = await cli(['audit', FILE, '--challengers', '2', '--top', '4', '--target', NAMES[4]!]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\u001b');
    expect(r.stdout).toContain(`Rigging ${visibleText(NAMES[4]!)} (position`);
  });
});
