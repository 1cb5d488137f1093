// Runs a node script in this process and, at exit, writes this process's peak resident set size (bytes) and its CPU
// time (user + system, microseconds), both from getrusage via process.resourceUsage, to a file, separated by a
// space. Usage: node bench/rss-wrap.mjs <rss-file> <script> [args…]
// The script sees the usual process.argv ([node, script, args…]).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [rssFile, script, ...args] = process.argv.slice(2);
process.argv = [process.argv[0], resolve(script), ...args];
process.on('exit', () => {
  const u = process.resourceUsage();
  writeFileSync(rssFile, `${u.maxRSS * 1024} ${u.userCPUTime + u.systemCPUTime}`);
});
await import(pathToFileURL(resolve(script)).href);
