// The floor for cold variants: a minimal direct-sharp script making the same widths × formats
// with the same settings, a pool as large as the cores, writing each file.
// Usage: node bench/floor-sharp.mjs <out dir> <settings JSON> <source files…>
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pLimit from 'p-limit'
import sharp from 'sharp'

const [out, settingsJson, ...files] = process.argv.slice(2)
const { widths, formats, quality, avifEffort } = JSON.parse(settingsJson)
const pool = pLimit(os.availableParallelism())
await mkdir(out, { recursive: true })
const started = performance.now()
await Promise.all(files.map(async (file, i) => {
  const source = await readFile(file)
  const { width } = await sharp(source).metadata()
  await Promise.all(widths.filter(w => w <= width).flatMap(w => formats.map(f => pool(async () => {
    const options = f === 'avif' ? { quality: quality.avif, effort: avifEffort } : { quality: quality[f] }
    const data = await sharp(source).resize({ width: w }).toFormat(f, options).toBuffer()
    await writeFile(path.join(out, `${i}-${w}.${f}`), data)
  }))))
}))
process.stdout.write(JSON.stringify({ ms: performance.now() - started, maxRssMB: process.resourceUsage().maxRSS / 1024 }))
