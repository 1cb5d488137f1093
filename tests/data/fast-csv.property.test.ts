import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FastCsvReader } from '../../src/data/fast-csv.js';
import { readBattles } from '../../src/data/load.js';
import { type BattleTable, BattleTableBuilder } from '../../src/data/table.js';
import { InputError } from '../../src/errors.js';
import { plainTable, tempFile } from '../helpers.js';

// Differential tests: the fast CSV reader against the reference path (csv-parse + zod) on random CSV text, valid
// and not: the same table or the same error message. The fast reader must also really take the simple files.

// as plainTable, without the row count (the expected tables below are written without it)
const plain = (t: BattleTable) => {
  const { rows, ...rest } = plainTable(t);
  return rest;
};
type Result = { table: ReturnType<typeof plain> } | { error: string };

async function read(path: string, engine: 'fast' | 'reference'): Promise<Result> {
  try {
    return { table: plain(await readBattles([path], { engine })) };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { error: e.message };
  }
}

/** The fast reader alone: null when it gives up (the file goes to csv-parse). */
function fastOnly(data: Buffer, path: string): Result | null {
  const builder = new BattleTableBuilder();
  const reader = new FastCsvReader(builder, path);
  try {
    for (let at = 0; at < data.length; at += 7) if (!reader.push(data.subarray(at, at + 7))) return null;
    if (!reader.end()) return null;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { error: e.message };
  }
  if (builder.rows === 0) return { error: `${path}: no battles (empty input)` };
  return { table: plain(builder.finish()) };
}

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
const cellText = (bad: number) =>
  fc.oneof(
    { weight: 30, arbitrary: fc.constantFrom('gpt-4o', 'claude 3', ' spaced ', 'é', '中文', '😀', '__proto__', 'a.b', 'tie', 'model_a') },
    { weight: 5, arbitrary: fc.string({ maxLength: 5 }).filter((s) => !/[",\r\n]/.test(s)) },
    { weight: bad, arbitrary: fc.constantFrom('', 'a"b', 'x,y', 'line\nbreak', 'cr\rhere').map(quote) },
    { weight: bad, arbitrary: fc.constantFrom('', 'a"b', 'bare\rcr') },
  );
const winnerCell = (bad: number) =>
  fc.oneof({ weight: 30, arbitrary: fc.constantFrom('model_a', 'model_b', 'tie', 'tie (bothbad)', 'both_bad') }, { weight: bad, arbitrary: fc.constantFrom('draw', '', ' tie', 'Tie', quote('tie'), quote('model_a')) });
const countCell = (bad: number) =>
  fc.oneof({ weight: 20, arbitrary: fc.constantFrom('', '1', '2', '17', '007', '4294967295') }, { weight: bad, arbitrary: fc.constantFrom('0', '-1', '1.5', '1.0', '1e0', ' 3', '3 ', 'x', '4294967296', '99999999999999999', quote('2')) });
const tstampCell = (bad: number) =>
  fc.oneof(
    { weight: 20, arbitrary: fc.oneof(fc.constant(''), fc.integer({ min: 1_600_000_000, max: 1_800_000_000 }).map(String), fc.double({ noNaN: true, noDefaultInfinity: true }).map(String)) },
    { weight: bad, arbitrary: fc.constantFrom('-0', '+5', '.5', '5.', '1e5', '1E+5', ' 7', '7 ', 'NaN', 'Infinity', '1e400', 'abc', '0x10', '--1', '1e', '123456789012345678901234') },
  );

const COLUMNS = ['model_a', 'model_b', 'winner', 'count', 'tstamp', 'anony', 'language'];
/** A CSV file: header (some column order and set, rarely odd), rows, line ends, BOM, blank lines. */
const csvFile = fc.integer({ min: 0, max: 6 }).chain((bad) =>
  fc
    .record({
      columns: fc.shuffledSubarray(COLUMNS, { minLength: 3 }).map((cs) => (cs.includes('model_a') && cs.includes('model_b') && cs.includes('winner') ? cs : ['model_a', 'model_b', 'winner', ...cs.filter((c) => !['model_a', 'model_b', 'winner'].includes(c))])),
      oddHeader: fc.oneof({ weight: 20, arbitrary: fc.constant(null) }, { weight: bad, arbitrary: fc.constantFrom('dup', 'proto', 'quoted', 'missing', 'blank-first', 'space') }),
      rows: fc.array(fc.record({ a: cellText(bad), b: cellText(bad), w: winnerCell(bad), c: countCell(bad), t: tstampCell(bad), x: cellText(bad), ragged: fc.oneof({ weight: 30, arbitrary: fc.constant(0) }, { weight: bad, arbitrary: fc.constantFrom(-1, 1) }) }), { minLength: 0, maxLength: 10 }),
      eol: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('\n', '\r\n') }, { weight: bad, arbitrary: fc.constant('mixed') }),
      bom: fc.boolean(),
      blank: fc.array(fc.nat({ max: 12 }), { maxLength: bad ? 2 : 0 }),
      finalEol: fc.boolean(),
    })
    .map(({ columns, oddHeader, rows, eol, bom, blank, finalEol }) => {
      let header = [...columns];
      if (oddHeader === 'dup') header = [...header, header[0]!];
      if (oddHeader === 'proto') header = [...header, '__proto__'];
      if (oddHeader === 'missing') header = header.filter((c) => c !== 'winner');
      if (oddHeader === 'space') header = header.map((c) => (c === 'model_b' ? 'model_b ' : c));
      const lines = [oddHeader === 'quoted' ? header.map(quote).join(',') : header.join(',')];
      for (const r of rows) {
        const value: Record<string, string> = { model_a: r.a, model_b: r.b, winner: r.w, count: r.c, tstamp: r.t, anony: r.x, language: 'English' };
        let cells = header.map((c) => value[c.trim()] ?? 'v');
        if (r.ragged < 0) cells = cells.slice(1);
        if (r.ragged > 0) cells = [...cells, 'extra'];
        lines.push(cells.join(','));
      }
      for (const k of blank) lines.splice(Math.min(k, lines.length), 0, '');
      if (oddHeader === 'blank-first') lines.unshift('');
      const ends = lines.map((_, k) => (eol === 'mixed' ? (k % 2 ? '\r\n' : '\n') : eol));
      let text = lines.map((l, k) => l + (k < lines.length - 1 || finalEol ? ends[k] : '')).join('');
      if (bom) text = `\ufeff${text}`;
      const simple = oddHeader === null && eol !== 'mixed' && !blank.includes(0) && rows.every((r) => r.ragged === 0) && !/["\r]/.test(lines.join(''));
      return { data: Buffer.from(text, 'utf8'), simple };
    }),
);

describe('fast CSV reader = reference reader (differential)', () => {
  it('random files: same table or same error; simple files never leave the fast path', async () => {
    let total = 0;
    let fastDone = 0;
    await fc.assert(
      fc.asyncProperty(csvFile, async ({ data, simple }) => {
        const path = tempFile('b.csv', data);
        const ref = await read(path, 'reference');
        expect(await read(path, 'fast')).toEqual(ref);
        const alone = fastOnly(data, path);
        total++;
        if (alone) {
          fastDone++;
          expect(alone).toEqual(ref);
        }
        // no quote, no stray CR, consistent line ends, a plain header first: the fast reader must finish it
        if (simple) expect(alone).not.toBeNull();
      }),
      { numRuns: 400 },
    );
    expect(fastDone).toBeGreaterThan(total / 4); // about a third of random files are fast-path ones (132–150 of 400 seen): a floor, not a target
  });
  it('one bad cell or line end in an otherwise simple file: same table or same error', async () => {
    const BAD: Record<string, string[]> = {
      model_a: ['', 'same', '"q"', ' x', 'x ', 'a\rb'],
      model_b: ['', 'same', '"q"'],
      winner: ['draw', '', ' tie', 'tie ', 'Tie', 'model_c', 'tie (bothbad', 'both_bad ', '"tie"'],
      count: ['0', '00', '-1', '1.5', '1.0', '1e0', ' 3', '3 ', 'x', '4294967296', '99999999999999999', '+2', '"2"'],
      tstamp: ['-0', '+5', '.5', '5.', '1e5', ' 7', '7 ', 'NaN', 'Infinity', '1e400', '-1e400', 'abc', '0x10', '--1', '1e', '1.7e9', '123456789012345678901234'],
    };
    const file = fc.record({
      eol: fc.constantFrom('\n', '\r\n'),
      n: fc.integer({ min: 1, max: 6 }),
      row: fc.nat(),
      column: fc.constantFrom(...Object.keys(BAD)),
      pick: fc.nat(),
      lineEnd: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom('\n', '\r\n', '\r') }),
      finalEol: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(file, async ({ eol, n, row, column, pick, lineEnd, finalEol }) => {
        const rows = Array.from({ length: n }, (_, k) => ({ model_a: `m${k}`, model_b: `m${k + 1}`, winner: 'tie', count: String(1 + k), tstamp: String(1.7e9 + k) }));
        const bad = BAD[column]!;
        const r = rows[row % n]!;
        (r as Record<string, string>)[column] = bad[pick % bad.length]!;
        if (r.model_a === 'same') r.model_a = r.model_b;
        if (r.model_b === 'same') r.model_b = r.model_a;
        const lines = ['tstamp,model_a,count,winner,model_b', ...rows.map((x) => [x.tstamp, x.model_a, x.count, x.winner, x.model_b].join(','))];
        const ends = lines.map((_, k) => (lineEnd !== null && k === 1 + (row % n) ? lineEnd : eol));
        const text = lines.map((l, k) => l + (k < lines.length - 1 || finalEol ? ends[k] : '')).join('');
        const path = tempFile('b.csv', text);
        const ref = await read(path, 'reference');
        expect(await read(path, 'fast')).toEqual(ref);
        const alone = fastOnly(Buffer.from(text), path);
        if (alone) expect(alone).toEqual(ref);
      }),
      { numRuns: 300 },
    );
  });
  it('a 10-column file with CRLF, a BOM and blank lines is read by the fast reader alone', () => {
    const text = '\ufeffid,winner,model_b,x,model_a,tstamp,count,y,z,w\r\n1,tie,b,,a,1.5e9,,q,r,s\r\n\r\n2,model_a,c,,a,,3,q,r,s\r\n';
    const builder = new BattleTableBuilder();
    const reader = new FastCsvReader(builder, 'f.csv');
    expect(reader.push(Buffer.from(text))).toBe(true);
    expect(reader.end()).toBe(true);
    const t = builder.finish();
    expect(plain(t)).toEqual({ models: ['a', 'b', 'c'], a: [0, 0], b: [1, 2], outcome: [2, 0], count: [1, 3], tstamp: ['1500000000', 'NaN'], battles: 4 });
  });
  it('gives files with a reference column to csv-parse', () => {
    const reader = new FastCsvReader(new BattleTableBuilder(), 'f.csv', undefined, { referenceKeys: ['sum_assistant_a_tokens'] });
    expect(reader.push(Buffer.from('model_a,model_b,winner,sum_assistant_a_tokens\nx,y,tie,5\n'))).toBe(false);
    const plainReader = new FastCsvReader(new BattleTableBuilder(), 'f.csv', undefined, { referenceKeys: ['sum_assistant_a_tokens'] });
    expect(plainReader.push(Buffer.from('model_a,model_b,winner,other\nx,y,tie,5\n'))).toBe(true);
  });
  it('gives quoted files to csv-parse', () => {
    const reader = new FastCsvReader(new BattleTableBuilder(), 'f.csv');
    expect(reader.push(Buffer.from('model_a,model_b,winner\nx,y,tie\n"a,b",y,tie\n'))).toBe(false);
  });
});
