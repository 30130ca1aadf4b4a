// @11ty/eleventy-img, the plain-function peer: the same sources, widths, formats and encoder
// settings (this package's, which are sharp's defaults and so eleventy-img's own), in its own
// process like the plugin's builds. A second run finds its outputs on disk and skips them, which
// is its warm path.
// Usage: node bench/peer-eleventy.mjs <out dir> <settings JSON> <source files…>
import Image from '@11ty/eleventy-img'

// After the imports, as the plugin's builds are timed (bench/child-build.mjs); the parent times the whole process too.
const started = performance.now()
const [outputDir, settingsJson, ...files] = process.argv.slice(2)
const { widths, formats, quality, avifEffort } = JSON.parse(settingsJson)
const encoders = { sharpAvifOptions: { quality: quality.avif, effort: avifEffort }, sharpWebpOptions: { quality: quality.webp }, sharpJpegOptions: { quality: quality.jpeg } }
const stats = await Promise.all(files.map(file => Image(file, { widths, formats, outputDir, ...encoders })))
const made = stats.reduce((n, s) => n + Object.values(s).flat().length, 0)
process.stdout.write(JSON.stringify({ ms: performance.now() - started, maxRssMB: process.resourceUsage().maxRSS / 1024, files: made }))
