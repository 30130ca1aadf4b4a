import type { Guard } from './generation/guard'
import type { ResolvedSpec } from '../model/spec'
import type { CorruptEntry, Entry, Store } from './store/store'
import { cacheKey } from '../model/key'
import { indexCandidates, neededCandidates } from './candidates'
import { readPick } from './store/picks'

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
  /** Estimated US dollars to fill it (0 when cached): every candidate it still needs. */
  cost: number
  /** The numbers (from 1) of its candidates in the store, and the one its module exports. */
  candidates: number[]
  pick: number
  /** Whether the pick was made (recorded in .seedream/picks/), not the default first. */
  picked: boolean
  /** The folders of its stored candidates other than the one it exports. */
  unpicked: string[]
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
  const candidatesOf = indexCandidates(entries)
  const statuses = specs.map((spec): SpecStatus => {
    // Every stored candidate of a live spec is kept; its state is its shipped candidate's.
    const stored = candidatesOf(spec)
    stored.forEach(e => used.add(e.meta.key))
    const [shipped, ...others] = neededCandidates(store, spec)
    const key = cacheKey(shipped)
    const here = byKey.has(key)
    // What filling it costs: the shipped candidate if it is not here, and the others still to make.
    const toMake = (here ? 0 : 1) + others.filter(c => !byKey.has(cacheKey(c))).length
    const base = {
      name: spec.name, file: spec.file, key, spec, images: spec.picture.max_images * Math.max(toMake, 1), cost: guard.priceOf(spec) * toMake,
      candidates: [...stored.keys()].sort((a, b) => a - b).map(n => n + 1), pick: (shipped.candidate ?? 0) + 1,
      picked: readPick(store, spec) !== undefined,
      unpicked: [...stored].filter(([n]) => n !== (shipped.candidate ?? 0)).map(([, e]) => e.dir),
    }
    if (spec.provider === 'placeholder')
      return { ...base, state: 'offline', cost: 0 }
    return { ...base, state: here ? (toMake ? 'missing' : 'cached') : stateOfMiss(key, spec) }
  })
  function stateOfMiss(key: string, spec: ResolvedSpec): SpecState {
    if (broken.has(store.entryDir(key)))
      return 'corrupt'
    if (unfinished.has(key.slice(0, 16)))
      return 'partial'
    return entries.some(e => e.meta.name === spec.name && e.meta.source === spec.file) ? 'stale' : 'missing'
  }
  return {
    specs: statuses,
    unused: entries.filter(e => !used.has(e.meta.key)),
    leftovers,
    corrupt,
    strandedJournals: partial.filter(p => !statuses.some(s => p.endsWith(s.key.slice(0, 16)))),
    ...fillTotals(statuses),
  }
}
