import type { ResolvedSpec } from '../model/resolved'
import type { OriginalSet } from './generation/originals'
import type { VariantSet } from './images/variants'
import type { Project } from './open-project'
import { redact } from '../model/errors'
import { RemoteUnusable } from './generation/failures'
import { specLabel } from './generation/guard'
import { neededCandidates } from './candidates'
import { remotePackKey } from './images/variant-plan'
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
 * A spec's pictures as a build ships them: the picked candidate's originals from the store, the
 * remote cache or the provider, then the variants of each from the variants cache, the remote
 * cache or sharp; the run's stats count both. A remote picture that fails its check when it is
 * needed is done without. The other candidates of a first generation are paid for and stored
 * beside, never shipped.
 */
export async function picturesOf(project: Project, declared: ResolvedSpec): Promise<VariantSet[]> {
  const [spec, ...others] = neededCandidates(project.store, declared)
  const paid = project.providerFor(spec).persistent ? others : []
  const asked = Promise.all(paid.map(async (c) => {
    const set = await project.originals.get(c)
    if (set.generated)
      count(project, c, set)
  }))
  asked.catch(() => {})
  const set = await project.originals.get(spec)
  const sets = await variantsOf(project, spec, set).catch(async (error) => {
    if (!(error instanceof RemoteUnusable))
      throw error
    return variantsOf(project, spec, await project.originals.get(spec, false))
  })
  await asked
  return sets
}

function variantsOf(project: Project, spec: ResolvedSpec, set: OriginalSet): Promise<VariantSet[]> {
  const { options, shared, stats } = project
  return Promise.all(set.images.map(async (original, i) => {
    const encoded = project.progress.encoding(spec.name)
    // Offline placeholders are drawn anew by each runner, never shared.
    const remote = project.remote && set.persistent ? { cache: project.remote, packKey: remotePackKey(set.key, i, spec.output), specKey: set.key } : undefined
    return makeVariants(original, spec.output, options.variantsCacheDir, shared.sharp, shared.decoded, remote).finally(encoded)
  })).then((sets) => {
    count(project, spec, set)
    for (const variants of sets) {
      project.variantsUsed.add(variants.dir)
      stats[variants.made ? 'variantsMade' : 'variantsReused'] += variants.variants.length
      stats.bytesEmitted += variants.variants.reduce((n, v) => n + v.bytes, 0)
    }
    return sets
  })
}
