import type { ResolvedSpec } from './spec'
import { createHash } from 'node:crypto'

/** Bump when the meaning of a stored entry changes, so old entries stop matching. */
const KEY_VERSION = 1

/** JSON with object keys sorted at every depth, so equal specs hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v))
    ? Object.fromEntries(Object.keys(v).sort().map(k => [k, v[k]]))
    : v)
}

export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex')

/**
 * The content address of a spec's originals: what the provider is asked for, and nothing else.
 * `alt`, the name and the output options do not change the picture, so they are left out; nor
 * does `candidates`: candidate n > 1 is a spec of its own (see withCandidate), keyed with its number.
 */
export function cacheKey(spec: ResolvedSpec): string {
  let key = keys.get(spec)
  if (!key) {
    // The first candidate's key is the spec's as it always was, so its paid picture stays its own.
    key = sha256(canonicalJson({ v: KEY_VERSION, provider: spec.provider, picture: spec.picture, ...spec.candidate ? { candidate: spec.candidate } : {} }))
    keys.set(spec, key)
  }
  return key
}

/** Resolved specs are not changed once made, so each one's key is computed once. */
const keys = new WeakMap<ResolvedSpec, string>()
