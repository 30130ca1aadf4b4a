import { lstatSync } from 'node:fs'
import path from 'node:path'
import { SeedreamError } from '../../model/errors'

/** An entry folder that cannot be used as it is: a build names it instead of paying again. */
export class CorruptEntry extends SeedreamError {
  constructor(readonly dir: string, readonly reason: string) {
    super(`The stored entry ${dir} is corrupt: ${reason}.`, {}, 'SEEDREAM_CORRUPT_ENTRY')
  }
}

const FILE = /^\d+\.(?:jpeg|png|webp|avif|gif)$/
const FORMATS = new Set(['jpeg', 'png', 'webp', 'avif', 'gif'])
const positive = (n: unknown) => Number.isInteger(n) && (n as number) > 0

/** What is wrong with a meta.json's content (wherever it was read), or undefined. */
export function metaProblem(meta: any, key: string): string | undefined {
  if (typeof meta !== 'object' || meta === null)
    return 'meta.json is not an object'
  if (meta.key !== key)
    return `meta.json names key ${JSON.stringify(meta.key)}, not ${key}`
  if (!Array.isArray(meta.images) || !meta.images.length)
    return 'meta.json lists no image'
  const bad = meta.images.find((img: any) => !FILE.test(img?.file) || !FORMATS.has(img.format) || !positive(img.width) || !positive(img.height) || !positive(img.bytes) || !/^[0-9a-f]{64}$/.test(img.sha256))
  return bad && `meta.json describes an image badly: ${JSON.stringify(bad).slice(0, 200)}`
}

/** What is wrong with a meta.json read from disk, or undefined; its files are checked by size. */
export function problemOf(meta: any, key: string, dir: string): string | undefined {
  const problem = metaProblem(meta, key)
  if (problem)
    return problem
  for (const img of meta.images) {
    let stat
    try { stat = lstatSync(path.join(dir, img.file)) } catch { return `${img.file} is missing` }
    if (!stat.isFile() || stat.size !== img.bytes)
      return `${img.file} is ${stat.isFile() ? `${stat.size} bytes, not the ${img.bytes} meta.json records` : 'not a regular file'}`
  }
  return undefined
}
