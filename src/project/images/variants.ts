import type { LimitFunction } from 'p-limit'
import type { ResolvedOutput } from '../../model/options'
import type { Original } from '../generation/originals'
import type { Planned, Summary, Variant } from './variant-types'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { canonicalJson, sha256 } from '../../model/key'
import { loadSharp } from './sharp'
import { EXT } from './variant-types'
import { replaceDirAtomic } from '../store/atomic'
import { readCached } from '../store/variant-cache'

// 4: each variant's full sha256 in the manifest, checked when its bytes are read.
const VARIANTS_VERSION = 4

export interface VariantSet extends Summary {
  /** The cache folder read or made: a build passes each one to pruneVariantsCache in `used`. */
  dir: string
  variants: Variant[]
  /** The bytes of each variant, in `variants` order: verified, or just encoded, for emitting. */
  data: Buffer[]
  /** True when this build ran sharp for them. */
  made: boolean
  /** Why the cached folder failed its checks and was remade, for a warning naming the spec. */
  problem?: string
}

/** The widths to make: the requested ones the original can fill, or its own width if none can. */
export function targetWidths(requested: number[], originalWidth: number): number[] {
  const fit = requested.filter(w => w <= originalWidth)
  return fit.length ? fit : [originalWidth]
}

/** Every variant to make, in order: each target width in each format, named `<width>.<ext>`. */
function plan(original: Original, out: ResolvedOutput): Planned[] {
  return targetWidths(out.widths, original.width).flatMap(width => out.formats.map(format => ({ width, format, file: `${width}.${EXT[format]}` })))
}

/** Pixels to encode from: a file's bytes, or a decoded raw buffer with its shape. */
export interface Pixels {
  data: Buffer
  raw?: { width: number, height: number, channels: 1 | 2 | 3 | 4 }
}

const open = async (px: Pixels) => (await loadSharp())(px.data, px.raw && { raw: px.raw })

/** Decodes an original once, so that every output resizes from the same pixels. */
export async function decode(source: Buffer): Promise<Pixels> {
  const { data, info } = await (await loadSharp())(source).raw().toBuffer({ resolveWithObject: true })
  return { data, raw: { width: info.width, height: info.height, channels: info.channels } }
}

export async function encode(source: Pixels, out: ResolvedOutput, width: number, format: Variant['format']) {
  const { data, info } = await (await open(source)).resize({ width, withoutEnlargement: true })
    .toFormat(format, format === 'avif' ? { quality: out.quality.avif, effort: out.avifEffort } : { quality: out.quality[format] })
    .toBuffer({ resolveWithObject: true })
  const digest = sha256(data)
  const variant: Variant = { format, width: info.width, height: info.height, file: `${width}.${EXT[format]}`, hash: digest.slice(0, 10), sha256: digest, bytes: data.length }
  return { variant, data }
}

/** The dominant colour, and the placeholder the output asks for, from one small decode. */
export async function summary(source: Pixels, kind: ResolvedOutput['placeholder']): Promise<Summary> {
  // stats() reads the whole input, so it runs on a 100-pixel copy.
  const tiny = await (await open(source)).resize(100, 100, { fit: 'inside' }).raw().toBuffer({ resolveWithObject: true })
  const small = (await loadSharp())(tiny.data, { raw: { width: tiny.info.width, height: tiny.info.height, channels: tiny.info.channels } })
  const { dominant } = await small.clone().stats()
  const color = `#${[dominant.r, dominant.g, dominant.b].map(c => c.toString(16).padStart(2, '0')).join('')}`
  if (kind === 'blur') {
    const blur = await small.clone().resize(16, 16, { fit: 'inside' }).blur(1).webp({ quality: 40 }).toBuffer()
    return { color, placeholder: `data:image/webp;base64,${blur.toString('base64')}` }
  }
  if (kind === 'thumbhash') {
    const { data, info } = await small.clone().ensureAlpha().raw().toBuffer({ resolveWithObject: true })
    const { rgbaToThumbHash, thumbHashToDataURL } = await import('thumbhash')
    const hash = rgbaToThumbHash(info.width, info.height, data)
    return { color, placeholder: thumbHashToDataURL(hash), thumbhash: Buffer.from(hash).toString('base64') }
  }
  return { color }
}

/** The canonical form of output settings, computed once per settings object. */
const outputKeys = new WeakMap<ResolvedOutput, string>()
export function outputKey(out: ResolvedOutput): string {
  if (!outputKeys.has(out))
    outputKeys.set(out, canonicalJson(out))
  return outputKeys.get(out)!
}

/**
 * The variants of one original, cached by (original hash, output options) so a warm build runs
 * no sharp work and never reads the original. The cache is untrusted (CI restores it from a shared
 * cache): a folder is used only if it passes readCached's checks, and its bytes, read there, are
 * the ones emitted. A miss, or a folder that fails, decodes the original once and feeds every
 * output from those pixels; `slots` bounds how many decoded originals are in memory at once, and
 * each decode and encode goes through `pool`, both sized to the cores.
 */
export async function makeVariants(original: Original, out: ResolvedOutput, cacheDir: string, pool: LimitFunction, slots: LimitFunction): Promise<VariantSet> {
  const vkey = sha256(`${VARIANTS_VERSION}|${original.sha256}|${outputKey(out)}`)
  const dir = path.join(cacheDir, vkey.slice(0, 20))
  const planned = plan(original, out)
  const cached = await readCached(dir, planned, out.placeholder)
  if (cached && 'manifest' in cached)
    return { ...cached.manifest, dir, data: cached.data, made: false }
  // Specs with the same original and output (the same picture imported under two names) share
  // one encoding in flight: the first caller makes the folder, the others reuse what it made.
  const sharing = making.get(dir)
  if (sharing)
    return { ...await sharing, made: false, problem: undefined }
  const pending = encodeInto(dir, original, out, planned, pool, slots)
  making.set(dir, pending)
  try {
    return { ...await pending, problem: cached?.problem }
  }
  finally {
    making.delete(dir)
  }
}

/** Folders being made in this process, by path. */
const making = new Map<string, Promise<VariantSet>>()

/** Decodes the original once, encodes every planned output from its pixels, and writes the folder whole. */
async function encodeInto(dir: string, original: Original, out: ResolvedOutput, planned: Planned[], pool: LimitFunction, slots: LimitFunction): Promise<VariantSet> {
  const { encoded, extra } = await slots(async () => {
    const pixels = await pool(async () => decode(await original.load()))
    const jobs = planned.map(p => pool(() => encode(pixels, out, p.width, p.format)))
    const [encoded, extra] = await Promise.all([Promise.all(jobs), pool(() => summary(pixels, out.placeholder))])
    return { encoded, extra }
  })
  const set = { variants: encoded.map(e => e.variant), ...extra }
  await replaceDirAtomic(dir, async (tmp) => {
    await Promise.all(encoded.map(e => writeFile(path.join(tmp, e.variant.file), e.data)))
    await writeFile(path.join(tmp, 'manifest.json'), JSON.stringify(set))
  })
  return { ...set, dir, data: encoded.map(e => e.data), made: true }
}
