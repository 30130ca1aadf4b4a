import type { ResolvedSpec } from './spec'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { SPEC_FILE } from './config'
import { SpecError } from './errors'
import { detectImageType } from './image-type'
import { sha256 } from './key'

/** A reference image: a URL as given, or a local file inside the project read once. */
export type Reference =
  | { kind: 'url', url: string }
  | { kind: 'file', file: string, rel: string, sha256: string, mime: string }

export const isHttpUrl = (s: string) => /^https?:\/\/\S+$/i.test(s)

/**
 * Resolves `image_input` entries: URLs stay; paths (relative to the spec's file, or to the root
 * for the config) must be images inside the root, and their bytes enter the cache key as
 * `local:<path>#<sha256>`, so editing a reference regenerates the picture.
 */
export async function attachReferences(spec: ResolvedSpec, root: string): Promise<ResolvedSpec> {
  const inputs = spec.picture.image_input
  if (!inputs)
    return spec
  const fromSpecFile = Boolean(spec.file && SPEC_FILE.test(spec.file))
  const base = fromSpecFile ? path.dirname(path.resolve(root, spec.file!)) : root
  const fail = (i: number, message: string) => new SpecError([{ field: `image_input[${i}]`, message }], { file: spec.file, spec: spec.name })
  const references = await Promise.all(inputs.map(async (input, i): Promise<Reference> => {
    if (isHttpUrl(input))
      return { kind: 'url', url: input }
    const file = path.resolve(base, input)
    const rel = path.relative(root, file)
    if (rel.startsWith('..') || path.isAbsolute(rel))
      throw fail(i, `${JSON.stringify(input)} is outside the project root (${root}); copy the image into the project`)
    const data = await readFile(file).catch(() => {
      throw fail(i, `no file at ${rel} (paths are relative to ${fromSpecFile ? 'the spec file' : 'the project root'})`)
    })
    const format = detectImageType(data)
    if (!format)
      throw fail(i, `${rel} is not a JPEG, PNG, WebP, AVIF or GIF image`)
    return { kind: 'file', file, rel: rel.split(path.sep).join('/'), sha256: sha256(data), mime: `image/${format}` }
  }))
  const keyed = references.map(r => r.kind === 'url' ? r.url : `local:${r.rel}#${r.sha256}`)
  return { ...spec, picture: { ...spec.picture, image_input: keyed }, references }
}

/** A local reference as a data URI, for providers that take one. */
export async function dataUri(ref: Extract<Reference, { kind: 'file' }>): Promise<string> {
  return `data:${ref.mime};base64,${(await readFile(ref.file)).toString('base64')}`
}
