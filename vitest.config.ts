import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Builds run sharp on both cores; running test files side by side only makes each slower.
    fileParallelism: false,
  },
})
