import type { ResolvedSpec } from '../../model/resolved'
import type { Store } from './store'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { SeedreamError } from '../../model/errors'
import { cacheKey } from '../../model/key'
import { writeFileAtomic } from './atomic'
import { readRegularFileSync, UnreadableFile } from './safe-read'

/**
 * Which candidate of a spec its module exports, committed beside the store's entries:
 * `.seedream/picks/<key prefix>.json`, `{ "name": "hero", "key": "…", "candidate": 3 }` (counted
 * from 1, as people count). Apart from the entries, which never change and may be pruned; a
 * pick changes no key and costs nothing.
 */
export const picksDir = (store: Store) => path.join(store.dir, 'picks')
const pickFile = (store: Store, key: string) => path.join(picksDir(store), `${key.slice(0, 16)}.json`)

/** The picked candidate of a spec, from 0; undefined when none was picked. A file that is not a pick of this spec is an error that names it. */
export function readPick(store: Store, spec: ResolvedSpec): number | undefined {
  const key = cacheKey(spec)
  const file = pickFile(store, key)
  let json: any
  try {
    json = JSON.parse(readRegularFileSync(file, { max: 4096 }).toString('utf8'))
  }
  catch (error) {
    if (error instanceof UnreadableFile && error.reason === 'missing')
      return undefined
    json = undefined
  }
  if (json?.key !== key || !Number.isInteger(json.candidate) || json.candidate < 1)
    throw new SeedreamError(`"${spec.name}": ${path.relative(path.dirname(store.dir), file)} is not a pick of this spec (it must hold {"key": "${key}", "candidate": n}); set it again with \`npx seedream pick ${spec.name} <n>\`, or delete it to export the first candidate.`, { spec: spec.name, file: spec.file }, 'SEEDREAM_BAD_PICK')
  return json.candidate - 1
}

/** Records candidate `index` (from 0) as the spec's pick. */
export async function writePick(store: Store, spec: ResolvedSpec, index: number): Promise<void> {
  const key = cacheKey(spec)
  await mkdir(picksDir(store), { recursive: true })
  await writeFileAtomic(pickFile(store, key), `${JSON.stringify({ name: spec.name, key, candidate: index + 1 }, null, 2)}\n`)
}
