import type { SpecIssue } from './errors'
import { SpecError } from './errors'

export const MODELS = ['seedream-4', 'seedream-4.5'] as const
export const SIZES = ['1K', '2K', '4K', 'custom'] as const
export const ASPECT_RATIOS = ['match_input_image', '1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9'] as const
export const SEQUENTIAL = ['disabled', 'auto'] as const
export const FORMATS = ['avif', 'webp', 'jpeg', 'png'] as const
export const PLACEHOLDERS = ['blur', 'color', 'thumbhash', 'none'] as const
export const PROVIDERS = ['segmind', 'ark', 'fal', 'replicate', 'placeholder'] as const
/** Segmind's custom-size bounds, and seedream-4.5's total-pixel bounds (1920² to 4096²). */
export const SIDE = { min: 1024, max: 4096 }
export const PIXELS_45 = { min: 3_686_400, max: 16_777_216 }

const OUTPUT_FIELDS = ['widths', 'formats', 'quality', 'avifEffort', 'placeholder', 'sizes', 'loading'] as const
export const SPEC_FIELDS = [
  'prompt', 'model', 'size', 'width', 'height', 'aspect_ratio', 'max_images', 'sequential_image_generation',
  'image_input', 'seed', 'alt', 'provider', ...OUTPUT_FIELDS,
] as const

const show = (v: unknown) => JSON.stringify(v) ?? String(v)
const list = (values: readonly unknown[]) => values.map(v => show(v)).join(', ')

export function oneOf(field: string, value: unknown, allowed: readonly string[], issues: SpecIssue[]): void {
  if (value !== undefined && !allowed.includes(value as string))
    issues.push({ field, message: `must be one of ${list(allowed)} (got ${show(value)})` })
}

export function integer(field: string, value: unknown, min: number, max: number, issues: SpecIssue[]): void {
  if (value === undefined)
    return
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    issues.push({ field, message: `must be a whole number from ${min} to ${max} (got ${show(value)})` })
}

export function nonEmptyString(field: string, value: unknown, issues: SpecIssue[], required = false): void {
  if (value === undefined && !required)
    return
  if (typeof value !== 'string' || value.trim() === '')
    issues.push({ field, message: `${required ? 'is required and ' : ''}must be a non-empty string (got ${show(value)})` })
}

/** Closest known field name, for "did you mean" on a typo such as `aspectRatio`. */
function suggest(field: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '')
  return known.find(k => norm(k) === norm(field))
}

export function unknownFields(raw: Record<string, unknown>, known: readonly string[], issues: SpecIssue[]): void {
  for (const field of Object.keys(raw)) {
    if (known.includes(field))
      continue
    const hint = suggest(field, known)
    issues.push({ field, message: `is not a spec field${hint ? `; did you mean "${hint}"?` : ''} Known fields: ${known.join(', ')}` })
  }
}

/** Checks the output fields, shared by specs and the global options. */
export function checkOutput(raw: Record<string, unknown>, issues: SpecIssue[]): void {
  const { widths, formats, quality, placeholder } = raw
  if (widths !== undefined) {
    if (!Array.isArray(widths) || widths.length === 0)
      issues.push({ field: 'widths', message: `must be a non-empty array of widths in pixels (got ${show(widths)})` })
    else widths.forEach((w, i) => integer(`widths[${i}]`, w, 16, 8192, issues))
  }
  if (formats !== undefined) {
    if (!Array.isArray(formats) || formats.length === 0)
      issues.push({ field: 'formats', message: `must be a non-empty array of ${list(FORMATS)} (got ${show(formats)})` })
    else formats.forEach((f, i) => oneOf(`formats[${i}]`, f, FORMATS, issues))
  }
  if (typeof quality === 'object' && quality !== null) {
    for (const [format, q] of Object.entries(quality)) {
      oneOf(`quality.${format}`, format, FORMATS, issues)
      integer(`quality.${format}`, q, 1, 100, issues)
    }
  }
  else {
    integer('quality', quality, 1, 100, issues)
  }
  oneOf('placeholder', placeholder, PLACEHOLDERS, issues)
  integer('avifEffort', raw.avifEffort, 0, 9, issues)
  nonEmptyString('sizes', raw.sizes, issues)
  oneOf('loading', raw.loading, ['lazy', 'eager'], issues)
}

/** Checks the output fields of the global options, so a bad default fails like a bad spec. */
export function checkGlobalOutput(raw: Record<string, unknown>, file?: string): void {
  const issues: SpecIssue[] = []
  checkOutput(raw, issues)
  oneOf('provider', raw.provider, PROVIDERS, issues)
  integer('concurrency', raw.concurrency, 1, 64, issues)
  integer('retries', raw.retries, 0, 20, issues)
  integer('timeout', raw.timeout, 1, 3_600_000, issues)
  integer('lockStale', raw.lockStale, 2000, 3_600_000, issues)
  if (issues.length)
    throw new SpecError(issues, { file, spec: '(options)' })
}
