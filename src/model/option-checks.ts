import type { SpecIssue } from './errors'
import { isBucketUrl } from './remote-options'
import { integer, isRecord, nonEmptyString, show, unknownFields } from './spec-rules'

/** The checks options are made of: each pushes what is wrong with one field, saying what is allowed. */
export type Check = (field: string, value: unknown, issues: SpecIssue[]) => void

/** A check that fails when `bad` holds for a value that is set, saying what is allowed. */
export const rule = (bad: (v: unknown) => boolean, allowed: string): Check => (field, value, issues) => {
  if (value !== undefined && bad(value))
    issues.push({ field, message: `must be ${allowed} (got ${show(value)})` })
}
export const whole = (min: number, max: number): Check => (field, value, issues) => integer(field, value, min, max, issues)
export const folder: Check = (field, value, issues) => nonEmptyString(field, value, issues)
export const flag = rule(v => typeof v !== 'boolean', 'true or false')
/** What a value is, without its content: a key put in the wrong place must not reach a log. */
export const kind = (v: unknown) => v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`
// An empty key or URL reads as unset (as in resolve-options), so `process.env.X ?? ''` keeps working.
export const secret: Check = (field, value, issues) => {
  if (value !== undefined && typeof value !== 'string')
    issues.push({ field, message: `must be a string (got ${kind(value)}); prefer the environment variable` })
}
// Not echoed either: a key pasted into apiUrl would be.
export const url: Check = (field, value, issues) => {
  if (value !== undefined && value !== '' && (typeof value !== 'string' || !/^https?:\/\/\S+$/i.test(value) || !URL.canParse(value)))
    issues.push({ field, message: `must be an http(s) URL such as "https://api.segmind.com" (got ${typeof value === 'string' ? 'a string that is not one' : kind(value)})` })
}

/** The keys of an object option, and each one's check; `field` is the option's name. */
export function shape(field: string, value: unknown, issues: SpecIssue[], example: string, checks: Record<string, Check>): void {
  if (value === undefined)
    return
  if (!isRecord(value))
    return void issues.push({ field, message: `must be an object such as ${example} (got ${kind(value)})` })
  unknownFields(value, Object.keys(checks), issues, { one: `a key of ${field}`, all: 'Known' }, `${field}.`)
  for (const [key, check] of Object.entries(checks))
    check(`${field}.${key}`, value[key], issues)
}

export const host: Check = (field, value, issues) => shape(field, value, issues, '{ apiKey, apiUrl }', { apiKey: secret, apiUrl: url })

const region = rule(v => typeof v !== 'string' || !/^[a-z0-9-]{1,40}$/.test(v), 'a region name such as "us-east-1" or "auto"')
const profile = rule(v => typeof v !== 'string' || !/^[\w.+@-]{1,64}$/.test(v), 'a profile name of ~/.aws/config')
const bucketUrl = rule(v => !isBucketUrl(v), 'a bucket URL such as "s3://my-bucket/seedream" (a prefix without . or .. parts)')
const remoteShape: Check = (field, value, issues) => shape(field, value, issues, "{ url: 's3://my-bucket/seedream' }", {
  url: (f, v, i) => v === undefined ? void i.push({ field: f, message: 'is required: the bucket, such as "s3://my-bucket/seedream"' }) : bucketUrl(f, v, i),
  endpoint: url,
  region,
  profile,
  pathStyle: flag,
  read: flag,
  write: flag,
  timeout: whole(100, 600_000),
})
/** `'s3://…'`, an object, or false. */
export const remote: Check = (field, value, issues) =>
  value === false ? undefined : typeof value === 'string' ? bucketUrl(field, value, issues) : remoteShape(field, value, issues)
