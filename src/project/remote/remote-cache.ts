import type { ResolvedRemote } from '../../model/options'
import type { EntryMeta } from '../store/store'
import type { BlobRef } from './layout'
import type { RemoteHealth } from './remote-health'
import type { S3Client } from './s3-client'
import pLimit from 'p-limit'
import { redact } from '../../model/errors'
import { sha256 } from '../../model/key'
import { decodeWhole } from '../generation/verify'
import { metaProblem } from '../store/entry-check'
import { asJson, blobObject, bytesOf, MAX_META, MAX_PACK, originalObject, variantsObject } from './layout'
import { pack, packedMeta, unpack } from './pack'
import { workBeside } from './work-beside'

export type { RemoteStats } from './remote-health'

const PREFETCH = 64 // variant sets fetched ahead at most: their bytes wait in memory for the load that takes them
type VariantsFound<T> = { manifest: T, data: Buffer[] } | undefined

/**
 * The shared remote cache of one run: reads verified against content hashes (a mismatch is
 * reported and ignored, never used), writes queued beside the build and awaited by `flush`.
 */
export function remoteCache(remote: ResolvedRemote, client: S3Client, health: RemoteHealth) {
  const { prefix, label } = remote
  const { state, stats, guarded } = health
  const uploads = pLimit(8)
  const work = workBeside()
  const metas = new Map<string, Promise<EntryMeta | undefined>>()
  const prefetched = new Map<string, Promise<Buffer | undefined>>()
  const originalUploads = new Map<string, Promise<unknown> | undefined>()

  /** Writes an object unless it is there, counted; a failure turns writing (or the remote) off. */
  const put = (key: string, body: Uint8Array<ArrayBuffer>, type: string) => uploads(async () => {
    if (state.write && await client.put(key, body, type)) {
      stats.uploaded++
      stats.uploadedBytes += body.length
    }
  })
  function queue(job: () => Promise<unknown>): Promise<unknown> | undefined {
    return state.write ? work.track(job().catch(error => health.failed(error, true))) : undefined
  }
  /** A bad object is named and never used; a run that may write deletes it, so that the next upload of the key replaces it. */
  function ignore(object: string, why: string): undefined {
    health.ignore(object, why, state.write)
    if (state.write)
      queue(() => client.delete(object))
    return undefined
  }
  const fetchMeta = (key: string) => guarded(async () => {
    const object = originalObject(prefix, key)
    const bytes = await client.get(object, MAX_META)
    const json = bytes && asJson(bytes)
    const problem = bytes && metaProblem(json, key)
    return problem ? ignore(object, problem) : json
  })
  const fetchPack = (packKey: string) => guarded(() => client.get(variantsObject(prefix, packKey), MAX_PACK))
  // Each pack is asked ahead once a run, by the build's lookups or by a load that came first.
  const requested = new Set<string>()
  function prefetch(packKey: string): void {
    if (state.read && !requested.has(packKey) && prefetched.size < PREFETCH) {
      requested.add(packKey)
      prefetched.set(packKey, fetchPack(packKey))
    }
  }
  async function readPack<T extends { variants: BlobRef[] }>(packKey: string, bytes: Buffer | undefined, source: string, check: (json: unknown) => T): Promise<VariantsFound<T>> {
    const object = variantsObject(prefix, packKey)
    const found = bytes && await unpack(bytes, source, check)
    if (typeof found === 'string')
      return ignore(object, found)
    if (found)
      stats.variantSets++
    return found
  }

  return {
    label, stats, client, prefix,
    get readable() { return state.read },
    get writable() { return state.write },
    /** An original's meta.json, checked: from the spec's first pack when one is on its way (a request fewer), else asked for. */
    getOriginalMeta(key: string, packKey?: string): Promise<EntryMeta | undefined> {
      if (packKey && !metas.has(key))
        prefetch(packKey)
      const ahead = packKey ? prefetched.get(packKey) : undefined
      if (!metas.has(key)) {
        metas.set(key, (async () => {
          const json = (ahead && packedMeta(await ahead, key)) || await fetchMeta(key)
          stats.originals += json ? 1 : 0
          return json
        })())
      }
      return metas.get(key)!
    },
    /** The pictures a meta.json names, each matching its size and hash and decoding whole; undefined if any does not. */
    async getOriginalData(meta: EntryMeta): Promise<Buffer[] | undefined> {
      const data = await guarded(() => Promise.all(meta.images.map(async (img: BlobRef) => {
        const object = blobObject(prefix, img.sha256)
        const got = await client.get(object, img.bytes)
        if (!got || got.length !== img.bytes || sha256(got) !== img.sha256 || await decodeWhole(got).then(() => false, () => true))
          return ignore(object, got ? `does not match its sha256, or does not decode (${got.length} bytes)` : 'is missing, though a meta.json names it')
        return got
      })))
      // A meta.json whose picture is gone is gone too (for a writing run), so the spec's next upload replaces both.
      if (data && !data.every(Boolean) && state.write)
        originalUploads.set(meta.key, queue(() => client.delete(originalObject(prefix, meta.key))))
      if (!data?.every(Boolean))
        return undefined
      stats.downloaded++
      return data as Buffer[]
    },
    /** Uploads an original now (after a deletion of its key under way): its pictures, then its meta.json, each only if absent. */
    putOriginal(meta: EntryMeta, data: Uint8Array[]): void {
      const before = originalUploads.get(meta.key)
      originalUploads.set(meta.key, queue(async () => {
        await before
        await Promise.all(meta.images.map((img, i) => put(blobObject(prefix, img.sha256), data[i] as Uint8Array<ArrayBuffer>, 'application/octet-stream')))
        await put(originalObject(prefix, meta.key), bytesOf(Buffer.from(redact(JSON.stringify(meta)))), 'application/json')
      }))
    },
    /** The set packed under `packKey` if made from `source` and sound (see unpack); one fetched ahead is handed to the first caller, then forgotten. */
    async getVariants<T extends { variants: BlobRef[] }>(packKey: string, source: string, check: (json: unknown) => T): Promise<VariantsFound<T>> {
      const ahead = prefetched.get(packKey)
      prefetched.delete(packKey)
      return readPack(packKey, await (ahead ?? fetchPack(packKey)), source, check)
    },
    /** Starts fetching a pack a load will ask for, in flight while the bundler does its own work. */
    prefetchVariants: prefetch,
    /** Uploads a pack made from `source`, unless the bucket's meta.json of the spec names another picture (another runner's won): a pack is shared only beside its original. */
    putVariants(packKey: string, specKey: string, source: string, manifest: { variants: BlobRef[] }, data: Uint8Array[]): void {
      queue(async () => {
        await originalUploads.get(specKey)
        const meta = asJson(await client.get(originalObject(prefix, specKey), MAX_META) ?? Buffer.from('null'))
        if (!meta || meta.images?.some((img: BlobRef) => img.sha256 === source))
          await put(variantsObject(prefix, packKey), pack(source, manifest, data, meta && !metaProblem(meta, specKey) ? meta : undefined), 'application/octet-stream')
      })
    },
    /** Whether the bucket has an original (or, with `variants`, a variant set); undefined when it cannot say. */
    has: (id: string, kind: 'originals' | 'variants' = 'originals'): Promise<boolean | undefined> =>
      guarded(() => client.has((kind === 'originals' ? originalObject : variantsObject)(prefix, id)), true),
    /** A local copy being written beside the build, awaited by `flush`. */
    beside: work.beside,
    /** Awaits the uploads and deletions: what the end-of-build summary counts. */
    uploaded: () => work.settleTracked().then(() => stats),
    /** Awaits the uploads and the local copies; throws the first failure of a copy. */
    flush: () => work.settle().then(() => stats),
  }
}

export type RemoteCache = ReturnType<typeof remoteCache>
