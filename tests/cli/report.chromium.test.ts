import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, jsonl, FIXTURES, tempDir, tempFile } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const HAVE = existsSync(CHROMIUM);
if (!HAVE) console.warn(`report.chromium.test: SKIPPED — ${CHROMIUM} not found (Debian: apt-get install -y chromium); the HTML report was not opened in a browser`);

const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Width and height of a PNG from its IHDR chunk. */
function pngSize(png: Buffer): [number, number] {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

interface Opened {
  errors: string[];
  requests: string[];
  dialogs: string[];
  rows: string[][];
  svgs: { width: number; height: number }[];
  png: Buffer;
}

async function open(browser: Browser, file: string): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const o: Opened = { errors: [], requests: [], dialogs: [], rows: [], svgs: [], png: Buffer.alloc(0) };
  page.on('console', (m) => void (m.type() === 'error' && o.errors.push(m.text())));
  page.on('pageerror', (e) => void o.errors.push(String(e)));
  page.on('request', (r) => void o.requests.push(r.url()));
  page.on('dialog', (d) => {
    o.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  o.rows = await page.$$eval('#leaderboard tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
  o.svgs = await page.$$eval('figure svg', (svgs) => svgs.map((s) => ({ width: s.getBoundingClientRect().width, height: s.getBoundingClientRect().height })));
  o.png = await page.screenshot({ fullPage: true });
  await page.close();
  return o;
}

describe.skipIf(!HAVE)(`arena report in headless Chromium (${CHROMIUM})`, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('the Chatbot Arena 2024-08-14 report opens with no console error and no request; the table rows are the leaderboard', async () => {
    const data = join(FIXTURES, 'data', 'chatbot-arena-20240814', 'battles.jsonl');
    const dir = tempDir();
    const out = join(dir, 'report.html');
    const args = ['--anchor', 'mixtral-8x7b-instruct-v0.1=1114'];
    expect((await cli(['report', data, ...args, '--out', out])).code).toBe(0);
    const lb = JSON.parse((await cli(['rate', data, ...args, '--format', 'json'])).stdout) as { models: { model: string; rating: number; rank: number; battles: number }[] };
    const o = await open(browser, out);
    expect(o.errors).toEqual([]);
    expect(o.dialogs).toEqual([]);
    expect(o.requests).toEqual([pathToFileURL(out).href]); // the page itself, nothing else
    expect(o.rows).toHaveLength(129);
    o.rows.forEach((cells, k) => {
      const m = lb.models[k]!;
      expect(cells).toHaveLength(6);
      expect(cells[2]).toBe(m.model);
      expect(cells[3]).toBe(m.rating.toFixed(1));
      expect(cells[5]).toBe(m.battles.toLocaleString('en-US'));
      const [lo, hi] = cells[4]!.split(' – ').map(Number);
      // the anchor's interval has zero width (each bootstrap round and the sandwich contrast are anchored, FastChat)
      if (m.model === 'mixtral-8x7b-instruct-v0.1') expect([lo, hi]).toEqual([1114, 1114]);
      else {
        expect(lo).toBeLessThan(Number(cells[3]));
        expect(hi).toBeGreaterThan(Number(cells[3]));
      }
      const [best, worst = best] = cells[1]!.split('–').map(Number);
      expect(best).toBe(Number(cells[0]));
      expect(best).toBeLessThanOrEqual(k + 1);
      expect(worst).toBeGreaterThanOrEqual(k + 1);
    });
    expect(o.rows[0]!.slice(2, 4)).toEqual(['chatgpt-4o-latest', '1315.2']);
    expect(o.svgs).toHaveLength(3);
    for (const s of o.svgs) expect(s.width * s.height).toBeGreaterThan(100 * 100);
    const [w, h] = pngSize(o.png);
    expect(w).toBe(1280);
    expect(h).toBeGreaterThan(900); // full page: a long table and three figures
    writeFileSync(join(dir, 'report.png'), o.png);
  });

  it('hostile model names stay text: no script runs, no dialog, the names show as written', async () => {
    const names = ['<script>alert("x")</script>', '<img src=x onerror=alert(1)>', '__proto__', 'constructor'];
    const rows = names.flatMap((a, i) => names.filter((b) => b !== a).map((b, j) => ({ model_a: a, model_b: b, winner: (i + j) % 3 ? 'model_a' : 'model_b', count: 2 + i + j })));
    const out = join(tempDir(), 'hostile.html');
    expect((await cli(['report', tempFile('h.jsonl', jsonl(rows)), '--out', out])).code).toBe(0);
    const o = await open(browser, out);
    expect(o.errors).toEqual([]);
    expect(o.dialogs).toEqual([]);
    expect(o.requests).toEqual([pathToFileURL(out).href]);
    expect(o.rows.map((r) => r[2]).sort()).toEqual([...names].sort());
  });
});
