import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { VERSION } from '../../src/cli/program.js';
import { cli } from '../helpers.js';

it('--version prints the package.json version', async () => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  expect(VERSION).toBe(pkg.version);
  const r = await cli(['--version']);
  expect(r.code).toBe(0);
  expect(r.stdout.trim()).toBe(pkg.version);
});
