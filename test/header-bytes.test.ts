import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hunt } from '../src/hunt/hunt.js';
import { seededRng } from '../src/math/random.js';
import { HEADER_ONLY_TCP } from '../src/store/shared.js';
import { HAVE_SHARED_DATA, SKIP_MESSAGE, sharedPath } from './shared-data.js';

/*
 * Formats whose byte counts include packet headers (Argus frames, NetFlow IP octets) never show 0
 * bytes: a payload-free flow is one whose bytes are no more than its packets' bare headers.
 */

const HOST = '192.168.1.121';
const CHECK = '198.51.100.80'; // a handshake-only reachability check every 71 s
const C2 = '203.0.113.40'; // a check-in with a small payload every 209 s
const START = 1_511_219_272;

/** Argus CSV rows (StartTime…State, frames): the check's 5 bare frames, the C2's 11 frames with ~75 payload bytes. */
function argusCsv(): string {
  const rng = seededRng(7);
  const rows: string[] = [
    'StartTime,SrcAddr,Sport,DstAddr,Dport,Proto,TotPkts,TotBytes,SrcBytes,DstBytes,Dur,State',
  ];
  const row = (ts: number, dst: string, dport: number, pkts: number, src: number, dstBytes: number) =>
    `${ts.toFixed(6)},${HOST},${49000 + rows.length},${dst},${dport},tcp,${pkts},${src + dstBytes},${src},${dstBytes},${(rng.float() * 2).toFixed(6)},FIN`;
  for (let k = 0; k < 14; k++)
    rows.push(row(START + 10 + 71 * k + rng.float() * 0.05, CHECK, 80, 5, 186, 120));
  for (let k = 0; k < 5; k++) {
    const t = START + 14 + 209 * k + rng.float();
    rows.push(row(t, C2, 443, 11, 435, 300), row(t + 0.05, C2, 443, 11, 435, 300));
  }
  // an unanswered connection elsewhere: the file has connection states (context-factors statesKnown)
  rows.push(`${START + 500}.000000,${HOST},50000,192.0.2.9,8080,tcp,2,132,132,0,3.000000,REQ`);
  const [header, ...data] = rows;
  return `${[header, ...data.sort()].join('\n')}\n`;
}

describe('payload-free flows where sizes include headers', () => {
  it('the bounds are the protocol facts: 54 bytes of Ethernet+IPv4+TCP padded to the 60-byte minimum frame; 40 at the IP layer', () => {
    expect(HEADER_ONLY_TCP.frame.perPacket).toBe(Math.max(14 + 20 + 20, 60));
    expect(HEADER_ONLY_TCP.ip.perPacket).toBe(20 + 20);
  });

  it('Argus frames: the handshake-only check is payload-free and demoted; the C2 with a small payload is not', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bh-hdr-'));
    await writeFile(join(dir, 'flows.argus.csv'), argusCsv());
    const r = await hunt({ inputs: [join(dir, 'flows.argus.csv')] });
    const c2 = r.findings.find((f) => f.dst === C2);
    expect(c2?.rank).toBe(1);
    expect(c2?.features.zero_byte_share).toBe(0);
    expect(c2?.context?.noPayload).toBeUndefined();
    const check = r.findings.find((f) => f.dst === CHECK);
    // listed or not, it must not outrank the C2 nor reach high
    if (check) {
      expect(check.features.zero_byte_share).toBe(1);
      expect(check.context?.noPayload).toBeDefined();
      expect(check.components.sizeUniformity ?? 0).toBe(0);
      expect(['low', 'medium']).toContain(check.severity);
    }
  });
});

describe.skipIf(!HAVE_SHARED_DATA)('payload-free flows on a real capture (Ramnit, Argus frames)', () => {
  it("the malware's 71-s google.com handshakes are not a finding at high/critical; both C2 pairs rank in the top 2", async () => {
    const r = await hunt({
      inputs: [sharedPath('calibration', 'mta-2017-11-21-1-rig-ramnit', 'flows.argus.csv')],
    });
    const check = r.findings.find((f) => f.dst === '172.217.0.238');
    expect(check === undefined || (check.severity !== 'high' && check.severity !== 'critical')).toBe(true);
    const ranks = ['194.87.110.230', '217.20.116.142'].map((d) => r.findings.find((f) => f.dst === d)?.rank);
    expect(ranks.sort()).toEqual([1, 2]);
  }, 60_000);
});

describe.skipIf(HAVE_SHARED_DATA)('payload-free flows on a real capture', () => {
  it('is skipped', () => console.warn(SKIP_MESSAGE));
});
