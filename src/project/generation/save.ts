import type { GenerateResult } from '../providers/types'
import type { ResolvedSpec, VerifiedImage } from '../../model/resolved'
import type { Entry, EntryMeta, Store } from '../store/store'
import { SeedreamError } from '../../model/errors'
import { failureOf } from './failures'
import { verifyPicture } from './verify'

/** Stores a generation's pictures, each verified (providers without a journal are checked here). */
export async function saveGeneration(store: Store, spec: ResolvedSpec, key: string, provider: string, result: GenerateResult, ctx: { maxImageBytes: number, repair?: boolean }): Promise<{ entry: Entry, ours: boolean }> {
  const verified = await Promise.all(result.images.map(img => 'sha256' in img ? img as VerifiedImage : verifyPicture(img, spec, ctx.maxImageBytes)))
    .catch((error) => { throw failureOf(spec, provider, error) })
  if (!verified.length)
    throw new SeedreamError(`"${spec.name}": ${provider} answered without any picture, though the call may have been billed.`, { spec: spec.name, file: spec.file }, 'SEEDREAM_BAD_PICTURE')
  const meta: EntryMeta = {
    key,
    name: spec.name,
    source: spec.file,
    provider,
    model: spec.picture.model,
    picture: spec.picture,
    created: new Date().toISOString(),
    requestIds: result.requestIds,
    remainingCredits: result.remainingCredits,
    cost: result.cost,
    seed: result.seed ?? spec.picture.seed,
    ...spec.candidate ? { candidate: spec.candidate, candidateOf: spec.candidateOf } : {},
    images: verified.map((img, i) => ({ file: `${i}.${img.format}`, format: img.format, width: img.width, height: img.height, bytes: img.data.length, sha256: img.sha256 })),
  }
  const entry = await store.write(meta, verified.map(img => img.data), ctx.repair)
  return { entry, ours: entry.meta === meta }
}

