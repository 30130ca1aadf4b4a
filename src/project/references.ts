import type { Reference, ResolvedSpec } from '../model/resolved'
import type { Stats } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import path from 'node:path'
import { DEFAULTS } from '../model/defaults'
import { SPEC_FILE } from '../model/ids'
import { SeedreamError, SpecError } from '../model/errors'
import { detectImageType } from './images/image-type'
import { sha256 } from '../model/key'
import { readRegularFile, UnreadableFile } from './store/safe-read'

/** The default of the `maxReferenceBytes` option: far above any real reference, far below memory. */

/** A reference image: a URL as given, or a local file inside the project read once. */
export type { Reference } from '../model/resolved'
type FileReference = Extract<Reference, { kind: 'file' }>

export const isHttpUrl = (s: string) => /^https?:\/\/\S+$/i.test(s)

const outside = (rel: string) => rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)
const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB (${n} bytes)`
const kindOf = (s: Stats) => s.isDirectory() ? 'a directory' : s.isFIFO() ? 'a FIFO' : s.isSocket() ? 'a socket' : (s.isCharacterDevice() || s.isBlockDevice()) ? 'a device' : 'a special file'

/** Why a local reference cannot be used, in words naming the file and, for its size, the option. */
function refusal(error: unknown, rel: string, maxBytes: number): string {
  if (!(error instanceof UnreadableFile))
    return `${rel} could not be read (${error instanceof Error ? error.message : String(error)})`
  if (error.reason === 'too-large')
    return `${rel} is ${mib(error.size!)}, over the limit of ${mib(maxBytes)}; shrink the image or raise the option maxReferenceBytes`
  if (error.reason === 'not-regular')
    return `${rel} is not a regular file; a reference must be an image file`
  // Replaced, grown or removed between the checks and the read.
  return `${rel} changed while it was being read; build again`
}

/**
 * The bytes of a reference whose real path is known to be inside the root: its type and size are
 * checked on a stat first, so a FIFO is never opened and an oversized file never read; the read
 * itself goes through one handle and stops at the checked size (see safe-read.ts).
 */
async function readLocal(real: string, rel: string, maxBytes: number): Promise<Buffer | string> {
  try {
    const info = await stat(real)
    if (!info.isFile())
      return `${rel} is ${kindOf(info)}, not a regular file; a reference must be an image file`
    if (info.size > maxBytes)
      throw new UnreadableFile('too-large', info.size)
    return await readRegularFile(real, { max: maxBytes })
  }
  catch (error) {
    return refusal(error, rel, maxBytes)
  }
}

/**
 * Resolves `image_input` entries: URLs stay; paths (relative to the spec's file, or to the root
 * for the config) must be regular image files whose real path (every link resolved) is inside the
 * real root, at most `maxBytes` long. Their bytes enter the cache key as `local:<path>#<sha256>`,
 * the path as written relative to the root, so editing a reference regenerates the picture.
 */
export async function attachReferences(spec: ResolvedSpec, root: string, maxBytes = DEFAULTS.maxReferenceBytes): Promise<ResolvedSpec> {
  const inputs = spec.picture.image_input
  if (!inputs)
    return spec
  const fromSpecFile = Boolean(spec.file && SPEC_FILE.test(spec.file))
  const base = fromSpecFile ? path.dirname(path.resolve(root, spec.file!)) : root
  const realRoot = await realpath(root)
  const fail = (i: number, message: string) => new SpecError([{ field: `image_input[${i}]`, message }], { file: spec.file, spec: spec.name })
  const references = await Promise.all(inputs.map(async (input, i): Promise<Reference> => {
    if (isHttpUrl(input))
      return { kind: 'url', url: input }
    const file = path.resolve(base, input)
    const rel = path.relative(root, file)
    if (outside(rel))
      throw fail(i, `${JSON.stringify(input)} is outside the project root (${root}); copy the image into the project`)
    const real = await realpath(file).catch(() => {
      throw fail(i, `no file at ${rel} (paths are relative to ${fromSpecFile ? 'the spec file' : 'the project root'})`)
    })
    if (outside(path.relative(realRoot, real)))
      throw fail(i, `${rel} leads to ${real}, outside the project root (${realRoot}); copy the image into the project instead of linking it`)
    const data = await readLocal(real, rel, maxBytes)
    if (typeof data === 'string')
      throw fail(i, data)
    const format = detectImageType(data)
    if (!format)
      throw fail(i, `${rel} is not a JPEG, PNG, WebP, AVIF or GIF image`)
    return { kind: 'file', file: real, rel: rel.split(path.sep).join('/'), sha256: sha256(data), mime: `image/${format}`, bytes: data.length }
  }))
  const keyed = references.map(r => r.kind === 'url' ? r.url : `local:${r.rel}#${r.sha256}`)
  return { ...spec, picture: { ...spec.picture, image_input: keyed }, references }
}

/**
 * A local reference's bytes when a provider sends them, read again with the same checks (a
 * regular file, no link at its real path, exactly its size) and refused unless they hash to the
 * key's: what is sent is what was checked, whatever changed on disk since.
 */
export async function readReference(ref: FileReference): Promise<Buffer> {
  const data = await readRegularFile(ref.file, { exact: ref.bytes }).catch(() => undefined)
  if (!data || sha256(data) !== ref.sha256)
    throw new SeedreamError(`The reference image ${ref.rel} changed during the build (it is part of the cache key); build again.`)
  return data
}

/** A local reference as a data URI, for providers that take one. */
export async function dataUri(ref: FileReference): Promise<string> {
  return `data:${ref.mime};base64,${(await readReference(ref)).toString('base64')}`
}
