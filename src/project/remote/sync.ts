import type { ResolvedSpec } from '../../model/resolved'
import type { Project } from '../open-project'
import type { RemoteCache } from './remote-cache'
import pLimit from 'p-limit'
import { cacheKey } from '../../model/key'
import { remotePackKey, variantsPlan } from '../images/variant-plan'
import { writeSet } from '../images/variants'
import { checkManifest, readCached } from '../store/variant-cache'
import { pullOriginal } from './remote-originals'

export interface SyncCount { originals: number, variantSets: number, absent: string[] }

/** Each spec's stored entry (local), for specs whose provider stores pictures. */
async function localEntries(project: Project, specs: ResolvedSpec[]) {
  const persistent = specs.filter(s => project.providerFor(s).persistent)
  const entries = await Promise.all(persistent.map(s => project.store.read(cacheKey(s)).catch(() => undefined)))
  return persistent.map((spec, i) => ({ spec, entry: entries[i] }))
}

/** The variant sets an entry's pictures have in the local cache for the spec's outputs, checked. */
function variantSetsOf(project: Project, spec: ResolvedSpec, images: Array<{ sha256: string, width: number }>) {
  return images.map((img, i) => {
    const { dir, planned } = variantsPlan(img, spec.output, project.options.variantsCacheDir)
    const packKey = remotePackKey(cacheKey(spec), i, spec.output)
    return { packKey, source: img.sha256, dir, planned, local: () => readCached(dir, planned, spec.output.placeholder).then(c => c && 'manifest' in c ? c : undefined) }
  })
}

/**
 * `seedream pull`: every spec's original the store lacks, then every variant set the variants
 * cache lacks, from the bucket, verified as a build verifies them. What is in neither is listed.
 */
export async function pullAll(project: Project, remote: RemoteCache, specs: ResolvedSpec[]): Promise<SyncCount> {
  const count: SyncCount = { originals: 0, variantSets: 0, absent: [] }
  const limit = pLimit(16)
  await Promise.all((await localEntries(project, specs)).map(({ spec, entry }) => limit(async () => {
    if (!entry && await pullOriginal(remote, project.store, cacheKey(spec)))
      count.originals++
    const stored = entry ?? await project.store.read(cacheKey(spec)).catch(() => undefined)
    if (!stored)
      return void count.absent.push(spec.name)
    for (const set of variantSetsOf(project, spec, stored.meta.images)) {
      if (await set.local())
        continue
      const pulled = await remote.getVariants(set.packKey, set.source, json => checkManifest(json, set.planned, spec.output.placeholder))
      if (pulled) {
        await writeSet(set.dir, pulled.manifest, pulled.data)
        count.variantSets++
      }
    }
  })))
  return count
}

/**
 * `seedream generate --push`: every stored original the bucket lacks, and every variant set of the
 * local cache it lacks, uploaded (each file read against its hash first) and awaited.
 */
export async function pushAll(project: Project, remote: RemoteCache, specs: ResolvedSpec[]): Promise<SyncCount> {
  const count: SyncCount = { originals: 0, variantSets: 0, absent: [] }
  const limit = pLimit(16)
  await Promise.all((await localEntries(project, specs)).map(({ spec, entry }) => limit(async () => {
    if (!entry)
      return void count.absent.push(spec.name)
    if (await remote.has(entry.meta.key) === false) {
      remote.putOriginal(entry.meta, await Promise.all(entry.meta.images.map((_, i) => project.store.readImage(entry, i))))
      count.originals++
    }
    for (const set of variantSetsOf(project, spec, entry.meta.images)) {
      const cached = await set.local()
      if (cached && await remote.has(set.packKey, 'variants') === false) {
        remote.putVariants(set.packKey, entry.meta.key, set.source, cached.manifest, cached.data)
        count.variantSets++
      }
    }
  })))
  await remote.flush()
  return count
}
