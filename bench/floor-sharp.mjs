// The floor for cold variants: the least work the plugin's variants can cost. Each original is
// decoded once to raw pixels (at most one per core at a time), every width × format is made from
// those pixels with the settings the parent passes (the package's defaults, imported from its
// source), through a pool of one job per core, slowest first, and each file is written once. No bundler, no
// summary, no cache. The parent times the whole process, as it does the plugin's build.
// Usage: node bench/floor-sharp.mjs <out dir> <settings JSON> <source files…>
import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'

const started = performance.now()
const [{ default: sharp }, { default: pLimit }] = await Promise.all([import('sharp'), import('p-limit')])
const [out, settingsJson, ...files] = process.argv.slice(2)
const { widths, formats, quality, avifEffort } = JSON.parse(settingsJson)
const cores = os.availableParallelism()
const pool = pLimit(cores)
const decoded = pLimit(cores)
const optionsOf = f => f === 'avif' ? { quality: quality.avif, effort: avifEffort } : { quality: quality[f] }
// The slowest encodes queued first, as the plugin queues them, so that no long AVIF ends alone.
const cost = (width, format) => width * width * (format === 'avif' ? 16 : 1)

await mkdir(out, { recursive: true })
await Promise.all(files.map((file, i) => decoded(async () => {
  const { data, info } = await pool(() => sharp(file).raw().toBuffer({ resolveWithObject: true }))
  const raw = { width: info.width, height: info.height, channels: info.channels }
  const outputs = widths.filter(w => w <= info.width).flatMap(w => formats.map(f => [w, f])).sort(([wa, fa], [wb, fb]) => cost(wb, fb) - cost(wa, fa))
  await Promise.all(outputs.map(([w, f]) => pool(async () => {
    const encoded = await sharp(data, { raw }).resize({ width: w }).toFormat(f, optionsOf(f)).toBuffer()
    await writeFile(path.join(out, `${i}-${w}.${f}`), encoded)
  })))
})))
process.stdout.write(JSON.stringify({ ms: performance.now() - started, maxRssMB: process.resourceUsage().maxRSS / 1024 }))
