#!/usr/bin/env node
import { runCli } from './run.js';

// A closed pipe (`arena … | head`) is a normal, quiet end; any other failure to write is one line and exit 1.
for (const [stream, name] of [[process.stdout, '<stdout>'], [process.stderr, '<stderr>']] as const) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    if (stream !== process.stderr) process.stderr.write(`arena: ${name}: cannot write (${e.code ?? e.message})\n`);
    process.exit(1);
  });
}

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
