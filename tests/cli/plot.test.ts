import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, cli, FIXTURES, SMALL_BOARD, tempDir, tempFile } from '../helpers.js';
import { parseSvg } from '../report/svg.js';

const rows = SMALL_BOARD;

describe('arena plot', () => {
  it('every kind writes an SVG to --out atomically, nothing on stdout', async () => {
    const f = tempFile('s.jsonl', rows);
    for (const kind of ['intervals', 'winrate', 'counts']) {
      const dir = tempDir();
      const out = join(dir, `${kind}.svg`);
      const r = await cli(['plot', kind, f, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      expect(readdirSync(dir)).toEqual([`${kind}.svg`]);
      const p = parseSvg(readFileSync(out, 'utf8'));
      for (const m of ['alpha', 'beta', '__proto__']) expect(p.texts).toContain(m);
    }
  });

  it('--format vega-lite prints the spec; --top limits the models; --ci sets the level', async () => {
    const f = tempFile('s.jsonl', rows);
    const r = await cli(['plot', 'intervals', f, '--format', 'vega-lite', '--top', '2', '--ci', '0.8']);
    expect(r.code).toBe(0);
    const spec = JSON.parse(r.stdout);
    expect(spec.$schema).toMatch(/vega-lite\/v6/);
    expect(spec.title.text).toBe('Rating with its 80% interval (sandwich)');
    expect(spec.data.values.map((v: { model: string }) => v.model)).toEqual(['alpha', '__proto__']);
    const wide = JSON.parse((await cli(['plot', 'intervals', f, '--format', 'vega-lite', '--ci', '0.99'])).stdout);
    const narrow = JSON.parse((await cli(['plot', 'intervals', f, '--format', 'vega-lite', '--ci', '0.5'])).stdout);
    for (let k = 0; k < 3; k++) {
      expect(wide.data.values[k].lower).toBeLessThan(narrow.data.values[k].lower);
      expect(wide.data.values[k].upper).toBeGreaterThan(narrow.data.values[k].upper);
      expect(wide.data.values[k].rating).toBe(narrow.data.values[k].rating);
    }
  });

  it('Elo: heatmaps yes, sandwich intervals no (exit 2, one clear line)', async () => {
    const f = tempFile('s.jsonl', rows);
    expect((await cli(['plot', 'winrate', f, '--method', 'elo'])).code).toBe(0);
    const r = await cli(['plot', 'intervals', f, '--method', 'elo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('arena: error: plot intervals draws intervals: use --ci-method sandwich (likelihood models) or --bootstrap N\n');
  });

  it('usage errors exit 2: unknown kind, bad --top, bad --ci, no battles', async () => {
    const f = tempFile('s.jsonl', rows);
    for (const args of [['plot', 'pie', f], ['plot', 'intervals', f, '--top', '0'], ['plot', 'intervals', f, '--ci', '1.5'], ['plot', 'counts'], ['plot', 'counts', f, '--format', 'png']]) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/error/);
    }
  });

  it('bad input: exit 1, one line naming file and line, no partial --out file', () => {
    const f = tempFile('bad.jsonl', rows + '{"model_a":"a","model_b":"b","winner":"nobody"}\n');
    const out = join(tempDir(), 'p.svg');
    const r = bin(['plot', 'counts', f, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bad\.jsonl:8: winner/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dirname(out))).toEqual([]);
  });

  it('degenerate data: warnings on stderr, the SVG on stdout', async () => {
    const r = await cli(['plot', 'intervals', join(FIXTURES, 'data', 'chatbot-arena-20240814-ukrainian', 'battles.jsonl'), '--top', '5']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: The comparison graph falls into 2 disconnected parts/);
    expect(parseSvg(r.stdout).texts).toContain('falcon-180b-chat');
  });
});
