import type { ResolvedOptions } from '../../model/options'
import type { ResolvedSpec } from '../../model/resolved'
import { SeedreamError } from '../../model/errors'
import { specLabel } from './guard'

const HOW = 'set a provider and its key, or `allowPlaceholders: true` to ship them on purpose'

const list = (labels: Iterable<string>) => [...labels].join(', ')

/**
 * The offline provider's pictures are marked stand-ins: fine on a laptop, never what CI should
 * ship by accident. A CI or frozen build refuses them before any work, naming every spec.
 */
export function refusePlaceholders(options: ResolvedOptions, specs: ResolvedSpec[]): void {
  const offline = specs.filter(s => s.provider === 'placeholder')
  if (!offline.length || options.allowPlaceholders || !(options.frozen || options.ci))
    return
  throw new SeedreamError(`${offline.length} spec(s) use the offline placeholder provider, and a ${options.frozen ? 'frozen' : 'CI'} build does not ship placeholders: ${list(offline.map(specLabel))}. Fix: ${HOW}.`)
}

/** The warning of a production build that shipped placeholders (none when they are allowed). */
export function placeholderWarning(labels: Set<string>, options: ResolvedOptions): string | undefined {
  if (!labels.size || options.allowPlaceholders)
    return undefined
  return `${labels.size} picture(s) of this production build are offline placeholders, marked PLACEHOLDER: ${list([...labels].sort())}. To ship real pictures, ${HOW}.`
}
