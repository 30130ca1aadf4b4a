import type { ResolvedOptions } from '../options'
import type { ResolvedSpec } from '../spec'
import type { Provider } from './types'
import { arkProvider } from './ark'
import { falProvider } from './fal'
import { placeholderProvider } from './placeholder'
import { replicateProvider } from './replicate'
import { segmindProvider } from './segmind'

/** One instance per provider per build, so what one keeps (uploaded references) is shared. */
export function createProviders(opts: ResolvedOptions): (spec: ResolvedSpec) => Provider {
  const made = new Map<string, Provider>()
  const make = (name: ResolvedSpec['provider']): Provider => {
    switch (name) {
      case 'placeholder': return placeholderProvider()
      case 'ark': return arkProvider(opts.hosts.ark, opts)
      case 'fal': return falProvider(opts.hosts.fal, opts)
      case 'replicate': return replicateProvider(opts.hosts.replicate, opts)
      default: return segmindProvider(opts)
    }
  }
  return (spec) => {
    if (!made.has(spec.provider))
      made.set(spec.provider, make(spec.provider))
    return made.get(spec.provider)!
  }
}
