import type { ResolvedSpec } from './resolved'
import { cacheKey } from './key'

/** Candidate specs made once per spec and number, so each keeps one key (cacheKey is memoised per object). */
const made = new WeakMap<ResolvedSpec, ResolvedSpec[]>()

/**
 * Candidate `index` (from 0) of a spec: the spec itself for the first, else the same request keyed
 * with its number, so the store, the remote cache and the variants treat it as a spec of its own.
 * A fixed seed would give the same picture again, so candidate n is asked with seed + n.
 */
export function withCandidate(spec: ResolvedSpec, index: number): ResolvedSpec {
  if (!index)
    return spec
  const list = made.get(spec) ?? []
  made.set(spec, list)
  const { seed } = spec.picture
  return list[index] ??= {
    ...spec,
    candidate: index,
    candidateOf: cacheKey(spec),
    picture: seed === undefined || seed < 0 ? spec.picture : { ...spec.picture, seed: (seed + index) % 2_147_483_648 },
  }
}

/** The first `count` candidates of a spec. */
export const firstCandidates = (spec: ResolvedSpec, count = spec.candidates): ResolvedSpec[] =>
  Array.from({ length: count }, (_, i) => withCandidate(spec, i))
