import type { ResolvedSpec } from '../model/resolved'
import type { SpecState } from './inventory'
import type { Project } from './open-project'
import { withCandidate } from '../model/candidates'
import { SeedreamError } from '../model/errors'
import { cacheKey } from '../model/key'
import { SPEC_FILE } from '../model/ids'
import { didYouMean } from '../model/nearest'
import { indexCandidates, nextCandidate } from './candidates'
import { specLabel } from './generation/guard'
import { writePick } from './store/picks'

/** One candidate of a spec as the review page and `status` show it. */
export interface CandidateView {
  /** Its number, from 1. */
  number: number
  /** How many pictures it holds (a series with `max_images`). */
  pictures: number
  width: number
  height: number
  /** What it cost, where the host said; else the price table's estimate. */
  cost: number
  created?: string
}

/** A spec with its candidates: what `seedream review` lists. */
export interface SpecView {
  /** The first candidate's key prefix: how the page and its requests name the spec. */
  id: string
  name: string
  file?: string
  prompt: string
  model: string
  provider: string
  size: string
  state: SpecState
  /** Estimated US dollars of one more candidate. */
  price: number
  /** What its stored candidates cost so far. */
  spent: number
  pick: number
  candidates: CandidateView[]
  /** The line that imports it. */
  importLine: string
}

/** A spec by its name (or its id on the page), or an error naming the ones there are. */
export function findSpec(specs: ResolvedSpec[], name: string): ResolvedSpec {
  const found = specs.filter(s => s.name === name || cacheKey(s).slice(0, 16) === name)
  if (found.length === 1)
    return found[0]!
  if (found.length > 1)
    throw new SeedreamError(`"${name}" names ${found.length} specs (${found.map(specLabel).join(', ')}): give its id (${found.map(s => cacheKey(s).slice(0, 16)).join(', ')}).`)
  throw new SeedreamError(`No spec is named "${name}".${didYouMean(name, specs.map(s => s.name))} Specs: ${specs.map(s => s.name).join(', ') || 'none'}.`)
}

/** Every spec with its stored candidates (placeholders: the candidates it asks for, drawn offline). */
export async function reviewSpecs(project: Project, specs: ResolvedSpec[]): Promise<SpecView[]> {
  const inv = await project.inventory(specs)
  const candidatesOf = indexCandidates((await project.store.list()).entries)
  return inv.specs.map((s) => {
    const { spec } = s
    const price = project.guard.priceOf(spec)
    const stored = [...candidatesOf(spec)].sort(([a], [b]) => a - b)
    const offline = !project.providerFor(spec).persistent
    const candidates: CandidateView[] = offline
      ? Array.from({ length: Math.max(spec.candidates, s.pick) }, (_, i) => ({ number: i + 1, pictures: spec.picture.max_images, width: 0, height: 0, cost: 0 }))
      : stored.map(([n, e]) => ({ number: n + 1, pictures: e.meta.images.length, width: e.meta.images[0]!.width, height: e.meta.images[0]!.height, cost: e.meta.cost ?? price, created: e.meta.created }))
    const { prompt, model, size, width, height } = spec.picture
    return {
      id: cacheKey(spec).slice(0, 16),
      name: spec.name,
      file: spec.file,
      prompt,
      model,
      provider: spec.provider,
      size: size === 'custom' ? `${width}×${height}` : size,
      state: s.state,
      price,
      spent: candidates.reduce((n, c) => n + c.cost, 0),
      pick: s.pick,
      candidates,
      importLine: importLine(spec, project.options.configPath),
    }
  })
}

function importLine(spec: ResolvedSpec, configPath: string | undefined): string {
  const ident = spec.name.replace(/[^\w$]+(.)?/g, (_, c: string | undefined) => c?.toUpperCase() ?? '').replace(/^(\d)/, '_$1') || 'picture'
  const fromConfig = !spec.file || spec.file === configPath || !SPEC_FILE.test(spec.file)
  return `import ${ident} from '${fromConfig ? spec.name : `./${spec.file}`}?seedream'`
}

/** Records candidate `number` (from 1) as the spec's pick: free, and no key changes. */
export async function pickCandidate(project: Project, spec: ResolvedSpec, number: number): Promise<void> {
  const offline = !project.providerFor(spec).persistent
  const stored = indexCandidates((await project.store.list()).entries)(spec)
  if (!Number.isInteger(number) || number < 1 || (offline ? number > Math.max(spec.candidates, 1) : !stored.has(number - 1))) {
    const have = offline ? Array.from({ length: spec.candidates }, (_, i) => i + 1) : [...stored.keys()].sort((a, b) => a - b).map(n => n + 1)
    throw new SeedreamError(`${specLabel(spec)} has no candidate ${number}; it has ${have.length ? have.join(', ') : 'none yet (generate it first)'}.`, { spec: spec.name, file: spec.file })
  }
  await writePick(project.store, spec, number - 1)
}

/** Generates one more candidate of a spec (paid; never in frozen mode); returns its number, from 1. */
export async function rerollCandidate(project: Project, spec: ResolvedSpec): Promise<number> {
  if (project.guard.frozen)
    throw new SeedreamError(`Frozen mode: ${specLabel(spec)} gets no new candidate (a reroll is a paid generation). Run it without --frozen / SEEDREAM_FROZEN.`, { spec: spec.name, file: spec.file }, 'SEEDREAM_FROZEN')
  if (!project.providerFor(spec).persistent)
    throw new SeedreamError(`${specLabel(spec)} is drawn offline (placeholder provider): its ${spec.candidates} candidate(s) are stand-ins, and a reroll needs a provider and its key.`, { spec: spec.name, file: spec.file })
  const next = nextCandidate(indexCandidates((await project.store.list()).entries)(spec))
  await project.originals.get(withCandidate(spec, next))
  return next + 1
}
