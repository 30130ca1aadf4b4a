import type { OutputOptions } from './types'
import type { SpecIssue } from './errors'
import type { Options } from './options'
import type { KeyKind } from './spec-rules'
import { SpecError } from './errors'
import { MODELS, OUTPUT_FIELDS, PROVIDERS, SPEC_FIELDS } from './schema'
import type { Check } from './option-checks'
import { flag, folder, host, kind, remote, rule, secret, shape, url, whole } from './option-checks'
import { checkOutput, isRecord, oneOf, show, unknownFields } from './spec-rules'

/** Budget amounts: 0 stops every generation, Infinity lifts the limit. */
const amount = (wholeOnly: boolean, what: string) => rule(v => typeof v !== 'number' || Number.isNaN(v) || v < 0
  || (wholeOnly && Number.isFinite(v) && !Number.isInteger(v)), `${what}, 0 or more, or Infinity`)
const budget: Check = (field, value, issues) => shape(field, value, issues, '{ maxImages: 10, maxCost: 0.5 }', {
  maxImages: amount(true, 'a whole number of images'),
  maxCost: amount(false, 'US dollars'),
})

const PRICE_KEYS = PROVIDERS.flatMap(p => MODELS.map(m => `${p}/${m}`))
const price = rule(v => typeof v !== 'number' || !Number.isFinite(v) || v < 0, 'US dollars per picture, 0 or more')
const prices: Check = (field, value, issues) =>
  shape(field, value, issues, '{ "segmind/seedream-4.5": 0.04 }', Object.fromEntries(PRICE_KEYS.map(k => [k, price])))

/** Only the map's shape: each spec is checked by resolveSpec, naming the spec. */
const images: Check = (field, value, issues) => {
  if (value === undefined)
    return
  if (!isRecord(value))
    return void issues.push({ field, message: `must be an object of named specs such as { hero: { prompt: '…' } } (got ${show(value)})` })
  for (const [name, spec] of Object.entries(value)) {
    if (!isRecord(spec))
      issues.push({ field: `${field}.${name}`, message: `must be a spec object with at least a prompt (got ${show(spec)})` })
  }
}

/** One check per option but the output ones; the mapped type makes a new option without a check a type error. */
const RULES: { [K in Exclude<keyof Options, keyof OutputOptions>]-?: Check } = {
  images,
  root: folder,
  provider: (field, value, issues) => oneOf(field, value, PROVIDERS, issues),
  ark: host,
  fal: host,
  replicate: host,
  apiKey: secret,
  apiUrl: url,
  uploadUrl: url,
  cacheDir: folder,
  variantsCacheDir: folder,
  concurrency: whole(1, 64),
  retries: whole(0, 20),
  timeout: whole(1, 3_600_000),
  retryDelay: whole(0, 600_000),
  frozen: flag,
  allowPlaceholders: flag,
  budget,
  prices,
  lockStale: whole(2000, 3_600_000),
  configFile: flag,
  dts: rule(v => v !== false && !(typeof v === 'string' && v.endsWith('.d.ts')), 'false or a path ending in .d.ts'),
  maxImageBytes: whole(1024, 2 ** 31),
  maxReferenceBytes: whole(1024, 2 ** 31),
  remote,
}

// Does not compile when OUTPUT_FIELDS misses an output option, which would then read as unknown.
type Unlisted = Exclude<keyof OutputOptions, typeof OUTPUT_FIELDS[number]>
const outputFields: readonly string[] & ([Unlisted] extends [never] ? unknown : never) = OUTPUT_FIELDS

/** Every key the options and the config file take. */
export const OPTION_KEYS: readonly string[] = [...Object.keys(RULES), ...outputFields]
const OPTION_KIND: KeyKind = { one: 'an option', all: 'Known options' }

/** A spec field at the top level: the user meant a spec, not an unknown option. */
const misplaced = (key: string) => (SPEC_FIELDS as readonly string[]).includes(key) && !OPTION_KEYS.includes(key)

/** Every problem of one source of options, unknown keys first. */
export function optionIssues(raw: unknown): SpecIssue[] {
  if (!isRecord(raw))
    return [{ field: '(options)', message: `must be an object such as { images: { hero: { prompt: '…' } } } (got ${kind(raw)})` }]
  const issues: SpecIssue[] = Object.keys(raw).filter(misplaced)
    .map(field => ({ field, message: 'is a spec field, not an option: set it in a spec under "images"' }))
  unknownFields(Object.fromEntries(Object.entries(raw).filter(([k]) => !misplaced(k))), OPTION_KEYS, issues, OPTION_KIND)
  checkOutput(raw, issues)
  for (const [key, check] of Object.entries(RULES) as Array<[string, Check]>)
    check(key, raw[key], issues)
  return issues
}

/** How the plugin options are named in messages, beside the config file's path. */
export const PLUGIN_OPTIONS = 'the plugin options (in your bundler config)'

/**
 * Checks the plugin options and the config file's separately, so an error names the one the bad
 * value is in; every problem of one source is reported together, before anything is spent.
 */
export function checkOptions(plugin: unknown, config: unknown, configFile?: string): void {
  const sources: Array<[unknown, string]> = [[plugin, PLUGIN_OPTIONS], [config, configFile ?? 'the seedream config']]
  for (const [raw, file] of sources) {
    const issues = optionIssues(raw)
    if (issues.length)
      throw new SpecError(issues, { file, spec: '(options)' })
  }
}
