import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import ipaddr from 'ipaddr.js';
import { errorMessage, InputError } from '../util/errors.js';

/** Threat-intel entries: addresses, networks and domains, each remembering the list it came from. */
export interface IntelLists {
  lookupAddress(address: string): string | undefined;
  lookupDomain(name: string): string | undefined;
  entries: number;
}

interface Network {
  net: ipaddr.IPv4 | ipaddr.IPv6;
  bits: number;
  list: string;
}

/** Parse intel lists given as text (file name → content). Pure; bad lines are returned, not thrown. */
export function parseIntel(files: readonly { name: string; text: string }[]): {
  intel: IntelLists;
  badLines: string[];
} {
  const addresses = new Map<string, string>();
  const networks: Network[] = [];
  const domains = new Map<string, string>();
  const badLines: string[] = [];
  for (const { name, text } of files) {
    text.split(/\r?\n/).forEach((rawLine, i) => {
      // lists often carry a second column (port, date, comment): the first token is the indicator
      const token =
        rawLine
          .replace(/#.*$/, '')
          .trim()
          .split(/[\s,;]+/)[0] ?? '';
      if (token === '') return;
      try {
        if (token.includes('/')) {
          const [net, bits] = ipaddr.parseCIDR(token);
          networks.push({ net, bits, list: name });
        } else if (ipaddr.isValid(token)) {
          addresses.set(ipaddr.process(token).toString(), name);
        } else if (/^(\*\.)?[a-z0-9_.-]+\.[a-z]{2,}$/i.test(token)) {
          domains.set(token.toLowerCase().replace(/^\*\./, ''), name);
        } else {
          badLines.push(`${name}:${i + 1}`);
        }
      } catch {
        badLines.push(`${name}:${i + 1}`);
      }
    });
  }
  return {
    badLines,
    intel: {
      entries: addresses.size + networks.length + domains.size,
      lookupAddress(address) {
        let ip: ipaddr.IPv4 | ipaddr.IPv6;
        try {
          ip = ipaddr.process(address.replace(/%.*$/, ''));
        } catch {
          return undefined;
        }
        const exact = addresses.get(ip.toString());
        if (exact) return exact;
        return networks.find((n) => n.net.kind() === ip.kind() && ip.match([n.net, n.bits] as never))?.list;
      },
      lookupDomain(name) {
        // a listed domain covers its subdomains
        let d = name.toLowerCase().replace(/\.$/, '');
        while (d.includes('.')) {
          const hit = domains.get(d);
          if (hit) return hit;
          d = d.slice(d.indexOf('.') + 1);
        }
        return undefined;
      },
    },
  };
}

/** Read intel files and folders (not recursive beyond one level of files). */
export async function loadIntel(
  paths: readonly string[],
): Promise<{ intel: IntelLists; badLines: string[] }> {
  const files: { name: string; text: string }[] = [];
  for (const path of paths) {
    try {
      const info = await stat(path);
      const names = info.isDirectory() ? (await readdir(path)).sort().map((n) => join(path, n)) : [path];
      for (const file of names) {
        if ((await stat(file)).isFile())
          files.push({
            name: `${basename(path)}${info.isDirectory() ? `/${basename(file)}` : ''}`,
            text: await readFile(file, 'utf8'),
          });
      }
    } catch (err) {
      throw new InputError(`cannot read the intel list (${errorMessage(err)})`, path);
    }
  }
  return parseIntel(files);
}
