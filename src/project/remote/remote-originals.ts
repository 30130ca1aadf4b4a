import type { ResolvedSpec } from '../../model/resolved'
import type { OriginalSet } from '../generation/original'
import type { EntryMeta, Store } from '../store/store'
import type { RemoteCache } from './remote-cache'
import { RemoteUnusable } from '../generation/failures'
import { remotePackKey } from '../images/variant-plan'

/** The pictures a meta.json of the bucket names, verified (see getOriginalData) and stored here, so every later read is local. */
async function keepOriginal(remote: RemoteCache, store: Store, meta: EntryMeta): Promise<Buffer[] | undefined> {
  const data = await remote.getOriginalData(meta)
  if (data)
    await store.write(meta, data)
  return data
}

/** Brings an original from the remote cache into the local store: true when the store has it now. */
export async function pullOriginal(remote: RemoteCache | undefined, store: Store, key: string): Promise<boolean> {
  const meta = remote && await remote.getOriginalMeta(key)
  return Boolean(meta && await keepOriginal(remote, store, meta))
}

/**
 * An original of the remote cache, known by its meta.json alone: its pictures are fetched
 * (verified, then stored here) only when a variant must be made from them, so a runner whose
 * variants are in the bucket never downloads them. Undefined when the bucket does not have it.
 */
export async function remoteOriginals(remote: RemoteCache | undefined, store: Store, spec: ResolvedSpec, key: string): Promise<OriginalSet | undefined> {
  // Asked with the spec's first pack, which carries the meta.json: one request, not two, whether
  // this load or the build's lookups ask first.
  const meta = await remote?.getOriginalMeta(key, remotePackKey(key, 0, spec.output))
  if (!remote || !meta)
    return undefined
  let data: Promise<Buffer[]> | undefined
  const fetchAll = () => data ??= keepOriginal(remote, store, meta).then((got) => {
    if (!got)
      throw new RemoteUnusable(spec, remote.label)
    return got
  })
  return { key, images: meta.images.map((img, i) => ({ ...img, load: async () => (await fetchAll())[i]! })), generated: false, persistent: true }
}
