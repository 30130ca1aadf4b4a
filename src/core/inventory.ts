import type { Guard } from './guard'
import type { ResolvedSpec } from './spec'
import type { Entry, Store } from './store'
import { cacheKey } from './key'

export type SpecState = 'cached' | 'missing' | 'stale' | 'offline'

export interface SpecStatus {
  name: string
  file?: string
  key: string
  /** cached; missing; stale: generated before from an earlier version of this spec; offline: placeholder. */
  state: SpecState
  images: number
  /** Estimated US dollars to fill it (0 when cached). */
  cost: number
  spec: ResolvedSpec
}

export interface Inventory {
  specs: SpecStatus[]
  /** Entries no current spec uses. */
  unused: Entry[]
  /** Half-written folders left by killed processes. */
  leftovers: string[]
  missingImages: number
  missingCost: number
}

/** What the cache holds against what the specs ask for: the data behind `status` and `prune`. */
export async function takeInventory(specs: ResolvedSpec[], store: Store, guard: Guard): Promise<Inventory> {
  const { entries, leftovers } = await store.list()
  const byKey = new Map(entries.map(e => [e.meta.key, e]))
  const used = new Set<string>()
  const statuses = specs.map((spec): SpecStatus => {
    const key = cacheKey(spec)
    const base = { name: spec.name, file: spec.file, key, images: spec.picture.max_images, spec }
    if (spec.provider === 'placeholder')
      return { ...base, state: 'offline', cost: 0 }
    if (byKey.has(key)) {
      used.add(key)
      return { ...base, state: 'cached', cost: 0 }
    }
    const earlier = entries.some(e => e.meta.name === spec.name && e.meta.source === spec.file)
    return { ...base, state: earlier ? 'stale' : 'missing', cost: guard.priceOf(spec) }
  })
  const toFill = statuses.filter(s => s.state === 'missing' || s.state === 'stale')
  return {
    specs: statuses,
    unused: entries.filter(e => !used.has(e.meta.key)),
    leftovers,
    missingImages: toFill.reduce((n, s) => n + s.images, 0),
    missingCost: toFill.reduce((n, s) => n + s.cost, 0),
  }
}
