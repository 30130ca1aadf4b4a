import type { ResolvedSpec } from '../../model/resolved'
import type { Listed } from './s3-client'
import type { RemoteCache } from './remote-cache'
import pLimit from 'p-limit'
import { cacheKey } from '../../model/key'
import { remotePackKey } from '../images/variant-plan'
import { asJson, MAX_META, parseObject, variantsObject } from './layout'

/** Objects written this recently may belong to a build still uploading: never pruned. */
export const REMOTE_GRACE_MS = 24 * 60 * 60 * 1000

export interface RemotePrune { doomed: Listed[], bytes: number, kept: number }

/** The blobs a meta.json names, or none when it is not one. */
const refsOf = (json: any): string[] => (Array.isArray(json?.images) ? json.images : [])
  .map((r: any) => r?.sha256).filter((h: unknown) => typeof h === 'string')

/**
 * `seedream prune --remote`: what the bucket holds that the current specs do not use. Kept: the
 * originals of the specs, the variant packs of their pictures at their outputs, every blob a
 * kept meta.json names, anything written in the last day, and anything
 * that is not ours. Deleted with `yes`.
 */
export async function pruneRemote(remote: RemoteCache, specs: ResolvedSpec[], yes: boolean, now = Date.now()): Promise<RemotePrune> {
  const { client, prefix } = remote
  const listed: Listed[] = []
  for await (const object of client.list(prefix))
    listed.push(object)
  const recent = (o: Listed) => now - o.modified.getTime() < REMOTE_GRACE_MS
  const parsed = listed.map(o => ({ o, p: parseObject(prefix, o.key) })).filter(x => x.p)
  const specsOf = new Map<string, ResolvedSpec[]>()
  specs.forEach(s => specsOf.set(cacheKey(s), [...specsOf.get(cacheKey(s)) ?? [], s]))
  const keep = new Set<string>(parsed.filter(x => recent(x.o) || (x.p!.kind === 'originals' && specsOf.has(x.p!.id))).map(x => x.o.key))
  const limit = pLimit(16)
  const referenced = new Set<string>()
  // Each spec's variant packs are named by its key and outputs, whatever its pictures are.
  for (const spec of specs) {
    for (let i = 0; i < spec.picture.max_images; i++)
      keep.add(variantsObject(prefix, remotePackKey(cacheKey(spec), i, spec.output)))
  }
  // The kept meta.json name the blobs to keep. One that cannot be read stops the prune: what it
  // names would otherwise look unused.
  await Promise.all(parsed.filter(x => x.p!.kind === 'originals' && keep.has(x.o.key)).map(x => limit(async () => {
    const bytes = await client.get(x.o.key, MAX_META)
    refsOf(bytes && asJson(bytes)).forEach(h => referenced.add(h))
  })))
  const doomed = parsed.filter(x => !keep.has(x.o.key) && !(x.p!.kind === 'blobs' && referenced.has(x.p!.id))).map(x => x.o)
  if (yes)
    await Promise.all(doomed.map(o => limit(() => client.delete(o.key))))
  return { doomed, bytes: doomed.reduce((n, o) => n + o.size, 0), kept: listed.length - doomed.length }
}
