import type { BlobRef } from './layout'
import { bytesOf } from './layout'
import { webcrypto } from 'node:crypto'

/** A manifest line is a few KiB; a pack whose first line is not found this early is not ours. */
const MAX_HEADER = 1024 * 1024

/**
 * A variant set as one object: its manifest as one JSON line, then each file's bytes in the
 * manifest's order. One request reads a whole set, and one conditional write publishes it whole,
 * so a reader never sees half of a set.
 */
export function pack(source: string, manifest: { variants: BlobRef[] }, data: Uint8Array[]): Uint8Array<ArrayBuffer> {
  return bytesOf(Buffer.concat([Buffer.from(`${JSON.stringify({ source, ...manifest })}\n`), ...data]))
}

/**
 * The manifest (`check` returns it, or throws on a bad one) and the files of a pack, each of the
 * size and sha256 the manifest gives, with nothing before, between or after; or what is wrong;
 * or undefined for a sound pack made from another original than `source` (another runner's).
 */
export async function unpack<T extends { variants: BlobRef[] }>(bytes: Buffer, source: string, check: (json: unknown) => T): Promise<{ manifest: T, data: Buffer[] } | string | undefined> {
  const end = bytes.subarray(0, MAX_HEADER).indexOf(0x0A)
  if (end < 0)
    return 'is not a variant pack (no manifest line)'
  let manifest: T
  let from: unknown
  try {
    const { source: made, ...json } = JSON.parse(bytes.subarray(0, end).toString('utf8'))
    from = made
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
