import type { EntryMeta } from '../store/store'
import type { BlobRef } from './layout'
import { webcrypto } from 'node:crypto'
import { metaProblem } from '../store/entry-check'
import { bytesOf } from './layout'

/** A manifest line is a few KiB; a pack whose first line is not found this early is not ours. */
const MAX_HEADER = 1024 * 1024

/**
 * A variant set as one object: its manifest as one JSON line, then each file's bytes in the
 * manifest's order. One request reads a whole set, and one conditional write publishes it whole,
 * so a reader never sees half of a set. The line also carries the spec's meta.json as the bucket
 * has it, so a fresh runner learns of the original from the pack it fetches anyway.
 */
export function pack(source: string, manifest: { variants: BlobRef[] }, data: Uint8Array[], meta?: EntryMeta): Uint8Array<ArrayBuffer> {
  return bytesOf(Buffer.concat([Buffer.from(`${JSON.stringify({ source, meta, ...manifest })}\n`), ...data]))
}

/** The first line of a pack, parsed; undefined when there is none. */
function header(bytes: Buffer): { end: number, json: any } | undefined {
  const end = bytes.subarray(0, MAX_HEADER).indexOf(0x0A)
  try {
    return end < 0 ? undefined : { end, json: JSON.parse(bytes.subarray(0, end).toString('utf8')) }
  }
  catch {
    return undefined
  }
}

/**
 * The meta.json a pack carries for `key`, if it passes the store's check and names the pack's
 * source as the spec's first picture (the only picture whose pack is asked for it); else undefined,
 * and the meta.json itself is asked for.
 */
export function packedMeta(bytes: Buffer | undefined, key: string): EntryMeta | undefined {
  const { source, meta } = (bytes && header(bytes)?.json) ?? {}
  return meta && !metaProblem(meta, key) && meta.images[0]?.sha256 === source ? meta : undefined
}

/**
 * The manifest (`check` returns it, or throws on a bad one) and the files of a pack, each of the
 * size and sha256 the manifest gives, with nothing before, between or after; or what is wrong;
 * or undefined for a sound pack made from another original than `source` (another runner's).
 */
export async function unpack<T extends { variants: BlobRef[] }>(bytes: Buffer, source: string, check: (json: unknown) => T): Promise<{ manifest: T, data: Buffer[] } | string | undefined> {
  const line = header(bytes)
  if (!line)
    return 'is not a variant pack (its first line is not a JSON manifest)'
  const { end, json: { source: from, meta: _meta, ...json } } = line
  let manifest: T
  try {
    manifest = check(json)
  }
  catch (error: any) {
    return `is not a pack of these variants (${error.message})`
  }
  const total = manifest.variants.reduce((n, v) => n + v.bytes, 0)
  if (end + 1 + total !== bytes.length)
    return `holds ${bytes.length - end - 1} bytes of files, its manifest lists ${total}`
  let at = end + 1
  const data = manifest.variants.map(v => bytes.subarray(at, at += v.bytes))
  // Hashed on the thread pool, side by side, not on the main thread the build is bound by.
  const hashes = await Promise.all(data.map(async file => Buffer.from(await webcrypto.subtle.digest('SHA-256', file)).toString('hex')))
  if (hashes.some((h, i) => h !== manifest.variants[i]!.sha256))
    return 'has a file that does not match its sha256'
  return from === source ? { manifest, data } : undefined
}
