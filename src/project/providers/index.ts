import type { ResolvedOptions } from '../../model/options'
import type { ResolvedSpec } from '../../model/spec'
import type { Provider } from './types'
import { arkProvider } from './ark'
import { falProvider } from './fal'
import { placeholderProvider } from './placeholder'
import { createRateGate } from './rate-gate'
import { replicateProvider } from './replicate'
import { segmindProvider } from './segmind'

/** One instance per provider per build, so what one keeps (uploaded references) is shared. */
export function createProviders(opts: ResolvedOptions): (spec: ResolvedSpec) => Provider {
  const made = new Map<string, Provider>()
  const make = (name: ResolvedSpec['provider']): Provider => {
    // One client per host: its own rate gate, the build's timeouts, retries and size limit.
    const policy = { retries: opts.retries, retryDelay: opts.retryDelay, timeout: opts.timeout, maxBytes: opts.maxImageBytes, gate: createRateGate() }
    switch (name) {
      case 'placeholder': return placeholderProvider()
      case 'ark': return arkProvider(opts.hosts.ark, policy)
      case 'fal': return falProvider(opts.hosts.fal, policy)
      case 'replicate': return replicateProvider(opts.hosts.replicate, policy)
      default: return segmindProvider({ ...policy, apiKey: opts.apiKey, apiUrl: opts.apiUrl, uploadUrl: opts.uploadUrl })
    }
  }
  return (spec) => {
    if (!made.has(spec.provider))
      made.set(spec.provider, make(spec.provider))
    return made.get(spec.provider)!
  }
}
