import type { ResolvedSpec } from '../../model/resolved'
import type { Listed } from './s3-client'
import type { RemoteCache } from './remote-cache'
import pLimit from 'p-limit'
import { cacheKey } from '../../model/key'
import { variantsPlan } from '../images/variant-plan'
import { metaProblem } from '../store/entry-check'
import { parseObject } from './layout'

/** Objects written this recently may belong to a build still uploading: never pruned. */
export const REMOTE_GRACE_MS = 24 * 60 * 60 * 1000

export interface RemotePrune { doomed: Listed[], bytes: number, kept: number }

/** The blobs an index names, or none when it is not one of ours. */
const refsOf = (json: any): string[] => (Array.isArray(json?.images) ? json.images : Array.isArray(json?.variants) ? json.variants : [])
  .map((r: any) => r?.sha256).filter((h: unknown) => typeof h === 'string')

/**
 * `seedream prune --remote`: what the bucket holds that the current specs do not use. Kept: the
 * originals of the specs, the variant sets of their pictures at their outputs, every blob a kept
 * index names, anything written in the last day, and anything that is not ours. Deleted with `yes`.
 */
export async function pruneRemote(remote: RemoteCache, specs: ResolvedSpec[], yes: boolean, now = Date.now()): Promise<RemotePrune> {
  const { client, prefix } = remote
  const listed: Listed[] = []
  for await (const object of client.list(prefix))
    listed.push(object)
  const recent = (o: Listed) => now - o.modified.getTime() < REMOTE_GRACE_MS
  const parsed = listed.map(o => ({ o, p: parseObject(prefix, o.key) })).filter(x => x.p)
  const specOf = new Map(specs.map(s => [cacheKey(s), s]))
  const keep = new Set<string>(parsed.filter(x => recent(x.o) || (x.p!.kind === 'originals' && specOf.has(x.p!.id))).map(x => x.o.key))
  const read = async (key: string) => { try { return JSON.parse((await client.get(key))?.toString('utf8') ?? '') } catch { return undefined } }
  const limit = pLimit(16)
  const referenced = new Set<string>()
  // The kept originals say which pictures the specs use, and so which variant sets.
  await Promise.all(parsed.filter(x => x.p!.kind === 'originals' && keep.has(x.o.key)).map(x => limit(async () => {
    const meta = await read(x.o.key)
    const spec = specOf.get(x.p!.id)
    refsOf(meta).forEach(h => referenced.add(h))
    if (spec && !metaProblem(meta, x.p!.id)) {
      for (const img of meta.images)
        keep.add(`${prefix}variants/${variantsPlan(img, spec.output, '').vkey}.json`)
    }
  })))
  await Promise.all(parsed.filter(x => x.p!.kind === 'variants' && keep.has(x.o.key)).map(x => limit(async () => {
    refsOf(await read(x.o.key)).forEach(h => referenced.add(h))
  })))
  const doomed = parsed.filter(x => !keep.has(x.o.key) && !(x.p!.kind === 'blobs' && referenced.has(x.p!.id))).map(x => x.o)
  if (yes)
    await Promise.all(doomed.map(o => limit(() => client.delete(o.key))))
  return { doomed, bytes: doomed.reduce((n, o) => n + o.size, 0), kept: listed.length - doomed.length }
}
