import type { Stats } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { lutimesSync } from 'node:fs'
import { lstat, lutimes, readdir, rename, rm } from 'node:fs/promises'
import path from 'node:path'

const DAY = 24 * 60 * 60 * 1000
/** A variant folder, or a dev file, unused for this long is removed. */
export const RETENTION_MS = 30 * DAY
/**
 * A use is recorded in the mtime, and only when it is a day old: a warm build then pays one
 * utimes per folder per day at most, on a stat it already made, and no write per file.
 */
const REFRESH_MS = DAY

export interface Pruned {
  /** Variant folders (or dev files) removed, leftovers of killed writers included. */
  count: number
  bytes: number
}

export interface PruneOptions {
  /** Longer than a day, or a folder another process uses is not refreshed often enough to count. */
  maxAgeMs?: number
  now?: number
}

// A folder named by makeVariants, and the `.tmp-<folder>-*` names replaceDirAtomic fills or renames aside.
const VARIANT_DIR = /^[0-9a-f]{20}$/
const VARIANT_TMP = /^\.tmp-[0-9a-f]{20}-/
// A dev file `<id>-<okey>-<width>.<ext>`, its `.sha256` sidecar, a picture's `<id>-<okey>.summary.json`, and writeFileAtomic's `<file>.<pid>-<random>.tmp`.
const DEV_FILE = /^[0-9a-f]{16}-[0-9a-f]{8}(?:-\d+\.(?:avif|webp|jpg|png)(?:\.sha256)?|\.summary\.json)(?:\.\d+(?:-[0-9a-f]+)?\.tmp)?$/

/** Records a use of a folder or file just read (lutimes: a link is never followed). Best effort. */
export function markUsedSync(target: string, stat: Stats, now = Date.now()): void {
  if (now - stat.mtimeMs < REFRESH_MS)
    return
  try {
    lutimesSync(target, now / 1000, now / 1000)
  }
  catch {
    // A read-only cache: its folders age, and are kept while a build uses them (see `used`).
  }
}

export async function markUsed(target: string, stat: Stats, now = Date.now()): Promise<void> {
  if (now - stat.mtimeMs >= REFRESH_MS)
    await lutimes(target, now / 1000, now / 1000).catch(() => {})
}

const names = (dir: string) => readdir(dir).catch((error) => {
  if (error?.code === 'ENOENT')
    return [] as string[]
  throw error
})

/** Bytes of the regular files under `dir`; links are counted as links, never followed. */
async function sizeOf(dir: string): Promise<number> {
  let bytes = 0
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name)
    bytes += entry.isDirectory() ? await sizeOf(file) : (await lstat(file)).size
  }
  return bytes
}

/**
 * Renames a stale folder aside, then deletes it: a reader sees the whole folder or none, and a
 * crash leaves a `.tmp-` name, removed by a later prune. A folder that another build used
 * between our stat and the rename (its mtime moved) is put back. Returns its bytes if removed.
 */
async function removeFolder(dir: string, stale: (s: Stats) => boolean): Promise<number | undefined> {
  const aside = path.join(path.dirname(dir), `.tmp-${path.basename(dir)}-pruned-${randomBytes(4).toString('hex')}`)
  try {
    await rename(dir, aside)
  }
  catch {
    return undefined
  }
  if (!stale(await lstat(aside))) {
    await rename(aside, dir).catch(() => rm(aside, { recursive: true, force: true }))
    return undefined
  }
  const bytes = await sizeOf(aside).catch(() => 0)
  await rm(aside, { recursive: true, force: true })
  return bytes
}

async function removeTree(dir: string): Promise<number> {
  const bytes = await sizeOf(dir).catch(() => 0)
  await rm(dir, { recursive: true, force: true })
  return bytes
}

/**
 * Removes the variant folders in `cacheDir` that this build did not use (`used`: the `dir` of
 * each VariantSet it read or made) and that no build used for `maxAgeMs` (their mtime, see
 * markUsedSync), and the leftovers of killed writers that old. Nothing else in the folder is
 * touched (`dev/`, other files, links). Safe beside another build: see removeFolder, and a
 * temporary folder is judged by its change time too, which a rename aside sets.
 */
export async function pruneVariantsCache(cacheDir: string, { used, maxAgeMs = RETENTION_MS, now = Date.now() }: PruneOptions & { used: Set<string> }): Promise<Pruned> {
  const keep = new Set([...used].map(dir => path.resolve(cacheDir, dir)))
  const stale = (s: Stats) => now - s.mtimeMs > maxAgeMs
  const pruned: Pruned = { count: 0, bytes: 0 }
  for (const name of await names(cacheDir)) {
    const dir = path.resolve(cacheDir, name)
    const variant = VARIANT_DIR.test(name)
    if ((!variant && !VARIANT_TMP.test(name)) || keep.has(dir))
      continue
    const stat = await lstat(dir).catch(() => undefined)
    if (!stat?.isDirectory() || !stale(stat) || (!variant && now - stat.ctimeMs <= maxAgeMs))
      continue
    const bytes = await (variant ? removeFolder(dir, stale) : removeTree(dir)).catch(() => undefined)
    if (bytes !== undefined) {
      pruned.count++
      pruned.bytes += bytes
    }
  }
  return pruned
}

/**
 * The same rule for the dev server's files in `devDir`: a variant's mtime is its last use (set
 * when it is served from disk), its sidecar goes with it, and a leftover temporary file goes
 * when its own times are that old. Only regular files named as the dev server names them.
 */
export async function pruneDevCache(devDir: string, { maxAgeMs = RETENTION_MS, now = Date.now() }: PruneOptions = {}): Promise<Pruned> {
  const pruned: Pruned = { count: 0, bytes: 0 }
  for (const name of await names(devDir)) {
    const file = path.join(devDir, name)
    const stat = DEV_FILE.test(name) ? await lstat(file).catch(() => undefined) : undefined
    if (!stat?.isFile())
      continue
    const variant = name.endsWith('.sha256') ? await lstat(file.slice(0, -'.sha256'.length)).catch(() => stat) : stat
    const lastUse = name.endsWith('.tmp') ? Math.max(stat.mtimeMs, stat.ctimeMs) : variant.mtimeMs
    if (now - lastUse > maxAgeMs && await rm(file).then(() => true, () => false)) {
      pruned.count++
      pruned.bytes += stat.size
    }
  }
  return pruned
}
