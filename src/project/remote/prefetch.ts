import type { ResolvedSpec } from '../../model/resolved'
import type { ResolvedOptions } from '../../model/options'
import type { Entry, OriginalImage } from '../store/store'
import type { RemoteCache } from './remote-cache'
import { existsSync } from 'node:fs'
import pLimit from 'p-limit'
import { cacheKey } from '../../model/key'
import { variantsPlan } from '../images/variant-plan'
import { checkManifest } from '../store/variant-cache'

/**
 * Starts fetching, at a build's start, the variant sets a spec's pictures lack in the local
 * variants cache: they are in flight while the bundler reads the sources, and a load takes them.
 */
function prefetchVariants(remote: RemoteCache, spec: ResolvedSpec, images: Array<Pick<OriginalImage, 'sha256' | 'width'>>, cacheDir: string): void {
  for (const img of images) {
    const { vkey, dir, planned } = variantsPlan(img, spec.output, cacheDir)
    if (!existsSync(dir))
      remote.prefetchVariants(vkey, json => checkManifest(json, planned, spec.output.placeholder))
  }
}

/**
 * At a build's start, what the remote cache has of what the store lacks (one round trip per
 * spec, for its meta.json): a picture found there is no miss, neither for the budget nor in frozen
 * mode. The variant sets of every picture, stored or remote, are fetched in the background.
 */
export async function remoteMisses(known: ResolvedSpec[], stored: Array<Entry | boolean | undefined>, remote: RemoteCache | undefined, options: ResolvedOptions): Promise<ResolvedSpec[]> {
  const missing = known.filter((_, i) => !stored[i])
  if (!remote)
    return missing
  const limit = pLimit(16)
  const metas = await Promise.all(known.map((s, i) => stored[i] ? undefined : limit(() => remote.getOriginalMeta(cacheKey(s)))))
  known.forEach((spec, i) => {
    const meta = typeof stored[i] === 'object' ? stored[i].meta : metas[i]
    if (meta)
      prefetchVariants(remote, spec, meta.images, options.variantsCacheDir)
  })
  return known.filter((_, i) => !stored[i] && !metas[i])
}
