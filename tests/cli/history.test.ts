/**
 * `arena history` and `arena plot history` on the published snapshots: JSON and CSV carry the files' figures,
 * hostile names stay inert, the plot draws every snapshot; errors are one line with the right exit status.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { marks, parseSvg } from '../report/svg.js';
import { cli, FIXTURES, tempFile } from '../helpers.js';

const CATALOG = join(FIXTURES, 'lmarena-catalog');
const PLAIN = readdirSync(CATALOG).filter((f) => /^text-\d{4}-\d{2}-\d{2}\.json$/.test(f)).map((f) => join(CATALOG, f));
const RAW = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('arena history', () => {
  it('JSON: every snapshot in date order, the model where present, null where absent', async () => {
    const r = await cli(['history', ...[...PLAIN].reverse(), '--model', 'gemini-2.5-pro', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.snapshots.map((s: { date: string }) => s.date)).toEqual([...j.snapshots.map((s: { date: string }) => s.date)].sort());
    expect(j.snapshots).toHaveLength(15);
    const pts = j.models[0].points as { date: string; present: boolean; rating: number | null; rank: number | null }[];
    expect(pts.filter((p) => p.present).map((p) => p.date)).toEqual(['2025-11-05', '2025-11-06', '2025-12-11']);
    expect(pts[0]!.rating).toBeNull();
    expect(pts[14]!.rating).toBe(JSON.parse(readFileSync(join(CATALOG, 'text-2025-12-11.json'), 'utf8')).full['gemini-2.5-pro'].rating);
    expect(j.turnover).toHaveLength(14);
    expect(j.params).toMatchObject({ category: 'full', top: 10, models: ['gemini-2.5-pro'] });
  });

  it('the table shows absences and rank changes; CSV one row per snapshot', async () => {
    const t = await cli(['history', ...PLAIN, '--model', 'gemini-2.5-pro']);
    expect(t.stdout).toContain('gemini-2.5-pro on the full board: on 3 of 15 snapshots');
    expect(t.stdout).toMatch(/^2025-03-07 +— +not on this board$/m);
    expect(t.stdout).toMatch(/^2025-12-11 +1464\.5 +1461\.0 – 1467\.9 +2 of 282 +2 +↓1$/m);
    expect(t.stdout).toMatch(/turnover of the top 10 by rating .*: \d+ over 14 steps/);
    const c = await cli(['history', ...PLAIN, '--model', 'gemini-2.5-pro', '--format', 'csv']);
    const lines = c.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('model,date,file,present,rating,lower,upper,position,rank,rank_change,position_change');
    expect(lines).toHaveLength(16);
    expect(lines[15]).toMatch(/^gemini-2\.5-pro,2025-12-11,.*,true,1464\.461788215414,1461\.0214308481243,1467\.9021455827035,2,2,-1,-1$/);
  });

  it('hostile names: exact in JSON, inert in CSV and the table', async () => {
    const e = (r: number) => ({ rating: r, rating_q025: r - 5, rating_q975: r + 5 });
    const f1 = tempFile('h-2025-01-01.json', `{"full":{"=cmd|'calc'!A0":${JSON.stringify(e(1100))},"bell\\u0007\\u202e":${JSON.stringify(e(1000))}}}`);
    const f2 = tempFile('h-2025-01-02.json', `{"full":{"=cmd|'calc'!A0":${JSON.stringify(e(1090))},"bell\\u0007\\u202e":${JSON.stringify(e(1120))}}}`);
    const args = ['history', f1, f2, '--model', "=cmd|'calc'!A0", '--model', 'bell\u0007\u202e', '--top', '1'];
    const csv = (await cli([...args, '--format', 'csv'])).stdout;
    expect(csv).not.toMatch(RAW);
    expect(csv).toContain("'=cmd|'calc'!A0");
    const table = (await cli(args)).stdout;
    expect(table).not.toMatch(RAW);
    expect(table).toContain('bell\\u0007\\u202e');
    const j = JSON.parse((await cli([...args, '--format', 'json'])).stdout);
    expect(j.models.map((m: { model: string }) => m.model)).toEqual(["=cmd|'calc'!A0", 'bell\u0007\u202e']);
    expect(j.turnover[0]).toMatchObject({ entered: ['bell\u0007\u202e'], left: ["=cmd|'calc'!A0"] });
    const svg = (await cli(['plot', 'history', f1, f2, '--model', 'bell\u0007\u202e'])).stdout;
    expect(svg).not.toMatch(RAW);
    parseSvg(svg);
  });

  it('a category missing from some files leaves them out with a warning; from all, exit 1 listing the categories', async () => {
    const r = await cli(['history', ...PLAIN, '--model', 'gemini-2.5-pro', '--category', 'expert', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).snapshots).toHaveLength(2);
    expect(r.stderr.match(/has no "expert" board: left out/g)).toHaveLength(13);
    const bad = await cli(['history', PLAIN[0]!, '--model', 'x', '--category', 'nope']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^arena: .*text-2025-03-07\.json: unknown category "nope" \(none of the 1 files has it; this one has 20: "chinese", .*\)\n$/);
  });

  it('a model on no snapshot: exit 2 naming similar names; a malformed file: exit 1, one line', async () => {
    const r = await cli(['history', ...PLAIN, '--model', 'gemini-2.5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^arena: error: --model: "gemini-2\.5" is on none of the 15 full boards; similar names: .*"gemini-2\.5-pro"/);
    const f = tempFile('m-2025-01-01.json', JSON.stringify({ full: { a: { rating: 1, rating_q025: 2, rating_q975: 3 } } }));
    const m = await cli(['history', f, '--model', 'a']);
    expect(m.code).toBe(1);
    expect(m.stderr).toBe(`arena: ${f}: "full"."a".rating: needs rating_q025 ≤ rating ≤ rating_q975\n`);
  });
});

describe('arena plot history', () => {
  it('draws gemini-2.5-pro across all 15 snapshots: one rule per snapshot, a point per present snapshot with the file\'s rating', async () => {
    const r = await cli(['plot', 'history', ...PLAIN, '--model', 'gemini-2.5-pro']);
    expect(r.code).toBe(0);
    const svg = parseSvg(r.stdout);
    expect(svg.texts.join(' ')).toContain('across 15 snapshots (full board)');
    const rules = marks(svg, 'rule mark');
    // one dashed rule per snapshot in each of the two panels
    expect(rules).toHaveLength(30);
    const points = marks(svg, 'point').filter((p) => p.fields.has('Rating'));
    expect(points.map((p) => p.fields.get('Snapshot date (UTC)'))).toEqual(['2025-11-05', '2025-11-06', '2025-12-11']);
    const raw = JSON.parse(readFileSync(join(CATALOG, 'text-2025-12-11.json'), 'utf8')).full['gemini-2.5-pro'].rating as number;
    expect(Number(points[2]!.fields.get('Rating'))).toBeCloseTo(raw, 6);
    const ranks = marks(svg, 'point').filter((p) => p.fields.has('Rank'));
    expect(ranks.map((p) => p.fields.get('Rank'))).toEqual(['1', '1', '2']);
  });
});
