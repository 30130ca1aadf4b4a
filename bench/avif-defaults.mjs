// How the default AVIF settings were chosen: each candidate against sharp's AVIF defaults
// (quality 50, effort 4) on the same procedural sources and widths, measured in one run:
// encode time, bytes, and SSIM of the decoded result against the resized source.
// Run: node bench/avif-defaults.mjs
import os from 'node:os'
import sharp from 'sharp'
import { ssim } from 'ssim.js'
import { photoLike } from './sources.mjs'

const WIDTHS = [640, 1024, 1600, 2048]
const CANDIDATES = [
  { quality: 50, effort: 4 }, // sharp's defaults: the baseline
  { quality: 50, effort: 2 },
  { quality: 50, effort: 1 },
  { quality: 40, effort: 1 },
  { quality: 39, effort: 1 },
  { quality: 38, effort: 1 },
  { quality: 39, effort: 0 },
]

async function rgba(buf) {
  const { data, info } = await sharp(buf).ensureAlpha().raw().toBuffer({ resolveWithObject: true })
  return { data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height }
}

const sources = await Promise.all([1, 2, 3].map(seed => photoLike(seed)))
const refs = new Map()
for (const [s, src] of sources.entries()) {
  for (const w of WIDTHS)
    refs.set(`${s}/${w}`, await sharp(src).resize(w).png().toBuffer())
}

const rows = []
for (const c of CANDIDATES) {
  let ms = 0
  let bytes = 0
  let score = 0
  let n = 0
  for (const [s] of sources.entries()) {
    for (const w of WIDTHS) {
      const ref = refs.get(`${s}/${w}`)
      const t = performance.now()
      const out = await sharp(ref).avif(c).toBuffer()
      ms += performance.now() - t
      bytes += out.length
      score += ssim(await rgba(ref), await rgba(out)).mssim
      n++
    }
  }
  rows.push({ ...c, seconds: ms / 1000, kib: bytes / 1024, ssim: score / n })
}
const [base] = rows
console.log(`sharp ${sharp.versions.sharp}, ${os.availableParallelism()} cores, sharp.concurrency ${sharp.concurrency()}`)
console.log('quality effort   seconds  speed-up      KiB  size  mean SSIM  ΔSSIM')
for (const r of rows) {
  console.log(`${String(r.quality).padStart(7)} ${String(r.effort).padStart(6)} ${r.seconds.toFixed(2).padStart(9)} ${(base.seconds / r.seconds).toFixed(2).padStart(8)}× ${r.kib.toFixed(0).padStart(8)} ${(r.kib / base.kib).toFixed(2).padStart(5)} ${r.ssim.toFixed(4).padStart(10)} ${(r.ssim - base.ssim).toFixed(4).padStart(6)}`)
}
