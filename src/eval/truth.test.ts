import { describe, expect, it } from 'vitest';
import { InputError } from '../util/errors.js';
import { rowMatcher } from './match.js';
import { isMaliciousRole, parseTruth, parseTruthCsv, selectCase, truthCases } from './truth.js';

const ALL = `case,src,dst,dport,proto,role,primary,notes
a,192.168.22.94,52.50.59.31,80,tcp,c2_beacon,yes,"POST, to a bare IP"
a,192.168.22.94,8.8.8.8,53,udp,benign_periodic,no,
b,10.0.0.111,safebrowsing.googleapis.com,443,tcp,rita_expected,no,
b,172.16.4.193,90.2.1.0/27,6892,udp,c2_other,no,spray
`;

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('truth CSV', () => {
  it('reads truth-all.csv rows with their case, role and place', () => {
    const rows = parseTruthCsv(ALL, 'truth-all.csv');
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({
      case: 'a',
      dst: '52.50.59.31',
      dport: 80,
      primary: true,
      malicious: true,
      notes: 'POST, to a bare IP',
      where: 'truth-all.csv:2',
    });
    expect(rows.map((r) => r.malicious)).toEqual([true, false, false, true]);
    expect(truthCases(rows)).toEqual(['a', 'b']);
  });

  it("reads a case's own truth.csv (role first, measured columns, no case)", () => {
    const text = `role,src,dst,dport,proto,primary,interval_s,jitter,flows_in_input,notes
c2_beacon,10.1.1.213,108.61.179.223,80,tcp,yes,30.0,0.00,22,GET /1119/?gate
infection_step,10.1.1.213,185.92.222.9,443,tcp,no,,,1,
`;
    const rows = parseTruth(text, 'truth.csv');
    expect(rows.map((r) => [r.case, r.role, r.primary])).toEqual([
      [null, 'c2_beacon', true],
      [null, 'infection_step', false],
    ]);
    expect(selectCase(rows, undefined, 'truth.csv')).toHaveLength(2);
    expect(inputError(() => selectCase(rows, 'x', 'truth.csv')).describe()).toBe(
      'truth.csv: has no case column, so --case x cannot apply',
    );
  });

  it('--case selects one case; an unknown case or a missing --case names the cases', () => {
    const rows = parseTruthCsv(ALL, 't.csv');
    expect(selectCase(rows, 'b', 't.csv').map((r) => r.dst)).toEqual([
      'safebrowsing.googleapis.com',
      '90.2.1.0/27',
    ]);
    expect(inputError(() => selectCase(rows, 'c', 't.csv')).describe()).toBe(
      't.csv: no case "c" (cases: a, b)',
    );
    expect(inputError(() => selectCase(rows, undefined, 't.csv')).describe()).toBe(
      't.csv: holds 2 cases; choose one with --case (a, b)',
    );
  });

  it('bad rows are errors naming file and line', () => {
    const bad = (line: string) =>
      inputError(() =>
        parseTruthCsv(
          `case,src,dst,dport,proto,role,primary,notes\na,10.0.0.1,1.2.3.4,80,tcp,c2_beacon,yes,\n${line}\n`,
          'x.csv',
        ),
      ).describe();
    expect(bad('a,10.0.0.1,1.2.3.4,80,tcp,c2_beacon,maybe,')).toBe(
      'x.csv:3: primary "maybe" must be yes or no',
    );
    expect(bad('a,10.0.0.1,1.2.3.4,80,tcp,c2_beacon,constructor,')).toBe(
      'x.csv:3: primary "constructor" must be yes or no',
    );
    expect(bad('a,host-a,1.2.3.4,80,tcp,c2_beacon,no,')).toBe('x.csv:3: src "host-a" is not an address');
    expect(bad('a,10.0.0.1,1.2.3.4/40,80,tcp,c2_beacon,no,')).toBe(
      'x.csv:3: dst "1.2.3.4/40" is not a valid network (CIDR)',
    );
    expect(bad('a,10.0.0.1,not a name!,80,tcp,c2_beacon,no,')).toBe(
      'x.csv:3: dst "not a name!" is not an address, a network or a name',
    );
    expect(bad('a,10.0.0.1,1.2.3.4,99999,tcp,c2_beacon,no,')).toBe('x.csv:3: dport "99999" is not a port');
    expect(bad('a,10.0.0.1,1.2.3.4,80,tcp,,no,')).toBe('x.csv:3: role is empty');
    expect(bad('a,10.0.0.1,1.2.3.4,80,tcp,c2_beacon,no')).toMatch(/^x\.csv:3: not a readable truth CSV: /);
    expect(
      inputError(() => parseTruthCsv('src,dst,role\n1.1.1.1,2.2.2.2,c2_beacon\n', 'y.csv')).describe(),
    ).toBe('y.csv:1: truth CSV lacks column(s) primary (needs src, dst, role, primary)');
  });

  it('malicious roles: c2_*, malicious_*, infection_*, long_connection; nothing else', () => {
    for (const role of ['c2_beacon', 'c2_probable', 'malicious_other', 'infection_step', 'long_connection'])
      expect(isMaliciousRole(role)).toBe(true);
    for (const role of [
      'benign_periodic',
      'benign_used_by_malware',
      'rita_expected',
      'absent_from_input',
      'c2',
    ])
      expect(isMaliciousRole(role)).toBe(false);
  });
});

describe("the generator's truth.json", () => {
  const json = JSON.stringify({
    generator: 'beaconhunt',
    version: 1,
    pairs: [
      {
        label: 'cs-like beacon',
        kind: 'beacon',
        planted: true,
        src: '10.1.0.5',
        dst: '203.0.113.9',
        dport: 443,
        proto: 'tcp',
        host: null,
      },
      {
        label: 'ntp',
        kind: 'ntp',
        planted: false,
        src: '10.1.0.6',
        dst: '192.0.2.123',
        dport: 123,
        proto: 'udp',
        host: null,
      },
    ],
  });

  it('planted pairs are primary and malicious, the others benign', () => {
    const rows = parseTruth(json, 'truth.json');
    expect(rows.map((r) => [r.role, r.primary, r.malicious, r.where])).toEqual([
      ['beacon', true, true, 'truth.json: pairs[0]'],
      ['ntp', false, false, 'truth.json: pairs[1]'],
    ]);
  });

  it('a file that is not one is an error naming the file and the field', () => {
    expect(
      inputError(() => parseTruth('{"generator":"beaconhunt","pairs":[{}]}', 'g.json')).describe(),
    ).toMatch(/^g\.json: not a beaconhunt truth file: pairs\[0\]\.label /);
    expect(inputError(() => parseTruth('{"pairs": [', 'g.json')).describe()).toMatch(
      /^g\.json: not valid JSON: /,
    );
  });
});

describe('matching a finding to a truth row', () => {
  it('same address in any spelling, networks by containment, names by domain', () => {
    const v6 = rowMatcher({ src: 'fd77:48a1:c0bb:0:b96c:506d:6c7f:e8be', dst: 'fd77:48a1:c0bb::1' });
    expect(
      v6({ src: 'fd77:48a1:c0bb::b96c:506d:6c7f:e8be', dst: 'fd77:48a1:c0bb:0:0:0:0:1', host: null }),
    ).toBe(true);
    const mapped = rowMatcher({ src: '10.0.0.1', dst: '1.2.3.4' });
    expect(mapped({ src: '::ffff:10.0.0.1', dst: '1.2.3.4', host: null })).toBe(true);
    expect(mapped({ src: '10.0.0.2', dst: '1.2.3.4', host: null })).toBe(false);
    const net = rowMatcher({ src: '10.0.0.1', dst: '90.2.1.0/27' });
    expect(net({ src: '10.0.0.1', dst: '90.2.1.31', host: null })).toBe(true);
    expect(net({ src: '10.0.0.1', dst: '90.2.1.32', host: null })).toBe(false);
    const name = rowMatcher({ src: '10.0.0.1', dst: 'example.com' });
    expect(name({ src: '10.0.0.1', dst: '10.0.0.2', host: 'www.Example.com.' })).toBe(true);
    expect(name({ src: '10.0.0.1', dst: 'example.com', host: null })).toBe(true);
    expect(name({ src: '10.0.0.1', dst: '10.0.0.2', host: 'notexample.com' })).toBe(false);
    expect(name({ src: '10.0.0.1', dst: '10.0.0.2', host: null })).toBe(false);
  });
});
