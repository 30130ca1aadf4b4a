/**
 * The bucket's layout, under the configured prefix:
 * - `originals/<key>.json`: an entry's meta.json (what was asked, and the hash of each picture);
 * - `blobs/<sha256>`: each original picture, named by the hash of its bytes;
 * - `variants/<variants key>.pack`: a set of encoded variants, its manifest (the hash of each
 *   file) and the files in one object, read in one request (see pack.ts).
 * A meta.json is written after its blobs, and nothing is ever replaced (conditional writes), so a
 * reader that finds one finds its blobs; a blob is named by its content, so two writers of one can
 * only write the same bytes.
 */
export const originalObject = (prefix: string, key: string) => `${prefix}originals/${key}.json`
export const variantsObject = (prefix: string, vkey: string) => `${prefix}variants/${vkey}.pack`
export const blobObject = (prefix: string, sha256: string) => `${prefix}blobs/${sha256}`

/** What an index names of a blob. */
export interface BlobRef { sha256: string, bytes: number }

/** The kind of object and its hash from a listed key, or undefined for anything else under the prefix. */
export function parseObject(prefix: string, key: string): { kind: 'originals' | 'variants' | 'blobs', id: string } | undefined {
  const match = /^(?:originals\/([0-9a-f]{64})\.json|variants\/([0-9a-f]{64})\.pack|blobs\/([0-9a-f]{64}))$/.exec(key.slice(prefix.length))
  if (!key.startsWith(prefix) || !match)
    return undefined
  return match[1] ? { kind: 'originals', id: match[1] } : match[2] ? { kind: 'variants', id: match[2] } : { kind: 'blobs', id: match[3]! }
}

const MiB = 1024 * 1024
/** Largest meta.json and variant pack read: the bucket is untrusted, so nothing is read unbounded. */
export const MAX_META = MiB
export const MAX_PACK = 512 * MiB

export const asJson = (data: Buffer): any => { try { return JSON.parse(data.toString('utf8')) } catch { return undefined } }
export const bytesOf = (b: Buffer) => new Uint8Array(b.buffer, b.byteOffset, b.length) as Uint8Array<ArrayBuffer>
