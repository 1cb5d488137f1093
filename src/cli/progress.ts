import cliProgress from 'cli-progress';
import type { CliIO } from './io.js';

/** A progress reporter: `update(done, total)` then `stop()`. */
export interface Progress {
  readonly update: (done: number, total: number) => void;
  readonly stop: () => void;
}

const silent: Progress = { update: () => {}, stop: () => {} };

/**
 * A progress bar on stderr (cli-progress), shown only when stderr is an interactive terminal and `--quiet` was
 * not given; otherwise a no-op, so piped and captured runs stay clean. Data never goes to stderr, so the bar
 * cannot mix with output.
 */
export function progressBar(io: CliIO, label: string, quiet: boolean): Progress {
  if (quiet || !io.stderrIsTTY) return silent;
  let bar: cliProgress.SingleBar | null = null;
  return {
    update(done, total) {
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { stream: process.stderr, format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}`, hideCursor: true, clearOnComplete: true, etaBuffer: 50 },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, 0);
      }
      bar.update(done);
    },
    stop() {
      bar?.stop();
    },
  };
}
