import type { ResolvedSpec } from '../model/resolved'
import type { OriginalSet } from './generation/originals'
import type { VariantSet } from './images/variants'
import type { Project } from './open-project'
import { redact } from '../model/errors'
import { specLabel } from './generation/guard'
import { makeVariants } from './images/variants'

/** Scrubs every known key from anything thrown, whatever threw it. */
export async function scrubbed<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  }
  catch (error: any) {
    error.message = redact(String(error.message))
    error.stack = redact(String(error.stack))
    throw error
  }
}

function count(project: Project, spec: ResolvedSpec, set: OriginalSet): void {
  const { stats } = project
  if (!set.persistent)
    return void stats.placeholders.add(specLabel(spec))
  // Two specs asking for the same picture share one generation: it is paid for, and counted, once.
  const paid = set.generated && !project.generatedKeys.has(set.key)
  project.generatedKeys.add(set.key)
  stats[paid ? 'generated' : 'reused']++
  if (paid)
    stats.spend += set.cost ?? project.guard.priceOf(spec)
  stats.remainingCredits = set.remainingCredits ?? stats.remainingCredits
}

/**
 * A spec's pictures as a build ships them: originals from the store or the provider, then the
 * variants of each from the variants cache or sharp; the run's stats count both.
 */
export async function picturesOf(project: Project, spec: ResolvedSpec): Promise<VariantSet[]> {
  const { options, shared, stats } = project
  const set = await project.originals.get(spec)
  count(project, spec, set)
  return Promise.all(set.images.map(async (original) => {
    const encoded = project.progress.encoding(spec.name)
    const variants = await makeVariants(original, spec.output, options.variantsCacheDir, shared.sharp, shared.decoded, project.remote).finally(encoded)
    project.variantsUsed.add(variants.dir)
    stats[variants.made ? 'variantsMade' : 'variantsReused'] += variants.variants.length
    stats.bytesEmitted += variants.variants.reduce((n, v) => n + v.bytes, 0)
    return variants
  }))
}
