/**
 * Crash injection for the recovery tests: with BEACONHUNT_FAILPOINT=<name> the process kills itself
 * (SIGKILL, no cleanup) when it reaches that point, the moments a kill -9 hurts most:
 * - `in-batch`: flows stored and offsets advanced, transaction not committed;
 * - `committed-alerts`: a batch with alerts committed, the alerts not written out yet;
 * - `written-alerts`: alerts written to the output, not yet marked as written.
 */
export function failpoint(name: string): void {
  if (process.env.BEACONHUNT_FAILPOINT === name) process.kill(process.pid, 'SIGKILL');
}
