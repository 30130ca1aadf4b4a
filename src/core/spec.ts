import type { OutputOptions, ProviderName, SeedreamSpec } from '../types'
import type { SpecIssue } from './errors'
import type { ResolvedMarkup, ResolvedOutput } from './options'
import type { Reference } from './references'
import { SpecError } from './errors'
import { DEFAULT_MARKUP, DEFAULT_OUTPUT } from './options'
import {
  ASPECT_RATIOS, checkOutput, integer, MODELS, nonEmptyString, oneOf, PIXELS_45, PROVIDERS, SEQUENTIAL, SIDE, SIZES,
  SPEC_FIELDS, unknownFields,
} from './spec-rules'

/** The fields sent to the provider: everything that changes the picture, with defaults filled. */
export interface PictureRequest {
  prompt: string
  model: 'seedream-4' | 'seedream-4.5'
  size: '1K' | '2K' | '4K' | 'custom'
  width?: number
  height?: number
  aspect_ratio: string
  max_images: number
  sequential_image_generation: 'disabled' | 'auto'
  image_input?: string[]
  seed?: number
}

export interface ResolvedSpec {
  name: string
  /** The file the spec came from, relative to the root, for messages. */
  file?: string
  provider: ProviderName
  picture: PictureRequest
  output: ResolvedOutput
  markup: ResolvedMarkup
  /** The reference images behind `picture.image_input`, once read (see references.ts). */
  references?: Reference[]
  alt: string
  /** Adjustments the user should know about (rounding), reported as warnings. */
  notes: string[]
}

export interface SpecContext {
  name: string
  file?: string
  provider: ProviderName
  output: OutputOptions
}

const round64 = (n: number) => Math.round(n / 64) * 64
/** A reference is an http(s) URL or a local path; any other scheme is refused. */
const isReference = (s: unknown) => typeof s === 'string' && s.trim() !== '' && (/^https?:\/\/\S+$/i.test(s) || !/^[a-z][\w+.-]*:/i.test(s))

function checkPicture(raw: Record<string, any>, issues: SpecIssue[]): void {
  nonEmptyString('prompt', raw.prompt, issues, true)
  oneOf('model', raw.model, MODELS, issues)
  oneOf('size', raw.size, SIZES, issues)
  oneOf('aspect_ratio', raw.aspect_ratio, ASPECT_RATIOS, issues)
  oneOf('sequential_image_generation', raw.sequential_image_generation, SEQUENTIAL, issues)
  oneOf('provider', raw.provider, PROVIDERS, issues)
  integer('max_images', raw.max_images, 1, 15, issues)
  integer('seed', raw.seed, -1, 2_147_483_647, issues)
  if (raw.alt !== undefined && typeof raw.alt !== 'string')
    issues.push({ field: 'alt', message: `must be a string (got ${JSON.stringify(raw.alt)})` })
  for (const side of ['width', 'height'] as const) {
    if (raw[side] === undefined)
      continue
    if (raw.size !== 'custom')
      issues.push({ field: side, message: `is only used with size: "custom" (size is ${JSON.stringify(raw.size ?? '2K')}); remove ${side} or set size: "custom"` })
    else integer(side, raw[side], SIDE.min, SIDE.max, issues)
  }
  if (raw.size === 'custom' && (raw.width === undefined || raw.height === undefined))
    issues.push({ field: raw.width === undefined ? 'width' : 'height', message: `is required with size: "custom": set both width and height (${SIDE.min}–${SIDE.max})` })
  checkImageInput(raw, issues)
}

function checkImageInput(raw: Record<string, any>, issues: SpecIssue[]): void {
  const input = raw.image_input
  if (input === undefined) {
    if (raw.aspect_ratio === 'match_input_image')
      issues.push({ field: 'aspect_ratio', message: '"match_input_image" needs image_input; choose a ratio such as "1:1" or "16:9"' })
    return
  }
  const urls = Array.isArray(input) ? input : [input]
  if (urls.length < 1 || urls.length > 3)
    issues.push({ field: 'image_input', message: `takes 1 to 3 reference images (got ${urls.length})` })
  urls.forEach((u, i) => {
    if (!isReference(u))
      issues.push({ field: `image_input[${i}]`, message: `must be an http(s) URL or a path to a local image (got ${JSON.stringify(u)})` })
  })
}

/** Total-pixel rule of seedream-4.5, checked on the rounded size the provider will see. */
function checkPixels(picture: PictureRequest, issues: SpecIssue[]): void {
  if (picture.model !== 'seedream-4.5' || picture.size !== 'custom')
    return
  const pixels = picture.width! * picture.height!
  if (pixels < PIXELS_45.min || pixels > PIXELS_45.max) {
    issues.push({
      field: 'width',
      message: `width × height is ${picture.width}×${picture.height} = ${pixels.toLocaleString('en')} px; seedream-4.5 takes ${PIXELS_45.min.toLocaleString('en')} to ${PIXELS_45.max.toLocaleString('en')} px (e.g. 1920×1920, 2560×1440)`,
    })
  }
}

/** Validates a raw spec and fills its defaults; throws a SpecError naming every bad field. */
export function resolveSpec(raw: unknown, ctx: SpecContext): ResolvedSpec {
  const place = { file: ctx.file, spec: ctx.name }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new SpecError([{ field: '(spec)', message: `must be an object with at least a prompt (got ${JSON.stringify(raw)})` }], place)
  const spec = raw as SeedreamSpec & Record<string, any>
  const issues: SpecIssue[] = []
  unknownFields(spec, SPEC_FIELDS, issues)
  checkPicture(spec, issues)
  checkOutput(spec, issues)
  if (issues.length)
    throw new SpecError(issues, place)

  const notes: string[] = []
  const picture: PictureRequest = {
    prompt: spec.prompt.trim(),
    model: spec.model ?? 'seedream-4.5',
    size: spec.size ?? '2K',
    aspect_ratio: spec.aspect_ratio ?? (spec.image_input ? 'match_input_image' : '1:1'),
    max_images: spec.max_images ?? 1,
    sequential_image_generation: spec.sequential_image_generation ?? 'disabled',
  }
  if (picture.size === 'custom') {
    picture.width = round64(spec.width!)
    picture.height = round64(spec.height!)
    if (picture.width !== spec.width || picture.height !== spec.height)
      notes.push(`${spec.width}×${spec.height} was rounded to ${picture.width}×${picture.height} (multiples of 64)`)
  }
  if (spec.image_input !== undefined)
    picture.image_input = Array.isArray(spec.image_input) ? spec.image_input : [spec.image_input]
  if (spec.seed !== undefined)
    picture.seed = spec.seed
  checkPixels(picture, issues)
  if (issues.length)
    throw new SpecError(issues, place)

  return {
    name: ctx.name,
    file: ctx.file,
    provider: spec.provider ?? ctx.provider,
    picture,
    output: resolveOutput(spec, ctx.output),
    markup: { sizes: spec.sizes ?? ctx.output.sizes ?? DEFAULT_MARKUP.sizes, loading: spec.loading ?? ctx.output.loading ?? DEFAULT_MARKUP.loading },
    alt: spec.alt ?? picture.prompt,
    notes,
  }
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
