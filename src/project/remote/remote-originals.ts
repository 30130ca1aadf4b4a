import type { ResolvedSpec } from '../../model/resolved'
import type { OriginalSet } from '../generation/original'
import type { Store } from '../store/store'
import type { RemoteCache } from './remote-cache'
import { RemoteUnusable } from '../generation/failures'

/**
 * Brings an original from the remote cache into the local store, verified there (see
 * getOriginal): true when the store has it now, so that every later read is a local one.
 */
export async function pullOriginal(remote: RemoteCache | undefined, store: Store, key: string): Promise<boolean> {
  const meta = remote && await remote.getOriginalMeta(key)
  const data = meta && await remote.getOriginalData(meta)
  if (!data)
    return false
  await store.write(meta, data)
  return true
}

/**
 * An original of the remote cache, known by its meta.json alone: its pictures are fetched
 * (verified, then stored here) only when a variant must be made from them, so a runner whose
 * variants are in the bucket never downloads them. Undefined when the bucket does not have it.
 */
export async function remoteOriginals(remote: RemoteCache | undefined, store: Store, spec: ResolvedSpec, key: string): Promise<OriginalSet | undefined> {
  const meta = await remote?.getOriginalMeta(key)
  if (!remote || !meta)
    return undefined
  let data: Promise<Buffer[]> | undefined
  const fetchAll = () => data ??= remote.getOriginalData(meta).then(async (got) => {
    if (!got)
      throw new RemoteUnusable(spec, remote.label)
    await store.write(meta, got)
    return got
  })
  return { key, images: meta.images.map((img, i) => ({ ...img, load: async () => (await fetchAll())[i]! })), generated: false, persistent: true }
}
