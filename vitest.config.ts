import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The HTML report inlines the bundled page script: build it once, fresh, before any test.
    globalSetup: ['test/setup/build-page.ts'],
  },
});
