import cliProgress from 'cli-progress';
import type { HuntEvent } from '../hunt/hunt.js';
import { terminalSafe } from '../util/terminal-safe.js';

export interface OutputStyle {
  /** Colours on stdout. */
  color: boolean;
  /** Colours on stderr. */
  colorErr: boolean;
}

/** Colours only on a TTY, never with NO_COLOR or --no-color. */
export function outputStyle(argv: readonly string[], env: NodeJS.ProcessEnv): OutputStyle {
  const allowed = !argv.includes('--no-color') && !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb';
  return { color: allowed && process.stdout.isTTY === true, colorErr: allowed && process.stderr.isTTY === true };
}

/** A progress bar over input files on stderr when it is a TTY; warnings always. */
export function progressReporter(style: OutputStyle, quiet: boolean) {
  const tty = process.stderr.isTTY === true && !quiet;
  let bar: cliProgress.SingleBar | undefined;
  return {
    onEvent(event: HuntEvent): void {
      if (event.kind === 'warning') {
        bar?.stop();
        bar = undefined;
        process.stderr.write(`warning: ${terminalSafe(event.message)}\n`);
        return;
      }
      if (event.kind === 'file-skipped') {
        bar?.stop();
        bar = undefined;
        process.stderr.write(`warning: skipped ${terminalSafe(event.path)}: ${terminalSafe(event.reason)}\n`);
        return;
      }
      if (!tty) return;
      if (event.kind === 'file-start') {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            { format: 'reading [{bar}] {value}/{total} files {file}', stream: process.stderr, clearOnComplete: true, hideCursor: true },
            cliProgress.Presets.shades_classic,
          );
          bar.start(event.total, event.index, { file: '' });
        }
        bar.update(event.index, { file: terminalSafe(event.path).slice(-50) });
      } else if (event.kind === 'stage') {
        bar?.stop();
        bar = undefined;
        process.stderr.write(`${style.colorErr ? '\x1b[2m' : ''}${event.name}…${style.colorErr ? '\x1b[0m' : ''}\r`);
      }
    },
    stop(): void {
      bar?.stop();
      bar = undefined;
      if (tty) process.stderr.write('\x1b[2K\r');
    },
  };
}
