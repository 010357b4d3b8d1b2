import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { registerGenerate } from '../cli/generate-command.js';
import { InputError } from '../util/errors.js';

function program(): { cli: Command; out: string[] } {
  const out: string[] = [];
  const cli = new Command('beaconhunt').exitOverride();
  cli.configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => out.push(s) });
  registerGenerate(cli);
  return { cli, out };
}

describe('beaconhunt generate', () => {
  it('writes flows and the truth file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'beaconhunt-cli-'));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const { cli } = program();
      const out = join(dir, 'flows.csv');
      const truth = join(dir, 'truth.json');
      await cli.parseAsync(
        [
          'generate',
          '--flows',
          '25_000',
          '--hosts',
          '20',
          '--hours',
          '6',
          '--format',
          'splunk-csv',
          '--out',
          out,
          '--truth',
          truth,
          '--seed',
          '3',
        ],
        { from: 'user' },
      );
      const text = await readFile(out, 'utf8');
      expect(text.split('\n')[0]).toMatch(/^_time,sourcetype,src_ip/);
      expect(text.trimEnd().split('\n').length).toBe(25_001);
      const t = JSON.parse(await readFile(truth, 'utf8'));
      expect(t.options).toMatchObject({ seed: 3, flows: 25_000, hosts: 20, hours: 6 });
      expect(String(stderr.mock.calls.at(-1)?.[0])).toMatch(/wrote 25,000 flows/);
    } finally {
      stderr.mockRestore();
    }
  });

  it('shows examples in --help', async () => {
    const { cli, out } = program();
    await expect(cli.parseAsync(['generate', '--help'], { from: 'user' })).rejects.toBeInstanceOf(
      CommanderError,
    );
    expect(out.join('')).toMatch(/Examples:[\s\S]*--flows 10000000/);
  });

  it('treats bad option values as usage errors', async () => {
    await expect(
      program().cli.parseAsync(['generate', '--out', 'x', '--format', 'pcap'], { from: 'user' }),
    ).rejects.toBeInstanceOf(CommanderError);
    await expect(
      program().cli.parseAsync(['generate', '--out', 'x', '--flows', 'many'], { from: 'user' }),
    ).rejects.toBeInstanceOf(CommanderError);
    await expect(
      program().cli.parseAsync(['generate', '--out', 'x', '--start', 'soon'], { from: 'user' }),
    ).rejects.toBeInstanceOf(InputError);
  });
});
