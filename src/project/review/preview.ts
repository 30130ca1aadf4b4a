import type { ResolvedSpec } from '../../model/resolved'
import type { Project } from '../open-project'
import { withCandidate } from '../../model/candidates'
import { SeedreamError } from '../../model/errors'
import { cacheKey } from '../../model/key'
import { loadSharp } from '../images/sharp'

/** Previews kept in memory, newest last: a page of a few dozen candidates is made once. */
const kept = new Map<string, Promise<Buffer>>()
const KEEP = 200
const WIDTHS = [320, 640, 960, 1280]

/**
 * Picture `index` of candidate `number` (from 1) as a WebP preview at most `width` wide (one of
 * WIDTHS): read as a build reads it (checked against its hash), drawn for a placeholder, never
 * generated. A candidate that is not here costs nothing and is a 400.
 */
export async function candidatePreview(project: Project, spec: ResolvedSpec, number: number, index: number, width: number): Promise<Buffer> {
  if (!Number.isInteger(number) || number < 1)
    throw new SeedreamError(`"${spec.name}": there is no candidate ${number}.`)
  const candidate = withCandidate(spec, number - 1)
  const size = WIDTHS.find(w => w >= width) ?? WIDTHS.at(-1)!
  const id = `${cacheKey(candidate)}:${index}:${size}`
  let preview = kept.get(id)
  if (!preview) {
    preview = make(project, candidate, number, index, size)
    kept.set(id, preview)
    preview.catch(() => kept.delete(id))
    if (kept.size > KEEP)
      kept.delete(kept.keys().next().value!)
  }
  return preview
}

async function make(project: Project, candidate: ResolvedSpec, number: number, index: number, width: number): Promise<Buffer> {
  const set = await project.originals.cached(candidate)
  const original = set?.images[index]
  if (!original)
    throw new SeedreamError(`"${candidate.name}" has no picture ${index + 1} of candidate ${number} here.`)
  const data = await original.load()
  const sharp = await loadSharp()
  return project.shared.sharp(() => sharp(data).resize({ width, withoutEnlargement: true }).webp({ quality: 80 }).toBuffer())
}
