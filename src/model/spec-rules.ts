import type { SpecIssue } from './errors'
import { ASPECT_RATIOS, FORMATS, LOADINGS, MAX_CANDIDATES, MODELS, PLACEHOLDERS, PROVIDERS, SEQUENTIAL, SIDE, SIZES } from './schema'

export const show = (v: unknown) => JSON.stringify(v) ?? String(v)
export const list = (values: readonly unknown[]) => values.map(v => show(v)).join(', ')
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

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
  oneOf('loading', raw.loading, LOADINGS, issues)
  if (raw.priority !== undefined && typeof raw.priority !== 'boolean')
    issues.push({ field: 'priority', message: `must be true or false (got ${show(raw.priority)})` })
  if (raw.imgStyle !== undefined && raw.imgStyle !== false)
    nonEmptyString('imgStyle', raw.imgStyle, issues)
}

export function checkPicture(raw: Record<string, any>, issues: SpecIssue[]): void {
  nonEmptyString('prompt', raw.prompt, issues, true)
  oneOf('model', raw.model, MODELS, issues)
  oneOf('size', raw.size, SIZES, issues)
  oneOf('aspect_ratio', raw.aspect_ratio, ASPECT_RATIOS, issues)
  oneOf('sequential_image_generation', raw.sequential_image_generation, SEQUENTIAL, issues)
  oneOf('provider', raw.provider, PROVIDERS, issues)
  integer('max_images', raw.max_images, 1, 15, issues)
  integer('seed', raw.seed, -1, 2_147_483_647, issues)
  integer('candidates', raw.candidates, 1, MAX_CANDIDATES, issues)
  if (raw.alt !== undefined && typeof raw.alt !== 'string')
    issues.push({ field: 'alt', message: `must be a string (got ${JSON.stringify(raw.alt)})` })
  for (const side of ['width', 'height'] as const) {
    // Beside an explicit preset they are ignored (as the API does, and its samples send them);
    // without any size, they were surely meant as a custom size.
    if (raw[side] !== undefined && raw.size === undefined)
      issues.push({ field: side, message: `is only used with size: "custom"; set size: "custom" and both width and height (${SIDE.min}–${SIDE.max}), or remove ${side}` })
    else integer(side, raw[side], SIDE.min, SIDE.max, issues)
  }
  if (raw.size === 'custom' && (raw.width === undefined || raw.height === undefined))
    issues.push({ field: raw.width === undefined ? 'width' : 'height', message: `is required with size: "custom": set both width and height (${SIDE.min}–${SIDE.max})` })
}

/** Optimal string alignment distance: a swap of two neighbours (`imgaes`) counts as one edit. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1)
    }
  }
  return d[a.length]![b.length]!
}

/**
 * Closest known name, for "did you mean": the same name in another case or separator
 * (`aspectRatio`), else the nearest within two edits; short names allow fewer, so that `ab` is
 * not taken for `ark`.
 */
export function suggest(field: string, known: readonly string[]): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '')
  const same = known.find(k => norm(k) === norm(field))
  if (same)
    return same
  const limit = Math.min(2, Math.floor(field.length / 3))
  let best: { name: string, d: number } | undefined
  for (const name of known) {
    const d = distance(norm(field), norm(name))
    if (d <= limit && (!best || d < best.d))
      best = { name, d }
  }
  return best?.name
}

/** What kind of key an unknown key was taken for, in messages. */
export interface KeyKind { one: string, all: string }
const SPEC_KEYS: KeyKind = { one: 'a spec field', all: 'Known fields' }

/** One issue per key that is not known, with the nearest known one. */
export function unknownFields(raw: Record<string, unknown>, known: readonly string[], issues: SpecIssue[], kind = SPEC_KEYS, prefix = ''): void {
  for (const field of Object.keys(raw)) {
    if (known.includes(field))
      continue
    const hint = suggest(field, known)
    issues.push({ field: `${prefix}${field}`, message: `is not ${kind.one}${hint ? `; did you mean "${hint}"?` : '.'} ${kind.all}: ${known.join(', ')}` })
  }
}
