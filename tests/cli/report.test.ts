import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, cli, SMALL_BOARD, tempDir, tempFile } from '../helpers.js';

const rows = SMALL_BOARD;

describe('arena report', () => {
  it('writes one HTML page to --out (atomically), nothing on stdout; the same page on stdout without --out', async () => {
    const f = tempFile('s.jsonl', rows);
    const dir = tempDir();
    const out = join(dir, 'report.html');
    const r = await cli(['report', f, '--out', out, '--seed', '9']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(readdirSync(dir)).toEqual(['report.html']);
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html.match(/<tr><td class="num">/g)).toHaveLength(3);
    expect(html).toContain('<title>arena report: ');
    expect(html).toMatch(/<th scope="row">seed<\/th><td>9 /);
    expect(html).toMatch(/<code>arena report \S+s\.jsonl --seed 9 --out \S+report\.html<\/code>/);
    const s = await cli(['report', f, '--seed', '9']);
    expect(s.stdout.replace(/<code>.*<\/code>/, '')).toBe(html.replace(/<code>.*<\/code>/, ''));
  });

  it('options reach the page: --ci, --title, --top, --heatmap-top, --anchor', async () => {
    const f = tempFile('s.jsonl', rows);
    const r = await cli(['report', f, '--ci', '0.9', '--title', 'My <board>', '--top', '2', '--heatmap-top', '2', '--anchor', 'beta=1114']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('<title>My &lt;board&gt;</title>');
    expect(r.stdout).toContain('90% interval (sandwich)');
    expect(r.stdout).toContain('The top 2 of 3 models by rating.');
    expect(r.stdout).toMatch(/<td class="model">beta<\/td><td class="num">1114\.0<\/td>/);
  });

  it('usage errors exit 2 (Elo has no sandwich; bad --ci), bad input exits 1 with no partial file', () => {
    const f = tempFile('s.jsonl', rows);
    const elo = bin(['report', f, '--method', 'elo']);
    expect(elo.code).toBe(2);
    expect(elo.stderr).toMatch(/the report draws intervals: use --ci-method sandwich \(likelihood models\) or --bootstrap N/);
    expect(bin(['report', f, '--ci', '0']).code).toBe(2);
    const bad = tempFile('bad.jsonl', '{"model_a":"a","model_b":"a","winner":"tie"}\n');
    const out = join(tempDir(), 'r.html');
    const r = bin(['report', bad, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bad\.jsonl:1/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dirname(out))).toEqual([]);
  });
});
