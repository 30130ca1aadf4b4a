import { closest, distance } from 'fastest-levenshtein'

/**
 * The candidate a misspelt name most likely meant (`stauts` → `status`, `heor` → `hero`), or
 * undefined when none is close: at most two letters, or a third of them, differ (a swap counts two).
 */
export function nearest(name: string, candidates: readonly string[]): string | undefined {
  if (!candidates.length)
    return undefined
  const best = closest(name, [...candidates])
  return distance(name, best) <= Math.max(2, Math.ceil(name.length / 3)) ? best : undefined
}

/** ` Did you mean "status"?`, or nothing. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const best = nearest(name, candidates)
  return best ? ` Did you mean "${best}"?` : ''
}
