// How the default AVIF settings are chosen: at equal quality, not at lower quality faster.
// On two source sets at 2048 px wide — the procedural photo-like set of the benchmarks, and real
// photographs and illustrations from Debian's wallpaper packages — sharp's AVIF defaults
// (quality 50, effort 4) are the baseline; for each lower effort, the lowest quality whose mean
// SSIM (ssim.js, the decoded AVIF against the source) is at least the baseline's is searched, and
// its bytes and encode time are compared. A pair qualifies on a set when its SSIM is ≥ and its
// bytes are ≤ 1.0× the baseline's; the production default is the fastest pair that qualifies on
// both sets. Encodes run one at a time (sharp.concurrency 1), so times compare like for like.
// Needs: apt-get install gnome-backgrounds mate-backgrounds   Run: npm run bench:avif
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { ssim } from 'ssim.js'
import { BENCH } from './lib.mjs'
import { photoLike } from './sources.mjs'

const WIDTH = 2048
const BASELINE = { quality: 50, effort: 4 }
const EFFORTS = [0, 1, 2, 3]
const PHOTOS = ['Aqua', 'Garden', 'LadyBird', 'TwoWings', 'Wood', 'YellowFlower'].map(n => `/usr/share/backgrounds/mate/nature/${n}.jpg`)
const ILLUSTRATIONS = ['adwaita-l', 'licorice-l', 'symbolic-l', 'wood-l'].map(n => `/usr/share/backgrounds/gnome/${n}.webp`)

const missing = [...PHOTOS, ...ILLUSTRATIONS].filter(f => !existsSync(f))
if (missing.length) {
  console.error(`Missing ${missing[0]} (and ${missing.length - 1} more): apt-get install gnome-backgrounds mate-backgrounds`)
  process.exit(1)
}
sharp.concurrency(1)

async function rgba(buf) {
  const { data, info } = await sharp(buf).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
  return { data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }
}

/** A set's references: each source at 2048 px wide, as the lossless PNG every candidate encodes. */
async function referenceSet(name, inputs) {
  const images = await Promise.all(inputs.map(async (input) => {
    const png = await sharp(input).resize({ width: WIDTH }).png().toBuffer()
    return { png, pixels: await rgba(png) }
  }))
  return { name, images, results: new Map() }
}

/** One pair over a set: total encode seconds, total bytes, mean SSIM (memoized). */
async function measure(set, quality, effort) {
  const id = `${quality}/${effort}`
  if (!set.results.has(id)) {
    let seconds = 0
    let bytes = 0
    let score = 0
    for (const image of set.images) {
      const started = performance.now()
      const avif = await sharp(image.png).avif({ quality, effort }).toBuffer()
      seconds += (performance.now() - started) / 1000
      bytes += avif.length
      score += ssim(image.pixels, await rgba(avif)).mssim
    }
    set.results.set(id, { quality, effort, seconds, bytes, ssim: score / set.images.length })
  }
  return set.results.get(id)
}

/** The lowest quality at `effort` whose mean SSIM reaches `target` (SSIM grows with quality), or undefined. */
async function lowestQuality(set, effort, target) {
  let [low, high] = [20, 90]
  if ((await measure(set, high, effort)).ssim < target)
    return undefined
  while (low < high) {
    const mid = (low + high) >> 1
    if ((await measure(set, mid, effort)).ssim >= target)
      high = mid
    else low = mid + 1
  }
  return measure(set, high, effort)
}

const sets = [
  await referenceSet(`procedural photo-like (4 × ${WIDTH}²)`, await Promise.all([1, 2, 3, 4].map(seed => photoLike(seed, WIDTH)))),
  await referenceSet(`Debian photographs and illustrations (${PHOTOS.length} + ${ILLUSTRATIONS.length}, ${WIDTH} px wide)`, [...PHOTOS, ...ILLUSTRATIONS]),
]
const lines = [`sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), ${os.cpus()[0]?.model}, ${os.availableParallelism()} cores, sharp.concurrency 1, ${new Date().toISOString().slice(0, 10)}`]
const qualifying = []
for (const set of sets) {
  const base = await measure(set, BASELINE.quality, BASELINE.effort)
  const rows = [base]
  for (const effort of EFFORTS) {
    const found = await lowestQuality(set, effort, base.ssim)
    if (found)
      rows.push(found)
  }
  lines.push('', set.name, 'quality effort   seconds  speed-up     KiB  size  mean SSIM  qualifies')
  for (const r of rows) {
    const ok = r.ssim >= base.ssim && r.bytes <= base.bytes
    lines.push(`${String(r.quality).padStart(7)} ${String(r.effort).padStart(6)} ${r.seconds.toFixed(2).padStart(9)} ${(base.seconds / r.seconds).toFixed(2).padStart(8)}× ${(r.bytes / 1024).toFixed(0).padStart(7)} ${(r.bytes / base.bytes).toFixed(2).padStart(5)} ${r.ssim.toFixed(4).padStart(10)}  ${r === base ? 'baseline' : ok ? 'yes' : 'no'}`)
  }
  qualifying.push(new Set(rows.filter(r => r.ssim >= base.ssim && r.bytes <= base.bytes).map(r => `${r.quality}/${r.effort}`)))
}
// A pair qualifying on one set is checked on the other too, at the same numbers.
const candidates = [...new Set(qualifying.flatMap(q => [...q]))].map(id => id.split('/').map(Number))
const both = []
for (const [quality, effort] of candidates) {
  const per = await Promise.all(sets.map(async (set) => {
    const base = await measure(set, BASELINE.quality, BASELINE.effort)
    const r = await measure(set, quality, effort)
    return { ok: r.ssim >= base.ssim && r.bytes <= base.bytes, speedup: base.seconds / r.seconds }
  }))
  if (per.every(p => p.ok))
    both.push({ quality, effort, speedup: Math.min(...per.map(p => p.speedup)) })
}
both.sort((a, b) => b.speedup - a.speedup)
lines.push('', both.length
  ? `fastest pair qualifying on both sets: quality ${both[0].quality}, effort ${both[0].effort} (${both[0].speedup.toFixed(2)}× faster than quality 50 / effort 4 on the slower set)`
  : 'no pair below effort 4 qualifies on both sets: the baseline, quality 50 / effort 4, stays the default')
console.log(lines.join('\n'))
await writeFile(path.join(BENCH, 'avif-defaults.txt'), `${lines.join('\n')}\n`)
