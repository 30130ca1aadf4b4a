import type { ResolvedOutput } from '../../model/options'
import type { Planned, Summary, Variant } from '../images/variant-types'
import { webcrypto } from 'node:crypto'
import type { Stats } from 'node:fs'
import { lstatSync } from 'node:fs'
import path from 'node:path'
import { writeFileAtomic } from './atomic'
import { markUsedSync } from './retention'
import { readRegularFile, readRegularFileSync, UnreadableFile } from './safe-read'

/** A folder that passed every check, with the bytes read for emitting; or why it did not. */
export type Cached = { manifest: Summary & { variants: Variant[] }, data: Buffer[] } | { problem: string }

// A 4096² RGBA PNG is 64 MiB raw; anything past these is not ours.
const MAX_VARIANT_BYTES = 256 * 1024 * 1024
const MAX_MANIFEST_BYTES = 1024 * 1024
const TOP_KEYS = ['variants', 'color', 'placeholder', 'thumbhash']
const VARIANT_KEYS = ['format', 'width', 'height', 'file', 'hash', 'sha256', 'bytes']

class BadCache extends Error {}
const show = (v: unknown) => (JSON.stringify(v) ?? String(v)).slice(0, 80)
const isRecord = (v: unknown, keys: string[]): v is Record<string, unknown> =>
  Boolean(v) && typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).every(k => keys.includes(k))
const isCount = (v: unknown, max: number): v is number => Number.isInteger(v) && (v as number) > 0 && (v as number) <= max

function checkVariant(v: unknown, p: Planned, at: string): Variant {
  if (!isRecord(v, VARIANT_KEYS))
    throw new BadCache(`${at} is not a variant record`)
  if (v.format !== p.format)
    throw new BadCache(`${at}.format is ${show(v.format)}, expected "${p.format}"`)
  if (typeof v.file !== 'string' || !/^\d+\.(?:avif|webp|jpg|png)$/.test(v.file) || v.file !== p.file)
    throw new BadCache(`${at}.file is ${show(v.file)}, expected "${p.file}"`)
  // Never upscaled: an output is at most as wide as asked.
  if (!isCount(v.width, p.width) || !isCount(v.height, 65536) || !isCount(v.bytes, MAX_VARIANT_BYTES))
    throw new BadCache(`${at} has width ${show(v.width)}, height ${show(v.height)}, bytes ${show(v.bytes)}: not positive whole numbers in range`)
  if (typeof v.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(v.sha256) || v.hash !== v.sha256.slice(0, 10))
    throw new BadCache(`${at} has no valid sha256 and hash`)
  return { format: p.format, file: p.file, width: v.width, height: v.height, bytes: v.bytes, sha256: v.sha256, hash: v.hash }
}

/** The summary fields the output's placeholder kind makes, and no others. */
export function checkSummary(m: Record<string, unknown>, kind: ResolvedOutput['placeholder']): Summary {
  if (typeof m.color !== 'string' || !/^#[0-9a-f]{6}$/.test(m.color))
    throw new BadCache(`color is ${show(m.color)}, not "#rrggbb"`)
  const type = kind === 'blur' ? 'webp' : kind === 'thumbhash' ? 'png' : undefined
  const uri = new RegExp(`^data:image/${type};base64,[A-Za-z0-9+/]+={0,2}$`)
  if (type ? typeof m.placeholder !== 'string' || m.placeholder.length > 65536 || !uri.test(m.placeholder) : m.placeholder !== undefined)
    throw new BadCache(`placeholder is not what placeholder: "${kind}" makes`)
  if (kind === 'thumbhash' ? typeof m.thumbhash !== 'string' || !/^[A-Za-z0-9+/]{1,200}={0,2}$/.test(m.thumbhash) : m.thumbhash !== undefined)
    throw new BadCache(`thumbhash is not what placeholder: "${kind}" makes`)
  return { color: m.color, placeholder: m.placeholder as string | undefined, thumbhash: m.thumbhash as string | undefined }
}

/** The manifest's shape, checked against the plan: every field typed, every file named as we name it. */
export function checkManifest(m: unknown, plan: Planned[], kind: ResolvedOutput['placeholder']): Summary & { variants: Variant[] } {
  if (!isRecord(m, TOP_KEYS) || !Array.isArray(m.variants))
    throw new BadCache('manifest.json is not a manifest record')
  if (m.variants.length !== plan.length)
    throw new BadCache(`manifest.json lists ${m.variants.length} variants, expected ${plan.length}`)
  return { ...checkSummary(m, kind), variants: plan.map((p, i) => checkVariant((m.variants as unknown[])[i], p, `variants[${i}]`)) }
}

const UNREADABLE = { 'missing': 'is missing', 'symlink': 'is a symlink', 'not-regular': 'is not a regular file', 'too-large': 'is too large', 'changed': 'changed while read' }

/**
 * `stamps.json` remembers, per variant file, the identity it had when its hash last matched on
 * this machine (device, inode, size, change time), as git's index does: a file with the same
 * identity is not hashed again. A restored or copied cache has new inodes and change times, and
 * no process can set a change time, so anything written since is hashed again.
 */
const STAMPS = 'stamps.json'
const stampOf = (s: Stats) => `${s.dev}:${s.ino}:${s.size}:${s.ctimeMs}`

function readStamps(dir: string): Record<string, string> {
  try {
    const stamps = JSON.parse(readRegularFileSync(path.join(dir, STAMPS), { max: 64 * 1024 }).toString('utf8'))
    return isRecord(stamps, Object.keys(stamps)) ? stamps as Record<string, string> : {}
  }
  catch {
    return {}
  }
}

/** A variant's bytes, which must be a regular file of the listed size and hash (read once, for emitting). */
async function readVariant(dir: string, v: Variant, stamps: Record<string, string>, fresh: Record<string, string>): Promise<Buffer> {
  let stamp = ''
  const data = await readRegularFile(path.join(dir, v.file), { exact: v.bytes }, (s) => { stamp = stampOf(s) }).catch((error) => {
    const reason = error instanceof UnreadableFile ? error.reason : 'missing'
    throw new BadCache(`${v.file} ${reason === 'size' ? `is ${error.size} bytes, the manifest says ${v.bytes}` : UNREADABLE[reason]}`)
  })
  if (stamps[v.file] === stamp)
    return data
  // Hashed on the thread pool (WebCrypto), not on the main thread a warm build is bound by.
  if (Buffer.from(await webcrypto.subtle.digest('SHA-256', data)).toString('hex') !== v.sha256)
    throw new BadCache(`${v.file} does not match its sha256`)
  fresh[v.file] = stamp
  return data
}

/**
 * The cached variants in `dir`, verified without decoding: a real folder (not a link), a small
 * regular manifest.json of the right shape, and every variant a regular file inside it of the
 * listed size and content hash. Undefined when there is no folder (a plain miss).
 */
export async function readCached(dir: string, plan: Planned[], kind: ResolvedOutput['placeholder']): Promise<Cached | undefined> {
  try {
    // Synchronous, like the manifest: one small call per picture on every warm build.
    const stat = lstatSync(dir)
    if (!stat.isDirectory())
      return { problem: 'the folder is a link or a file' }
    // Its last use, for pruneVariantsCache: at most one utimes a day, on the stat just made.
    markUsedSync(dir, stat)
    let json: unknown
    try {
      json = JSON.parse(readRegularFileSync(path.join(dir, 'manifest.json'), { max: MAX_MANIFEST_BYTES }).toString('utf8'))
    }
    catch (error) {
      throw new BadCache(`manifest.json ${error instanceof UnreadableFile ? UNREADABLE[error.reason as keyof typeof UNREADABLE] ?? 'is unreadable' : 'is not JSON'}`)
    }
    const manifest = checkManifest(json, plan, kind)
    const stamps = readStamps(dir)
    const fresh: Record<string, string> = {}
    const data = await Promise.all(manifest.variants.map(v => readVariant(dir, v, stamps, fresh)))
    // Best effort: a read-only cache is hashed on every build, as before.
    if (Object.keys(fresh).length)
      await writeFileAtomic(path.join(dir, STAMPS), JSON.stringify({ ...stamps, ...fresh })).catch(() => {})
    return { manifest, data }
  }
  catch (error: any) {
    if (error?.code === 'ENOENT')
      return undefined
    if (error instanceof BadCache)
      return { problem: error.message }
    throw error
  }
}
