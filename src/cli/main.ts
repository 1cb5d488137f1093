#!/usr/bin/env node
import { runCli } from './run.js';

const code = await runCli(process.argv.slice(2), {
  stdout: (t) => void process.stdout.write(t),
  stdoutStream: process.stdout,
  stderr: (t) => void process.stderr.write(t),
  stdin: process.stdin,
  stderrIsTTY: Boolean(process.stderr.isTTY),
  stdoutIsTTY: Boolean(process.stdout.isTTY),
  env: process.env,
});
process.exitCode = code;
