import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Headless Debian chromium for the report tests, driven by playwright-core (which never downloads
 * a browser). WebGL runs on SwiftShader, so echarts-gl's 3-D scatter renders without a GPU.
 */
export const CHROMIUM_PATH = process.env.BEACONHUNT_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM_PATH)
    ? null
    : `browser tests skipped: no chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set BEACONHUNT_CHROMIUM)`;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'bh-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1400, height: 1000 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** What a page did that a self-contained, offline report must not do. */
export interface PageWatch {
  /** Requests for anything but file: and data: URLs. */
  network: string[];
  /** Uncaught exceptions and console errors (CSP violations show up here). */
  errors: string[];
}

export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { network: [], errors: [] };
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith('file:') && !url.startsWith('data:')) watch.network.push(url);
  });
  page.on('pageerror', (err) => watch.errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') watch.errors.push(`console: ${msg.text()}`);
  });
  return watch;
}
