/**
 * The bucket's layout, under the configured prefix:
 * - `originals/<key>.json`: an entry's meta.json (what was asked, and the hash of each picture);
 * - `variants/<variants key>.json`: a manifest of encoded variants (the hash of each file);
 * - `blobs/<sha256>`: every picture and variant, named by the hash of its bytes.
 * An index is written after its blobs and never replaced, so a reader that finds one finds its
 * blobs; a blob is named by its content, so two writers of one can only write the same bytes.
 */
export const originalObject = (prefix: string, key: string) => `${prefix}originals/${key}.json`
export const variantsObject = (prefix: string, vkey: string) => `${prefix}variants/${vkey}.json`
export const blobObject = (prefix: string, sha256: string) => `${prefix}blobs/${sha256}`

/** What an index names of a blob. */
export interface BlobRef { sha256: string, bytes: number }

/** The kind of object and its hash from a listed key, or undefined for anything else under the prefix. */
export function parseObject(prefix: string, key: string): { kind: 'originals' | 'variants' | 'blobs', id: string } | undefined {
  const match = /^(originals|variants)\/([0-9a-f]{64})\.json$|^blobs\/([0-9a-f]{64})$/.exec(key.slice(prefix.length))
  if (!key.startsWith(prefix) || !match)
    return undefined
  return match[1] ? { kind: match[1] as 'originals' | 'variants', id: match[2]! } : { kind: 'blobs', id: match[3]! }
}
