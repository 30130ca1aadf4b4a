// One `vite build` in its own process, so each run starts cold in memory and its peak RSS is its own.
// Usage: node bench/child-build.mjs <root> <plugin options JSON | "plain" | "imagetools">
// (vite-imagetools, the peer, with its defaults: its directives are in the app's imports; its
// cache is in <root>/node_modules/.cache/imagetools, where the parent runs it.)
import { build } from 'vite'

const [root, options] = process.argv.slice(2)
const plugins = []
if (options === 'imagetools') {
  const { imagetools } = await import('vite-imagetools')
  plugins.push(imagetools({ cache: { dir: `${root}/node_modules/.cache/imagetools` } }))
}
else if (options !== 'plain') {
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
