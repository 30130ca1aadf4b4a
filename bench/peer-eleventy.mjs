// @11ty/eleventy-img, the plain-function peer: the same sources, widths and formats, each in its
// own process like the plugin's builds. "ours" passes this package's encoder settings; "defaults"
// leaves eleventy-img's (sharp's defaults). A second run finds its outputs on disk and skips them,
// which is its warm path.
// Usage: node bench/peer-eleventy.mjs <out dir> <settings JSON> <"ours" | "defaults"> <source files…>
import Image from '@11ty/eleventy-img'

// After the imports, as the plugin's builds are timed (bench/child-build.mjs); the parent times the whole process too.
const started = performance.now()
const [outputDir, settingsJson, mode, ...files] = process.argv.slice(2)
const { widths, formats, quality, avifEffort } = JSON.parse(settingsJson)
const encoders = mode === 'ours'
  ? { sharpAvifOptions: { quality: quality.avif, effort: avifEffort }, sharpWebpOptions: { quality: quality.webp }, sharpJpegOptions: { quality: quality.jpeg } }
  : {}
const stats = await Promise.all(files.map(file => Image(file, { widths, formats, outputDir, ...encoders })))
const made = stats.reduce((n, s) => n + Object.values(s).flat().length, 0)
process.stdout.write(JSON.stringify({ ms: performance.now() - started, maxRssMB: process.resourceUsage().maxRSS / 1024, files: made }))
