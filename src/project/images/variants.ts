import type { LimitFunction } from 'p-limit'
import type { ResolvedOutput } from '../../model/options'
import type { Original } from '../generation/original'
import type { Pixels, Planned, RemoteSlot, Summary, Variant } from './variant-types'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { sha256 } from '../../model/key'
import { loadSharp } from './sharp'
import { EXT } from './variant-types'
import { summary } from './summary'
import { slowestFirst, variantsPlan } from './variant-plan'
import { replaceDirAtomic } from '../store/atomic'
import { checkManifest, readCached } from '../store/variant-cache'

export type { Pixels } from './variant-types'
export { outputKey, targetWidths } from './variant-plan'

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

/**
 * The variants of one original, cached by (original hash, output options) so a warm build runs
 * no sharp work and never reads the original. The cache is untrusted (CI restores it from a shared
 * cache): a folder is used only if it passes readCached's checks, and its bytes, read there, are
 * the ones emitted. A miss, or a folder that fails, decodes the original once and feeds every
 * output from those pixels; `slots` bounds how many decoded originals are in memory at once, and
 * each decode and encode goes through `pool`, both sized to the cores.
 */
export async function makeVariants(original: Original, out: ResolvedOutput, cacheDir: string, pool: LimitFunction, slots: LimitFunction, remote?: RemoteSlot): Promise<VariantSet> {
  const { dir, planned } = variantsPlan(original, out, cacheDir)
  const cached = await readCached(dir, planned, out.placeholder)
  if (cached && 'manifest' in cached)
    return { ...cached.manifest, dir, data: cached.data, made: false }
  // Specs with the same original and output (the same picture imported under two names) share
  // one encoding in flight: the first caller makes the folder, the others reuse what it made.
  const sharing = making.get(dir)
  if (sharing)
    return { ...await sharing, made: false, problem: undefined }
  const pending = pullOrEncode(original.sha256, dir, planned, out, remote, () => encodeInto(dir, original, out, planned, pool, slots))
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

/** A folder written whole: the variants, then the manifest that lists them. */
export async function writeSet(dir: string, set: Summary & { variants: Variant[] }, data: Uint8Array[]): Promise<void> {
  await replaceDirAtomic(dir, async (tmp) => {
    await Promise.all(set.variants.map((v, i) => writeFile(path.join(tmp, v.file), data[i]!)))
    await writeFile(path.join(tmp, 'manifest.json'), JSON.stringify(set))
  })
}

/** The set from the remote cache (checked as a local folder is, then kept here), or encoded here and shared. */
async function pullOrEncode(source: string, dir: string, planned: Planned[], out: ResolvedOutput, remote: RemoteSlot | undefined, encodeHere: () => Promise<VariantSet>): Promise<VariantSet> {
  const pulled = await remote?.cache.getVariants(remote.packKey, source, json => checkManifest(json, planned, out.placeholder))
  if (pulled) {
    // The bytes are in memory and verified: the load goes on while the local copy is written.
    remote!.cache.beside(writeSet(dir, pulled.manifest, pulled.data))
    return { ...pulled.manifest, dir, data: pulled.data, made: false }
  }
  const set = await encodeHere()
  remote?.cache.putVariants(remote.packKey, remote.specKey, source, { variants: set.variants, color: set.color, placeholder: set.placeholder, thumbhash: set.thumbhash }, set.data)
  return set
}

/** Decodes the original once, encodes every planned output from its pixels, and writes the folder whole. */
async function encodeInto(dir: string, original: Original, out: ResolvedOutput, planned: Planned[], pool: LimitFunction, slots: LimitFunction): Promise<VariantSet> {
  const { encoded, extra } = await slots(async () => {
    const pixels = await pool(async () => decode(await original.load()))
    const jobs: Array<ReturnType<typeof encode>> = []
    for (const i of slowestFirst(planned))
      jobs[i] = pool(() => encode(pixels, out, planned[i]!.width, planned[i]!.format))
    const [encoded, extra] = await Promise.all([Promise.all(jobs), pool(() => summary(pixels, out.placeholder))])
    return { encoded, extra }
  })
  const set = { variants: encoded.map(e => e.variant), ...extra }
  await writeSet(dir, set, encoded.map(e => e.data))
  return { ...set, dir, data: encoded.map(e => e.data), made: true }
}
