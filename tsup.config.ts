import { defineConfig } from 'tsup'

export default defineConfig({
  entry: ['src/index.ts', 'src/types.ts', 'src/api.ts', 'src/next.ts', 'src/turbopack-loader.ts', 'src/astro.ts', 'src/nuxt.ts', 'src/vite.ts', 'src/webpack.ts', 'src/rollup.ts', 'src/esbuild.ts', 'src/rspack.ts', 'src/cli.ts'],
  format: ['esm'],
  dts: true,
  clean: true,
  target: 'node20',
  splitting: true,
})
