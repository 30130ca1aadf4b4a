import type { ResolvedOptions } from '../../model/options'
import type { ResolvedSpec } from '../../model/resolved'
import type { Entry } from '../store/store'
import type { RemoteCache } from './remote-cache'
import { existsSync } from 'node:fs'
import pLimit from 'p-limit'
import { cacheKey } from '../../model/key'
import { remotePackKey, variantsPlan } from '../images/variant-plan'

/**
 * At a build's start: the variant packs of every spec whose variants the local cache lacks are
 * fetched in the background (their names need no answer first), so they are in flight while the
 * bundler reads the sources and a load takes them; then what the remote cache has of what the
 * store lacks (the meta.json each spec's first pack carries, else one request for it), so that a
 * picture found there is no miss, neither for the budget nor in frozen mode.
 */
export async function remoteMisses(known: ResolvedSpec[], stored: Array<Entry | boolean | undefined>, remote: RemoteCache | undefined, options: ResolvedOptions): Promise<ResolvedSpec[]> {
  if (!remote)
    return known.filter((_, i) => !stored[i])
  const keys = known.map(s => cacheKey(s))
  known.forEach((spec, i) => {
    const entry = stored[i]
    if (entry === true)
      return
    const images = typeof entry === 'object' ? entry.meta.images : undefined
    for (let n = 0; n < (images?.length ?? spec.picture.max_images); n++) {
      if (!images || !existsSync(variantsPlan(images[n]!, spec.output, options.variantsCacheDir).dir))
        remote.prefetchVariants(remotePackKey(keys[i]!, n, spec.output))
    }
  })
  const limit = pLimit(16)
  const metas = await Promise.all(known.map((s, i) => stored[i] ? undefined : limit(() => remote.getOriginalMeta(keys[i]!, remotePackKey(keys[i]!, 0, s.output)))))
  return known.filter((_, i) => !stored[i] && !metas[i])
}
