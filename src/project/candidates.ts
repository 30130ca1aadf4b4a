import type { ResolvedSpec } from '../model/resolved'
import type { Entry, Store } from './store/store'
import { firstCandidates, withCandidate } from '../model/candidates'
import { cacheKey } from '../model/key'
import { readPick } from './store/picks'

/**
 * The candidates a build needs of a spec, the one its module exports first: the picked one alone
 * once a pick is recorded (the others may have been pruned, and are not asked again), else the
 * first `candidates`, of which the first is exported.
 */
export function neededCandidates(store: Store, spec: ResolvedSpec): [ResolvedSpec, ...ResolvedSpec[]] {
  const pick = readPick(store, spec)
  return pick === undefined ? [spec, ...firstCandidates(spec).slice(1)] : [withCandidate(spec, pick)]
}

/**
 * The store's entries indexed once; then the stored candidates of a spec, by number from 0. A
 * candidate entry counts only if its key is the one its number gives, so no entry is claimed by
 * a spec it was not generated for.
 */
export function indexCandidates(entries: Entry[]): (spec: ResolvedSpec) => Map<number, Entry> {
  const byKey = new Map(entries.map(e => [e.meta.key, e]))
  const byFirst = new Map<string, Entry[]>()
  for (const entry of entries) {
    if (entry.meta.candidateOf)
      byFirst.set(entry.meta.candidateOf, [...byFirst.get(entry.meta.candidateOf) ?? [], entry])
  }
  return (spec) => {
    const key = cacheKey(spec)
    const found = new Map<number, Entry>()
    if (byKey.has(key))
      found.set(0, byKey.get(key)!)
    for (const entry of byFirst.get(key) ?? []) {
      const n = entry.meta.candidate
      if (Number.isInteger(n) && n! > 0 && entry.meta.key === cacheKey(withCandidate(spec, n!)))
        found.set(n!, entry)
    }
    return found
  }
}

/** The number the next candidate gets: one past the highest stored, so a pruned one's number is never asked again. */
export const nextCandidate = (stored: Map<number, Entry>): number => Math.max(0, ...[...stored.keys()].map(n => n + 1))
