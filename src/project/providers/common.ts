import type { Reference } from '../references'
import type { JobJournal, JobRecord } from '../store/journal'
import type { PictureRequest, ResolvedSpec } from '../../model/spec'
import type { RetryPolicy } from './http'
import type { ResolvedHost } from '../../model/resolved'
import type { GenerateEvents, GeneratedImage, Provider } from './types'
import { setTimeout as sleep } from 'node:timers/promises'
import { excerpt, head, HttpError, SeedreamError } from '../../model/errors'
import { dataUri } from '../references'
import { explicitSize } from '../../model/geometry'
import { UnusablePicture } from '../generation/verify'
import { toImage } from './answers'
import { request } from './http'

/** Explicit pixels for hosts that take no aspect ratio, scaled up to the model's minimum area. */
export const pixelSize = explicitSize

/** The calls a spec takes, by the picture slots each fills: a series is one call, independent pictures one call each. */
export function callSlots(p: PictureRequest): number[][] {
  const all = Array.from({ length: p.max_images }, (_, i) => i)
  return p.sequential_image_generation === 'auto' ? [all] : all.map(i => [i])
}

/** What a generation returns: the pictures its journal holds, in slot order. */
export const keptImages = (journal: JobJournal) => [...journal.kept.keys()].sort((a, b) => a - b).map(s => journal.kept.get(s)!)

const sameOrigin = (url: unknown, base: string): url is string =>
  typeof url === 'string' && /^https?:\/\//.test(url) && new URL(url).origin === new URL(base).origin

/** A job URL a host answered with, if it is on the host's own origin: the key is sent nowhere else. */
export function onOrigin(url: unknown, base: string, method: 'GET' | 'POST', from: string): string {
  if (sameOrigin(url, base))
    return url
  throw new HttpError(method, from, 200, `answered with a job URL on another origin (${typeof url === 'string' ? url.split('/').slice(0, 3).join('/') : 'none'}); it is not followed, so the key goes to ${new URL(base).origin} only`, { mayBeBilled: true })
}

/**
 * A journaled job whose URLs are still on the host's origin (a journal is read from disk), or
 * undefined: a record that fails the check is dropped with a warning, not followed and not kept
 * to block every later build.
 */
export async function journaledJob(journal: JobJournal, t: number, base: string, warn?: (m: string) => void): Promise<JobRecord | undefined> {
  const job = journal.job(t)
  const urls = [job?.statusUrl, ...(job?.resultUrl === undefined ? [] : [job.resultUrl])]
  if (!job || urls.every(u => sameOrigin(u, base)))
    return job
  warn?.(`the journaled job ${job.requestId} names a URL off ${new URL(base).origin}; it is not followed, and if it was paid for, its picture is lost`)
  await journal.record(t, undefined)
  return undefined
}

/** Keeps a downloaded picture; one that fails verification ends its job's record (paid, and lost). */
export async function keepOrDrop(journal: JobJournal, t: number, slot: number, image: GeneratedImage): Promise<void> {
  await journal.keep(slot, image).catch(async (error) => {
    if (error instanceof UnusablePicture)
      await journal.record(t, undefined)
    throw error
  })
}

function missingKey(spec: ResolvedSpec, provider: string, variable: string): SeedreamError {
  return new SeedreamError(`${variable} is not set, so "${spec.name}" cannot be generated with ${provider}. `
    + `Set it in the environment, or choose another provider (provider: 'placeholder' works offline).`, { spec: spec.name, file: spec.file }, 'SEEDREAM_NO_KEY')
}

/** What every keyed host's provider starts with: its name, stored pictures, and no call without a key. */
export function keyedHost(name: string, host: ResolvedHost): Pick<Provider, 'name' | 'persistent' | 'assertReady'> {
  return {
    name,
    persistent: true,
    assertReady(spec) {
      if (!host.apiKey)
        throw missingKey(spec, name, host.keyVariable)
    },
  }
}

/** References as URLs, local files as data URIs (for hosts that take them). */
export function referenceInputs(refs: Reference[] | undefined): Promise<string[]> | undefined {
  return refs && Promise.all(refs.map(r => r.kind === 'url' ? r.url : dataUri(r)))
}

/** Downloads result files: no key is sent to the hosts that serve them. */
export async function download(urls: string[], policy: RetryPolicy, signal: AbortSignal | undefined, events: GenerateEvents): Promise<GeneratedImage[]> {
  const images: GeneratedImage[] = []
  for (const url of urls) {
    // Result files are public: no key, and outside the API's rate gate.
    const res = await request({ method: 'GET', url, headers: {}, policy: { ...policy, gate: undefined }, signal, onRetry: events.onRetry })
    images.push(toImage(res.body, url, res.headers.get('content-type'), undefined, 'GET'))
  }
  return images
}

/** A job is given up after this long, however its status reads. */
const JOB_DEADLINE = 15 * 60_000

/**
 * Polls a job until `state` says it is done or failed, with a growing interval (from the retry
 * delay up to 10 s); each poll is one request under the retry policy.
 */
export async function pollJob<T>(url: string, check: () => Promise<T>, state: (t: T) => 'done' | 'failed' | 'pending', retryDelay: number, signal?: AbortSignal): Promise<T> {
  const deadline = Date.now() + JOB_DEADLINE
  for (let n = 0; ; n++) {
    const current = await check()
    const s = state(current)
    if (s !== 'pending')
      return current
    if (Date.now() > deadline)
      throw new HttpError('GET', url, 200, `job still running after ${JOB_DEADLINE / 60_000} min`)
    await sleep(Math.min(retryDelay * 1.5 ** n, 10_000), undefined, { signal })
  }
}

/**
 * A JSON answer, or an HttpError quoting what came instead; a payload's answer that does not
 * parse may stand for a job that was created and billed, so it says so.
 */
export function json(buf: Buffer, method: 'GET' | 'POST' = 'GET', url = ''): any {
  try {
    return JSON.parse(buf.toString('utf8'))
  }
  catch {
    throw new HttpError(method, url, 200, `answered with a body that is not JSON (${buf.length} bytes, starting "${excerpt(head(buf, 80), 80)}")`, { mayBeBilled: method === 'POST' })
  }
}
