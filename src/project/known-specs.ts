import type { ResolvedOptions } from '../model/options'
import type { ResolvedSpec } from '../model/resolved'
import type { createSpecs } from './discover'
import type { Provider } from './providers/types'
import type { RemoteCache } from './remote/open-remote'
import type { Entry, Store } from './store/store'
import { cacheKey } from '../model/key'
import { neededCandidates } from './candidates'
import { inOrder } from './discover'
import { remoteMisses } from './remote/prefetch'

export interface KnownSpecs {
  /** Every declared spec: the config's, then the spec files'. */
  known: Promise<ResolvedSpec[]>
  /** The specs (candidates) the store lacks and the remote cache (asked for a build only) does not have. */
  lookups: Promise<ResolvedSpec[]>
}

/**
 * The project's specs and, for a build, what the remote cache has of what the store lacks. The
 * config's specs are looked up while the spec files are still being found (a walk of the
 * project), so the remote's answers, and the variant packs fetched ahead, arrive that much sooner.
 */
export function knownSpecs(specs: ReturnType<typeof createSpecs>, store: Store, providerFor: (spec: ResolvedSpec) => Provider, remote: Promise<RemoteCache | undefined>, options: ResolvedOptions, build: boolean): KnownSpecs {
  async function lookUp(found: Promise<ResolvedSpec[]>) {
    const list = await found
    // Each spec's candidates that a build needs (its pick, or its first `candidates`).
    const needed = list.flatMap(s => neededCandidates(store, s))
    // A corrupt entry is not a miss: its spec's load names it and the fix, and pays nothing.
    const stored: Array<Entry | boolean | undefined> = await Promise.all(needed.map(s => providerFor(s).persistent ? store.read(cacheKey(s)).catch(() => true) : true))
    const misses = build ? remoteMisses(needed, stored, await remote, options) : Promise.resolve(needed.filter((_, i) => !stored[i]))
    misses.catch(() => {})
    return { list, misses }
  }
  const parts = inOrder([lookUp(specs.named()), lookUp(specs.files())])
  const lookups = parts.then(all => Promise.all(all.map(p => p.misses))).then(m => m.flat())
  const known = parts.then(all => all.flatMap(p => p.list))
  lookups.catch(() => {})
  known.catch(() => {})
  return { known, lookups }
}
