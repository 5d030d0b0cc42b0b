import { defineConfig } from 'vitest/config';

// Docker end-to-end tests share one daemon and one machine of 2 cores: files run one at a time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
