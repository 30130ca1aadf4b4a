import type { ResolvedRemote } from '../../model/options'
import type { Logger } from '../ports'
import type { EntryMeta } from '../store/store'
import type { BlobRef } from './layout'
import type { S3Client } from './s3-client'
import pLimit from 'p-limit'
import { HttpError, redact } from '../../model/errors'
import { sha256 } from '../../model/key'
import { decodeWhole } from '../generation/verify'
import { metaProblem } from '../store/entry-check'
import { blobObject, originalObject, variantsObject } from './layout'

export interface RemoteStats {
  /** Originals and variant sets read from the bucket. */
  originals: number
  variantSets: number
  uploaded: number
  uploadedBytes: number
  /** Objects that failed their checks. */
  ignored: number
}

const bytesOf = (text: string) => new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>
const asJson = (data: Buffer) => { try { return JSON.parse(data.toString('utf8')) } catch { return undefined } }

/**
 * The shared remote cache of one run: reads verified against content hashes (a mismatch is
 * reported and ignored, never used), writes queued in parallel with the build and awaited by
 * `flush`. A remote that fails costs one warning and is left alone for the rest of the run.
 */
export function remoteCache(remote: ResolvedRemote, client: S3Client, log: Logger) {
  const { prefix, label } = remote
  const state = { read: remote.read, write: remote.write }
  const stats: RemoteStats = { originals: 0, variantSets: 0, uploaded: 0, uploadedBytes: 0, ignored: 0 }
  const uploads = pLimit(8)
  const pending = new Set<Promise<unknown>>()

  function failed(error: any, writing: boolean): undefined {
    const reason = redact(error instanceof HttpError ? `${error.status ?? 'network error'} ${error.detail}` : String(error?.message ?? error))
    if (writing && error instanceof HttpError && error.status === 403 && state.write) {
      state.write = false
      log.warn(`Cannot write to the remote cache ${label} (${reason}): this run only reads from it. Allow s3:PutObject, or set remote.write: false.`)
    }
    else if (state.read || state.write) {
      state.read = state.write = false
      log.warn(`The remote cache ${label} does not answer (${reason}): this run goes on without it, with the local store and the provider.`)
    }
    return undefined
  }
  function ignore(object: string, why: string): undefined {
    stats.ignored++
    log.warn(`${label}/${object.slice(prefix.length)} ${why}: ignored, never used. Delete it, or run \`seedream prune --remote\`.`)
    return undefined
  }

  /** The blobs an index names, each of the size and hash it gives; undefined if any is absent or wrong. */
  async function blobs(refs: BlobRef[]): Promise<Buffer[] | undefined> {
    const data = await Promise.all(refs.map(async (ref) => {
      const object = blobObject(prefix, ref.sha256)
      const got = await client.get(object)
      if (got && (got.length !== ref.bytes || sha256(got) !== ref.sha256))
        return ignore(object, `does not match its sha256 (${got.length} bytes)`)
      return got
    }))
    return data.every(Boolean) ? data as Buffer[] : undefined
  }

  /** An index and its blobs, or undefined; `check` returns the index's blob list, or a problem. */
  async function read<T>(object: string, check: (json: unknown) => { index: T, refs: BlobRef[] } | string): Promise<{ index: T, data: Buffer[] } | undefined> {
    if (!state.read)
      return undefined
    try {
      const text = await client.get(object)
      if (!text)
        return undefined
      const checked = check(asJson(text))
      if (typeof checked === 'string')
        return ignore(object, checked)
      const data = await blobs(checked.refs)
      return data && { index: checked.index, data }
    }
    catch (error) {
      return failed(error, false)
    }
  }

  /** Queues an index's upload: its blobs first, then the index, each written only if absent. */
  function write(object: string, index: unknown, refs: BlobRef[], data: Uint8Array[], type: string): void {
    if (!state.write)
      return
    const put = (key: string, body: Uint8Array<ArrayBuffer>, contentType: string) => uploads(async () => {
      if (state.write && await client.put(key, body, contentType)) {
        stats.uploaded++
        stats.uploadedBytes += body.length
      }
    })
    const job = Promise.all(refs.map((ref, i) => put(blobObject(prefix, ref.sha256), data[i] as Uint8Array<ArrayBuffer>, type)))
      .then(() => put(object, bytesOf(redact(JSON.stringify(index))), 'application/json'))
      .catch(error => failed(error, true))
    pending.add(job)
    void job.finally(() => pending.delete(job))
  }

  return {
    label,
    stats,
    get readable() { return state.read },
    get writable() { return state.write },
    /** An original's meta.json and pictures, each picture matching its hash and decoding whole. */
    async getOriginal(key: string): Promise<{ meta: EntryMeta, data: Buffer[] } | undefined> {
      const object = originalObject(prefix, key)
      const found = await read<EntryMeta>(object, (json: any) => metaProblem(json, key) ?? { index: json, refs: json.images })
      if (!found)
        return undefined
      for (const [i, data] of found.data.entries()) {
        if (await decodeWhole(data).then(() => false, () => true))
          return ignore(blobObject(prefix, found.index.images[i]!.sha256), 'does not decode')
      }
      stats.originals++
      return { meta: found.index, data: found.data }
    },
    putOriginal: (meta: EntryMeta, data: Uint8Array[]) => write(originalObject(prefix, meta.key), meta, meta.images, data, 'application/octet-stream'),
    /** A variant set's manifest (checked by the caller's `check`, which throws on a bad one) and files. */
    async getVariants<T extends { variants: BlobRef[] }>(vkey: string, check: (json: unknown) => T): Promise<{ manifest: T, data: Buffer[] } | undefined> {
      const found = await read<T>(variantsObject(prefix, vkey), (json) => {
        try { const manifest = check(json); return { index: manifest, refs: manifest.variants } }
        catch (error: any) { return `is not a manifest of these variants (${error.message})` }
      })
      if (found)
        stats.variantSets++
      return found && { manifest: found.index, data: found.data }
    },
    putVariants: (vkey: string, manifest: { variants: BlobRef[] }, data: Uint8Array[]) => write(variantsObject(prefix, vkey), manifest, manifest.variants, data, 'application/octet-stream'),
    /** Whether the bucket has an original (or, with `variants`, a variant set); undefined when it cannot say. */
    has: (id: string, kind: 'originals' | 'variants' = 'originals'): Promise<boolean | undefined> => state.read
      ? client.has((kind === 'originals' ? originalObject : variantsObject)(prefix, id)).catch(error => failed(error, false))
      : Promise.resolve(undefined),
    /** Waits for every upload queued so far (and any they queue). */
    async flush(): Promise<RemoteStats> {
      while (pending.size)
        await Promise.allSettled([...pending])
      return stats
    },
    client,
    prefix,
  }
}

export type RemoteCache = ReturnType<typeof remoteCache>
