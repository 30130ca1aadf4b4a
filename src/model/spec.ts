import type { OutputOptions, ProviderName, SeedreamSpec } from './types'
import type { SpecIssue } from './errors'
import type { PictureRequest, ResolvedMarkup, ResolvedOutput, ResolvedSpec } from './resolved'
import { SpecError } from './errors'
import { predictedSize, requestedSize } from './geometry'
import { DEFAULT_MARKUP, DEFAULT_OUTPUT, DEFAULT_PICTURE } from './defaults'
import { PIXELS_45, SPEC_FIELDS } from './schema'
import { checkOutput, checkPicture, isRecord, unknownFields } from './spec-rules'

export type { PictureRequest, ResolvedSpec } from './resolved'

export interface SpecContext {
  name: string
  file?: string
  provider: ProviderName
  output: OutputOptions
}

const round64 = (n: number) => Math.round(n / 64) * 64
const px = (n: number) => `${n.toLocaleString('en')} px`
/**
 * Reference images: Segmind's pages say 1–3 (their own 4.5 sample sends 5); BytePlus, the models'
 * vendor, takes up to 14, and at most 15 references and outputs together.
 */
const REFERENCES = { documented: 3, max: 14, withOutputs: 15 }
/** A reference is an http(s) URL or a local path; any other scheme is refused. */
const isReference = (s: unknown) => typeof s === 'string' && s.trim() !== '' && (/^https?:\/\/\S+$/i.test(s) || !/^[a-z][\w+.-]*:/i.test(s))

function checkImageInput(raw: Record<string, any>, issues: SpecIssue[]): void {
  const input = raw.image_input
  if (input === undefined) {
    if (raw.aspect_ratio === 'match_input_image')
      issues.push({ field: 'aspect_ratio', message: '"match_input_image" needs image_input; choose a ratio such as "1:1" or "16:9"' })
    return
  }
  const urls = Array.isArray(input) ? input : [input]
  const outputs = typeof raw.max_images === 'number' ? raw.max_images : 1
  if (urls.length < 1 || urls.length > REFERENCES.max)
    issues.push({ field: 'image_input', message: `takes 1 to ${REFERENCES.max} reference images (got ${urls.length})` })
  else if (urls.length + outputs > REFERENCES.withOutputs)
    issues.push({ field: 'image_input', message: `${urls.length} reference images + max_images ${outputs} = ${urls.length + outputs}; image_input and max_images together may be at most ${REFERENCES.withOutputs}` })
  urls.forEach((u, i) => {
    if (!isReference(u))
      issues.push({ field: `image_input[${i}]`, message: `must be an http(s) URL or a path to a local image (got ${JSON.stringify(u)})` })
  })
}

/** What the API will do differently from what the spec says, reported as warnings. */
function notesOf(spec: SeedreamSpec, picture: PictureRequest): string[] {
  const notes: string[] = []
  if (picture.size !== 'custom' && (spec.width !== undefined || spec.height !== undefined))
    notes.push(`width and height are ignored with size "${picture.size}", as the API ignores them; set size: "custom" to use them, or remove them`)
  if (picture.size === 'custom' && (picture.width !== spec.width || picture.height !== spec.height))
    notes.push(`${spec.width}×${spec.height} was rounded to ${picture.width}×${picture.height} (multiples of 64)`)
  const refs = picture.image_input?.length ?? 0
  if (refs > REFERENCES.documented)
    notes.push(`image_input has ${refs} reference images: Segmind's page says 1–${REFERENCES.documented} (BytePlus documents up to ${REFERENCES.max}), so a provider may refuse or ignore some`)
  const asked = requestedSize(picture)
  const made = predictedSize(picture)
  if ((picture.size === 'custom' || picture.size === '1K') && made.width * made.height > asked.width * asked.height) {
    const square = picture.size === '1K' && picture.aspect_ratio === 'match_input_image' ? ' (for a square input)' : ''
    notes.push(`${asked.width}×${asked.height} is under seedream-4.5's minimum of ${px(PIXELS_45.min)}: the API scales it up to about ${made.width}×${made.height}${square}`)
  }
  return notes
}

/** Validates a raw spec and fills its defaults; throws a SpecError naming every bad field. */
export function resolveSpec(raw: unknown, ctx: SpecContext): ResolvedSpec {
  const place = { file: ctx.file, spec: ctx.name }
  if (!isRecord(raw))
    throw new SpecError([{ field: '(spec)', message: `must be an object with at least a prompt (got ${JSON.stringify(raw)})` }], place)
  const spec = raw as SeedreamSpec & Record<string, any>
  const issues: SpecIssue[] = []
  unknownFields(spec, SPEC_FIELDS, issues)
  checkPicture(spec, issues)
  checkImageInput(spec, issues)
  checkOutput(spec, issues)
  if (issues.length)
    throw new SpecError(issues, place)
  const picture = pictureOf(spec)
  return {
    name: ctx.name,
    file: ctx.file,
    provider: spec.provider ?? ctx.provider,
    picture,
    output: resolveOutput(spec, ctx.output),
    markup: markupOf(spec, ctx.output),
    alt: spec.alt ?? picture.prompt,
    candidates: spec.candidates ?? 1,
    notes: notesOf(spec, picture),
  }
}

/**
 * The request, defaults filled: it is the cache key, so it holds only what the API uses (no width
 * or height beside a preset), and a spec valid before keeps its key and its paid pictures.
 */
function pictureOf(spec: SeedreamSpec): PictureRequest {
  const picture: PictureRequest = {
    prompt: spec.prompt.trim(),
    model: spec.model ?? DEFAULT_PICTURE.model,
    size: spec.size ?? DEFAULT_PICTURE.size,
    aspect_ratio: spec.aspect_ratio ?? (spec.image_input ? 'match_input_image' : DEFAULT_PICTURE.aspect_ratio),
    max_images: spec.max_images ?? DEFAULT_PICTURE.max_images,
    sequential_image_generation: spec.sequential_image_generation ?? DEFAULT_PICTURE.sequential_image_generation,
  }
  if (picture.size === 'custom') {
    picture.width = round64(spec.width!)
    picture.height = round64(spec.height!)
  }
  if (spec.image_input !== undefined)
    picture.image_input = Array.isArray(spec.image_input) ? spec.image_input : [spec.image_input]
  if (spec.seed !== undefined)
    picture.seed = spec.seed
  return picture
}

/** The spec's output settings over the global ones over the defaults; a number quality sets every format. */
function resolveOutput(spec: SeedreamSpec, base: OutputOptions): ResolvedOutput {
  const q = spec.quality ?? base.quality
  const quality = typeof q === 'number' ? { avif: q, webp: q, jpeg: q, png: q } : { ...DEFAULT_OUTPUT.quality, ...q }
  return {
    widths: [...new Set(spec.widths ?? base.widths ?? DEFAULT_OUTPUT.widths)].sort((a, b) => a - b),
    formats: [...new Set(spec.formats ?? base.formats ?? DEFAULT_OUTPUT.formats)],
    quality,
    avifEffort: spec.avifEffort ?? base.avifEffort ?? DEFAULT_OUTPUT.avifEffort,
    placeholder: spec.placeholder ?? base.placeholder ?? DEFAULT_OUTPUT.placeholder,
  }
}

/** The markup settings, spec over global over defaults; a priority picture is never lazy. */
function markupOf(spec: SeedreamSpec, base: OutputOptions): ResolvedMarkup {
  const pick = <K extends keyof ResolvedMarkup>(k: K) => (spec[k] ?? base[k] ?? DEFAULT_MARKUP[k]) as ResolvedMarkup[K]
  const priority = pick('priority')
  return { sizes: pick('sizes'), loading: priority ? 'eager' : pick('loading'), priority, imgStyle: pick('imgStyle') }
}
