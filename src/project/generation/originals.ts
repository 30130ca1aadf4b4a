import type { ResolvedSpec } from '../../model/resolved'
import type { Provider } from '../providers/types'
import type { RemoteCache } from '../remote/remote-cache'
import type { Store } from '../store/store'
import type { Guard } from './guard'
import type { OriginalSet } from './original'
import path from 'node:path'
import pLimit from 'p-limit'
import { HttpError } from '../../model/errors'
import { cacheKey } from '../../model/key'
import { remoteOriginals } from '../remote/remote-originals'
import { journalDir, openJournal } from '../store/journal'
import { withKeyLock } from '../store/lock'
import { CorruptEntry } from '../store/store'
import { corruptFor, failureOf } from './failures'
import { inMemory } from './original'
import { saveGeneration } from './save'
import { UnusablePicture } from './verify'

export type { Original, OriginalSet } from './original'

export interface OriginalsContext {
  store: Store
  providerFor: (spec: ResolvedSpec) => Provider
  concurrency: number
  guard: Guard
  /** The shared remote cache: asked before any call, given what a call paid for. */
  remote?: RemoteCache
  lockStale: number
  maxImageBytes: number
  /** Generate corrupt entries again and replace them (`seedream generate --repair`), instead of failing. */
  repair?: boolean
  /** Known specs without an image, for the frozen-mode message. */
  missing: () => Promise<ResolvedSpec[]>
  start: (label: string) => (outcome: string) => void
  info: (message: string) => void
  warn: (message: string) => void
}

/**
 * Finds or generates the originals of a spec: a store hit costs nothing; a miss passes the guard
 * (frozen, budget), takes the key's lock (shared with other processes), and its call goes through
 * one queue of bounded size. The same key in flight is shared, so it is paid for once.
 */
export function createOriginals(ctx: OriginalsContext, inflight = new Map<string, Promise<OriginalSet>>()) {
  const { store, guard } = ctx
  const queue = pLimit(ctx.concurrency)

  async function stored(spec: ResolvedSpec, key: string): Promise<OriginalSet | undefined> {
    const entry = await store.read(key).catch((error) => {
      if (error instanceof CorruptEntry && !ctx.repair)
        throw corruptFor(spec, error)
      if (!(error instanceof CorruptEntry))
        throw error
    })
    // Repairing reads every file, so an entry that fails its hashes is generated again too.
    if (!entry || (ctx.repair && await store.verify(entry)))
      return undefined
    const load = (i: number) => store.readImage(entry, i).catch((error) => {
      throw error instanceof CorruptEntry ? corruptFor(spec, error) : error
    })
    return { key, images: entry.meta.images.map((img, i) => ({ ...img, load: () => load(i) })), generated: false, persistent: true }
  }

  /** Stored here, or in the remote cache (see remoteOriginals): either way free. */
  async function free(spec: ResolvedSpec, key: string, useRemote = true): Promise<OriginalSet | undefined> {
    return await stored(spec, key) ?? (useRemote ? remoteOriginals(ctx.remote, store, spec, key) : undefined)
  }

  async function find(spec: ResolvedSpec, key: string, useRemote: boolean): Promise<OriginalSet> {
    const provider = ctx.providerFor(spec)
    if (!provider.persistent) {
      const drawn = await provider.generate(spec, undefined, {})
      return { key, images: await inMemory(drawn.images), generated: false, persistent: false }
    }
    const hit = await free(spec, key, useRemote)
    if (hit)
      return hit
    guard.assertCanGenerate(spec, await ctx.missing())
    provider.assertReady?.(spec)
    return withKeyLock(store.dir, key, ctx.lockStale, () => stored(spec, key), () => generate(spec, key, provider))
  }

  async function generate(spec: ResolvedSpec, key: string, provider: Provider): Promise<OriginalSet> {
    const journal = await openJournal(journalDir(store.dir, key), spec, ctx.maxImageBytes, ctx.warn)
    // Pictures an earlier attempt paid for and kept are not counted again.
    const keptBefore = journal.kept.size
    const toPay = Math.max(0, spec.picture.max_images - keptBefore)
    guard.reserve(spec, toPay)
    const finish = ctx.start(`generating "${spec.name}"${spec.candidate ? ` candidate ${spec.candidate + 1}` : ''} with ${provider.name} ${spec.picture.model}`)
    // The queue bounds calls in flight, so a slot is held for the call alone, not for storing.
    const result = await queue(() => provider.generate(spec, undefined, {
      onRetry: (error, attempt, delay) => ctx.warn(`"${spec.name}": ${error.message}; retry ${attempt} in ${(delay / 1000).toFixed(1)} s`),
      warn: ctx.warn,
      info: ctx.info,
      journal,
    })).catch((error) => {
      // Only what is known not to have been billed is given back to the budget.
      if (!(error instanceof UnusablePicture) && !(error instanceof HttpError && error.mayBeBilled))
        guard.release(spec, toPay - (journal.kept.size - keptBefore))
      finish(`"${spec.name}" failed`)
      const failure = failureOf(spec, provider.name, error)
      if (journal.kept.size && failure instanceof Error)
        failure.message += ` ${journal.kept.size} paid picture(s) of "${spec.name}" are kept in ${path.relative(process.cwd(), journalDir(store.dir, key))}; the next build completes the rest without paying for them again.`
      throw failure
    })
    const { entry, ours } = await saveGeneration(store, spec, key, provider.name, result, ctx)
    await journal.clear()
    // Uploaded now, before its variants are made: a paid picture reaches the team as soon as it can.
    if (ours)
      ctx.remote?.putOriginal(entry.meta, result.images.map(img => img.data))
    const credits = result.remainingCredits === undefined ? '' : ` (${result.remainingCredits} credits left)`
    finish(`generated "${spec.name}"${credits}`)
    // Another process may have stored the key first (a lock lost to a stall): its entry is what ships.
    const images = entry.meta.images.map((img, i) => ({ ...img, load: ours ? async () => result.images[i]!.data : () => store.readImage(entry, i) }))
    return { key, images, generated: true, persistent: true, remainingCredits: result.remainingCredits, cost: result.cost }
  }

  return {
    dir: store.dir,
    /** The originals if they cost nothing now (stored, or drawn offline); undefined if a call is needed. */
    async cached(spec: ResolvedSpec): Promise<OriginalSet | undefined> {
      return ctx.providerFor(spec).persistent ? free(spec, cacheKey(spec)) : this.get(spec)
    },
    /** `useRemote: false` after a remote picture failed its check: the store, else the provider. */
    get(spec: ResolvedSpec, useRemote = true): Promise<OriginalSet> {
      const key = cacheKey(spec)
      const id = useRemote ? key : `${key}|local`
      let pending = inflight.get(id)
      if (!pending) {
        pending = find(spec, key, useRemote)
        inflight.set(id, pending)
        // Shared while in flight only. Once settled, a stored picture is read from the store again
        // (so its bytes are not held for the life of a dev server, and a later build counts it
        // as reused); a failure is not remembered, so the next build tries again. Offline
        // placeholders cost a drawing each, and stay.
        pending.then(set => set.persistent && inflight.delete(id), () => inflight.delete(id))
      }
      return pending
    },
  }
}
