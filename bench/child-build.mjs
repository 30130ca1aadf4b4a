// One `vite build` in its own process, so each run starts cold in memory and its peak RSS is its own.
// Usage: node bench/child-build.mjs <root> <plugin options JSON | "plain">
import { build } from 'vite'

const [root, options] = process.argv.slice(2)
const plugins = []
if (options !== 'plain') {
  const { default: seedream } = await import('../dist/vite.js')
  plugins.push(seedream(JSON.parse(options)))
}
const started = performance.now()
await build({
  root,
  configFile: false,
  logLevel: 'silent',
  plugins,
  build: { outDir: 'dist', emptyOutDir: true, assetsInlineLimit: 0, modulePreload: { polyfill: false } },
})
const ms = performance.now() - started
process.stdout.write(JSON.stringify({ ms, maxRssMB: process.resourceUsage().maxRSS / 1024 }))
