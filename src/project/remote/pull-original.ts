import type { Store } from '../store/store'
import type { RemoteCache } from './remote-cache'

/**
 * Brings an original from the remote cache into the local store, verified there (see
 * getOriginal): true when the store has it now, so that every later read is a local one.
 */
export async function pullOriginal(remote: RemoteCache | undefined, store: Store, key: string): Promise<boolean> {
  const got = remote && await remote.getOriginal(key)
  if (!got)
    return false
  await store.write(got.meta, got.data)
  return true
}
