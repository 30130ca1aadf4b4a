import type { Guard } from './generation/guard'
import type { ResolvedSpec } from '../model/spec'
import type { CorruptEntry, Entry, Store } from './store/store'
import { cacheKey } from '../model/key'

export type SpecState = 'cached' | 'missing' | 'stale' | 'offline' | 'corrupt' | 'partial' | 'remote'

export interface SpecStatus {
  name: string
  file?: string
  key: string
  /**
   * cached; missing; stale: generated before from an earlier version of this spec; offline:
   * placeholder; corrupt: its folder cannot be used; partial: a paid job or picture waits in the journal;
   * remote: not here, but in the remote cache (said by `status`).
   */
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
  corrupt: CorruptEntry[]
  /** Job journals (paid pictures or jobs) of keys no current spec uses. */
  strandedJournals: string[]
  missingImages: number
  missingCost: number
}

/** The images and estimated cost of filling what the store and the remote cache lack. */
export function fillTotals(statuses: SpecStatus[]): Pick<Inventory, 'missingImages' | 'missingCost'> {
  const toFill = statuses.filter(s => s.state !== 'cached' && s.state !== 'offline' && s.state !== 'remote')
  return { missingImages: toFill.reduce((n, s) => n + s.images, 0), missingCost: toFill.reduce((n, s) => n + s.cost, 0) }
}

/** What the cache holds against what the specs ask for: the data behind `status` and `prune`. */
export async function takeInventory(specs: ResolvedSpec[], store: Store, guard: Guard): Promise<Inventory> {
  const { entries, leftovers, corrupt, partial } = await store.list()
  const byKey = new Map(entries.map(e => [e.meta.key, e]))
  const broken = new Set(corrupt.map(c => c.dir))
  const unfinished = new Set(partial.map(p => p.split(/[\\/]/).pop()))
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
    if (broken.has(store.entryDir(key)))
      return { ...base, state: 'corrupt', cost: guard.priceOf(spec) }
    if (unfinished.has(key.slice(0, 16)))
      return { ...base, state: 'partial', cost: guard.priceOf(spec) }
    const earlier = entries.some(e => e.meta.name === spec.name && e.meta.source === spec.file)
    return { ...base, state: earlier ? 'stale' : 'missing', cost: guard.priceOf(spec) }
  })
  return {
    specs: statuses,
    unused: entries.filter(e => !used.has(e.meta.key)),
    leftovers,
    corrupt,
    strandedJournals: partial.filter(p => !statuses.some(s => p.endsWith(s.key.slice(0, 16)))),
    ...fillTotals(statuses),
  }
}
