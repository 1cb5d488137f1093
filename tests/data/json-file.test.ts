import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonFile } from '../../src/data/ratings.js';
import { tempDir, tempFile } from '../helpers.js';

const errorOf = (file: string) => {
  try {
    readJsonFile(file);
  } catch (e) {
    return (e as Error).message;
  }
  return null;
};

describe('readJsonFile (ratings, scenarios, boards)', () => {
  it('places a syntax error by line and column (hand-counted) and never quotes the content', () => {
    const cases: [string, string][] = [
      ['{\n  "models": [\n    {"name": "a", "rating": 10},\n    {"name": "b" "rating": 2}\n  ]\n}', 'at line 4, column 18'],
      ['{"a": 1}}', 'at line 1, column 9'],
      ['root:x:0:0:secret', 'at line 1, column 1'],
      ['{"a":', 'at the end of the file'],
      ['[1, 2,\n 3,, 4]', 'at line 2, column 4'],
    ];
    for (const [text, where] of cases) {
      const f = tempFile('x.json', text);
      const msg = errorOf(f)!;
      expect(msg).toBe(`${f}: (json): not valid JSON ${where}`);
      expect(msg).not.toContain('secret');
    }
  });

  it('refuses a FIFO or a device before reading (a JSON input is read whole)', () => {
    const fifo = join(tempDir(), 'p');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    for (const f of [fifo, '/dev/zero']) expect(errorOf(f)).toBe(`${f}: is not a regular file (a JSON input is read whole: save it to a file first)`);
  });
});

describe('count: null', () => {
  it('is an error naming the line and field (it is not a count of 1), in the fast and the reference reader', async () => {
    const { readBattles } = await import('../../src/data/load.js');
    const f = tempFile('c.jsonl', '{"model_a":"a","model_b":"b","winner":"model_b"}\n{"model_a":"a","model_b":"b","winner":"model_a","count":null}\n');
    for (const engine of ['fast', 'reference'] as const) {
      await expect(readBattles([f], { engine })).rejects.toThrow(`${f}:2: count: must be an integer ≥ 1 (null is not a count: leave the field out for one battle)`);
    }
  });
});

describe('CSV header problems are reported at line 1', () => {
  it('a repeated column, and a missing required one naming the columns found', async () => {
    const { readBattles } = await import('../../src/data/load.js');
    const dup = tempFile('d.csv', 'model_a,model_b,winner,winner\na,b,model_a,model_b\n');
    await expect(readBattles([dup])).rejects.toThrow(`${dup}:1: winner: the column "winner" appears twice in the header`);
    const miss = tempFile('m.csv', 'model_a,model_x,winner\na,b,model_a\n');
    await expect(readBattles([miss])).rejects.toThrow(`${miss}:1: model_b: the header has no model_b column (columns found: "model_a", "model_x", "winner")`);
  });
});

describe('invalid UTF-8 in battle rows', () => {
  it('is an error with the line, not two names merged into one U+FFFD name (fast and reference readers, JSONL and JSON)', async () => {
    const { readBattles } = await import('../../src/data/load.js');
    const { writeFileSync } = await import('node:fs');
    const dir = tempDir();
    const lines = [Buffer.from('{"model_a":"b","model_b":"c","winner":"model_a"}\n'), Buffer.concat([Buffer.from('{"model_a":"a'), Buffer.from([0xff]), Buffer.from('","model_b":"b","winner":"model_a"}\n')])];
    const jsonl = join(dir, 'u.jsonl');
    writeFileSync(jsonl, Buffer.concat(lines));
    for (const engine of ['fast', 'reference'] as const) {
      await expect(readBattles([jsonl], { engine })).rejects.toThrow(`${jsonl}:2: model_a: not valid UTF-8: invalid bytes in a model name`);
    }
    // valid multi-byte names still read, on the fast path too
    const ok = join(dir, 'ok.jsonl');
    writeFileSync(ok, '{"model_a":"é","model_b":"e\\u0301","winner":"model_a"}\n{"model_a":"日本","model_b":"é","winner":"tie"}\n');
    expect((await readBattles([ok], { engine: 'fast' })).models).toEqual(['e\u0301', 'é', '日本']);
  });
});
