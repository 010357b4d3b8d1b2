import { buildPage } from '../../scripts/build-page.mjs';

/** Vitest global setup: the report tests render with the page script as it is in src/ now. */
export default async function setup(): Promise<void> {
  await buildPage();
}
