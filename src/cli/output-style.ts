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
  const allowed =
    !argv.includes('--no-color') && !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb';
  return {
    color: allowed && process.stdout.isTTY === true,
    colorErr: allowed && process.stderr.isTTY === true,
  };
}

/**
 * Progress bars on stderr when it is a TTY: one over the input files (with the engine's progress
 * inside the current file), one per analysis stage; warnings always.
 */
export function progressReporter(style: OutputStyle, quiet: boolean) {
  const tty = process.stderr.isTTY === true && !quiet;
  let bar: cliProgress.SingleBar | undefined;
  let fileIndex = 0;
  let stage: cliProgress.SingleBar | undefined;
  const stopStage = () => {
    stage?.stop();
    stage = undefined;
  };
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
      if (event.kind === 'progress') {
        if (bar) bar.update(fileIndex + event.fraction);
        else stage?.update(Math.round(event.fraction * 100));
        return;
      }
      if (event.kind === 'file-start') {
        fileIndex = event.index;
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              format: 'reading   [{bar}] {percentage}% · file {fileNo}/{total} {file}',
              stream: process.stderr,
              clearOnComplete: true,
              hideCursor: true,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(event.total, event.index, { file: '', fileNo: 1 });
        }
        bar.update(event.index, { file: terminalSafe(event.path).slice(-50), fileNo: event.index + 1 });
      } else if (event.kind === 'stage') {
        bar?.stop();
        bar = undefined;
        stopStage();
        stage = new cliProgress.SingleBar(
          {
            format: `${event.name.padEnd(9)} [{bar}] {percentage}%`,
            stream: process.stderr,
            clearOnComplete: true,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        );
        stage.start(100, 0);
      }
    },
    stop(): void {
      bar?.stop();
      bar = undefined;
      stopStage();
      if (tty) process.stderr.write('\x1b[2K\r');
    },
  };
}
