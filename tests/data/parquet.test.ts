import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { type ColumnSource, parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { readBattles } from '../../src/data/load.js';
import type { BattleTable } from '../../src/data/table.js';
import { modelName } from '../arbitraries.js';
import { bin, jsonl, tempDir, tempFile, readError } from '../helpers.js';

// Parquet files are written here with hyparquet-writer (a devDependency), so every case states its own data.

const plain = (t: BattleTable) => ({
  models: [...t.models],
  rows: Array.from({ length: t.rows }, (_, i) => [t.models[t.a[i]!], t.models[t.b[i]!], t.outcome[i], t.count[i], t.tstamp ? t.tstamp[i] : null]),
  battles: t.battles,
});

type Options = { rowGroupSize?: number; codec?: 'SNAPPY' | 'GZIP' | 'BROTLI' | 'UNCOMPRESSED' };
function parquet(columns: ColumnSource[], opts: Options = {}): Buffer {
  const buf = parquetWriteBuffer({
    columnData: columns,
    ...(opts.rowGroupSize ? { rowGroupSize: opts.rowGroupSize } : {}),
    ...(opts.codec ? { codec: opts.codec } : {}),
    compressors: { GZIP: (x: Uint8Array) => gzipSync(x), BROTLI: (x: Uint8Array) => brotliCompressSync(x) },
  });
  return Buffer.from(buf);
}
const parquetFile = (columns: ColumnSource[], opts: Options = {}) => tempFile('b.parquet', parquet(columns, opts));

const rows = [
  { model_a: 'x', model_b: 'y', winner: 'model_a', count: 1, tstamp: 1712000000.5 },
  { model_a: 'y', model_b: 'z', winner: 'tie', count: 3, tstamp: 1712000001 },
  { model_a: '__proto__', model_b: 'x', winner: 'both_bad', count: 1, tstamp: 1712000002 },
  { model_a: 'constructor', model_b: 'y', winner: 'model_b', count: 2, tstamp: 1712000003 },
  { model_a: 'z', model_b: 'x', winner: 'tie (bothbad)', count: 1, tstamp: 1712000004 },
];
const col = <K extends keyof (typeof rows)[0]>(name: K, type: ColumnSource['type']) => ({ name, data: rows.map((r) => r[name]), type }) as ColumnSource;

describe('Parquet input', () => {
  it('reads model_a, model_b, winner, count, tstamp into the same table as JSONL', async () => {
    const f = parquetFile([col('model_a', 'STRING'), col('model_b', 'STRING'), col('winner', 'STRING'), col('count', 'INT32'), col('tstamp', 'DOUBLE')]);
    const t = await readBattles([f]);
    const j = await readBattles([tempFile('b.jsonl', jsonl(rows))]);
    expect(plain(t)).toEqual(plain(j));
    expect(t.models).toEqual(['__proto__', 'constructor', 'x', 'y', 'z']);
    expect([...t.outcome]).toEqual([0, 2, 3, 1, 3]);
    expect(t.battles).toBe(8);
  });
  it('only the three required columns; other columns (large, nested) are not needed', async () => {
    const f = parquetFile([
      { name: 'conversation_a', data: rows.map((r) => JSON.stringify([{ role: 'user', content: 'hi '.repeat(50) + r.model_a }])), type: 'JSON' },
      col('winner', 'STRING'),
      col('model_b', 'STRING'),
      { name: 'language', data: rows.map(() => 'English'), type: 'STRING' },
      col('model_a', 'STRING'),
    ]);
    const t = await readBattles([f]);
    expect(t.tstamp).toBeNull();
    expect([...t.count]).toEqual([1, 1, 1, 1, 1]);
    expect(t.rows).toBe(5);
  });
  it('int64 counts and timestamps, --input-format, several row groups, every codec', async () => {
    const big = Array.from({ length: 2500 }, (_, i) => rows[i % rows.length]!);
    const columns: ColumnSource[] = [
      { name: 'model_a', data: big.map((r) => r.model_a), type: 'STRING' },
      { name: 'model_b', data: big.map((r) => r.model_b), type: 'STRING' },
      { name: 'winner', data: big.map((r) => r.winner), type: 'STRING' },
      { name: 'count', data: big.map((r) => BigInt(r.count)), type: 'INT64' },
      { name: 'tstamp', data: big.map((_, i) => new Date(Date.UTC(2024, 0, 1) + i * 1000)), type: 'TIMESTAMP' },
    ];
    for (const codec of ['SNAPPY', 'GZIP', 'BROTLI', 'UNCOMPRESSED'] as const) {
      const t = await readBattles([tempFile('battles.bin', parquet(columns, { rowGroupSize: 700, codec }))], { inputFormat: 'parquet' });
      expect(t.rows).toBe(2500);
      expect(t.battles).toBe(2500 * (8 / 5));
      expect(t.models[t.a[2499]!]).toBe('z');
      expect(t.tstamp![0]).toBe(Date.UTC(2024, 0, 1) / 1000);
      expect(t.tstamp![2499]).toBe(Date.UTC(2024, 0, 1) / 1000 + 2499);
    }
  });
  it('reads Parquet from stdin', async () => {
    const bytes = parquet([col('model_a', 'STRING'), col('model_b', 'STRING'), col('winner', 'STRING')]);
    const t = await readBattles(['-'], { inputFormat: 'parquet', stdin: Readable.from([bytes.subarray(0, 100), bytes.subarray(100)]) });
    expect(t.rows).toBe(5);
  });
  it('any model names round-trip (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(modelName, { minLength: 2, maxLength: 5 }), async (names) => {
        const rs = names.slice(1).map((n) => ({ model_a: names[0]!, model_b: n, winner: 'model_b' }));
        const f = parquetFile(['model_a', 'model_b', 'winner'].map((k) => ({ name: k, data: rs.map((r) => r[k as keyof typeof r]), type: 'STRING' })));
        expect(plain(await readBattles([f]))).toEqual(plain(await readBattles([tempFile('n.jsonl', jsonl(rs))])));
      }),
      { numRuns: 20 },
    );
  });
});

describe('Parquet input: bad data names file, row and field', () => {
  const base = () => rows.map((r) => ({ ...r }) as Record<string, unknown>);
  const file = (rs: Record<string, unknown>[], opts: Options = {}, types: Record<string, ColumnSource['type']> = {}) =>
    parquetFile(
      Object.keys(rs[0]!).map((k) => ({ name: k, data: rs.map((r) => r[k]), type: types[k] ?? (k === 'count' ? 'INT32' : k === 'tstamp' ? 'DOUBLE' : 'STRING'), nullable: true })),
      opts,
    );
  const cases: [string, () => string, RegExp][] = [
    ['unknown label on row 4', () => file(base().map((r, i) => (i === 3 ? { ...r, winner: 'draw' } : r))), /b\.parquet:4: winner: unknown label "draw" \(expected one of "model_a", "model_b", "tie", "tie \(bothbad\)", "both_bad"\)$/],
    ['self battle on row 2000 of several row groups', () => file(Array.from({ length: 2500 }, (_, i) => (i === 1999 ? { model_a: 'q', model_b: 'q', winner: 'tie' } : { model_a: 'q', model_b: 'r', winner: 'tie' })), { rowGroupSize: 300 }), /b\.parquet:2000: model_b: model_b equals model_a/],
    ['null model', () => file(base().map((r, i) => (i === 1 ? { ...r, model_a: null } : r))), /b\.parquet:2: model_a: must be a string$/],
    ['empty model', () => file(base().map((r, i) => (i === 4 ? { ...r, model_b: '' } : r))), /b\.parquet:5: model_b: must be a non-empty string$/],
    ['zero count', () => file(base().map((r, i) => (i === 2 ? { ...r, count: 0 } : r))), /b\.parquet:3: count: must be an integer ≥ 1$/],
    ['fractional count', () => file(base().map((r, i) => (i === 0 ? { ...r, count: 1.5 } : r)), {}, { count: 'DOUBLE' }), /b\.parquet:1: count: must be an integer$/],
    ['infinite tstamp', () => file(base().map((r, i) => (i === 0 ? { ...r, tstamp: Infinity } : r))), /b\.parquet:1: tstamp: .*Infinity$/],
    ['missing column', () => parquetFile([col('model_a', 'STRING'), col('winner', 'STRING')]), /b\.parquet:1: model_b: missing \(the file has no model_b column; its columns: model_a, winner\)$/],
    ['not Parquet', () => tempFile('b.parquet', jsonl(rows)), /b\.parquet: \(parquet\): not a readable Parquet file \(/],
    ['truncated Parquet', () => tempFile('b.parquet', parquet([col('model_a', 'STRING'), col('model_b', 'STRING'), col('winner', 'STRING')]).subarray(0, 60)), /b\.parquet: \(parquet\): not a readable Parquet file/],
    ['empty file', () => tempFile('b.parquet', ''), /b\.parquet: \(parquet\): not a readable Parquet file/],
  ];
  for (const [what, make, re] of cases) {
    it(what, async () => {
      const msg = await readError([make()]);
      expect(msg).toMatch(re);
      expect(msg).not.toMatch(/\n/);
    });
  }
  it('a file with no rows has no battles', async () => {
    expect(await readError([parquetFile([{ name: 'model_a', data: [], type: 'STRING' }, { name: 'model_b', data: [], type: 'STRING' }, { name: 'winner', data: [], type: 'STRING' }])])).toMatch(/b\.parquet: no battles/);
  });
  it('the CLI reads .parquet and reports bad rows with exit 1', () => {
    const good = parquetFile([col('model_a', 'STRING'), col('model_b', 'STRING'), col('winner', 'STRING')]);
    const r = bin(['rate', good, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).battles).toBe(5);
    const bad = tempFile('bad.parquet', readFileSync(good).subarray(0, 50));
    const e = bin(['rate', bad]);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/^arena: .*bad\.parquet: \(parquet\): not a readable Parquet file/);
  });
});

describe('a corrupt Parquet file ends, never hangs (issue 17 item 10)', () => {
  // A valid 702-byte file (hyparquet-writer 0.17.0, pinned) with one byte changed: byte 13 (0x15 → 0x11) makes a
  // page header's sizes point the decoder at a zero-length run in a run-length/bit-packed block, where hyparquet
  // (1.31.5 … 1.33.0) loops forever. Found by bench/fuzz-readers.mjs.
  const hangRows = [
    { model_a: 'x', model_b: 'y', winner: 'model_a', count: 1, tstamp: 1712000000.5 },
    { model_a: 'y', model_b: 'z', winner: 'tie', count: 3, tstamp: 1712000001 },
    { model_a: 'w', model_b: 'x', winner: 'both_bad', count: 1, tstamp: 1712000002 },
    { model_a: 'z', model_b: 'y', winner: 'model_b', count: 2, tstamp: 1712000003 },
    { model_a: 'z', model_b: 'x', winner: 'tie (bothbad)', count: 1, tstamp: 1712000004 },
  ];
  const types = { model_a: 'STRING', model_b: 'STRING', winner: 'STRING', count: 'INT32', tstamp: 'DOUBLE' } as const;
  const hanging = () => {
    const buf = parquetWriteBuffer({ columnData: Object.entries(types).map(([name, type]) => ({ name, type, data: hangRows.map((r) => r[name as keyof (typeof hangRows)[0]]) })) });
    const b = Buffer.from(buf);
    expect(b.length).toBe(702);
    expect(b[13]).toBe(0x15);
    b[13] = 0x11;
    return tempFile('hang.parquet', b);
  };

  it('the mutated file really makes hyparquet loop on the main thread (the in-thread reader is still running after 3 s)', () => {
    const f = hanging();
    const code = `import { asyncBufferFromFile } from 'hyparquet'; import { BattleTableBuilder, readParquetInto } from './dist/advanced.js';
      await readParquetInto(new BattleTableBuilder(), await asyncBufferFromFile(${JSON.stringify(f)}), 'f'); console.log('ended');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 3000, killSignal: 'SIGKILL' });
    expect(r.signal).toBe('SIGKILL');
    expect(r.stdout).toBe('');
  });

  it('readBattles stops the decoder after its deadline with one line naming the file', async () => {
    const f = hanging();
    const t0 = performance.now();
    const msg = await readError([f], { parquet: { deadlineMs: 300 } });
    expect(msg).toBe(`${f}: (parquet): not a readable Parquet file (decoding stopped making progress: no answer in 0.3 s)`);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });

  it('the CLI exits 1 with one line within seconds (the default 5 s deadline)', () => {
    const f = hanging();
    const r = spawnSync(process.execPath, ['dist/cli/main.js', 'rate', f], { encoding: 'utf8', timeout: 30_000 });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`arena: ${f}: (parquet): not a readable Parquet file (decoding stopped making progress: no answer in 5.0 s)\n`);
  });

  it('a Parquet input that is not a regular file (a FIFO) is refused before reading, with one line', () => {
    const fifo = join(tempDir(), 'p.parquet');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = bin(['rate', fifo]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`arena: ${fifo}: a Parquet input must be a regular file (its index is at its end, so it is read in slices; a pipe or device cannot be): save it to a file, or give it on stdin as -\n`);
  });

  it('a decoder that needs more heap than allowed is an error, not a crash', async () => {
    // a valid file under a 1 MiB heap limit: the decoder thread runs out of memory; the process goes on
    const msg = await readError([parquetFile([col('model_a', 'STRING'), col('model_b', 'STRING'), col('winner', 'STRING')])], { parquet: { maxHeapMb: 1 } });
    expect(msg).toMatch(/^.*b\.parquet: \(parquet\): not a readable Parquet file \(decoding needs more than 1 MiB\)$/);
  });

  it('the worker reader gives the same table as the in-thread reader, over several row groups and slices', async () => {
    // 150,000 rows in row groups of 70,000: three ranges, each sent in slices of 65,536 rows
    const n = 150_000;
    const names = ['a', 'b', 'c', 'd', '__proto__'];
    const labels = ['model_a', 'model_b', 'tie', 'tie (bothbad)'];
    const A = Array.from({ length: n }, (_, i) => names[i % 5]!);
    const B = Array.from({ length: n }, (_, i) => names[(i + 1 + (Math.floor(i / 7) % 3)) % 5]!); // never model_a's name
    const W = Array.from({ length: n }, (_, i) => labels[(i * 13) % 4]!);
    const C = Int32Array.from({ length: n }, (_, i) => 1 + (i % 3));
    const f = tempFile('big.parquet', Buffer.from(parquetWriteBuffer({ rowGroupSize: 70_000, columnData: [{ name: 'model_a', data: A, type: 'STRING' }, { name: 'model_b', data: B, type: 'STRING' }, { name: 'winner', data: W, type: 'STRING' }, { name: 'count', data: C, type: 'INT32' }] })));
    const viaWorker = await readBattles([f]);
    const { BattleTableBuilder } = await import('../../src/data/table.js');
    const { readParquetInto } = await import('../../src/data/parquet.js');
    const { asyncBufferFromFile } = await import('hyparquet');
    const builder = new BattleTableBuilder();
    await readParquetInto(builder, await asyncBufferFromFile(f), f);
    const inThread = builder.finish();
    expect(viaWorker.rows).toBe(n);
    expect(plain(viaWorker)).toEqual(plain(inThread));
    // and the known totals: counts 1, 2, 3 in turn
    expect(viaWorker.battles).toBe(2 * n);
  });
});
