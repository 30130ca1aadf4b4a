import type { SpecIssue } from '../../model/errors'
import type { ResolvedHost } from '../../model/options'
import type { ResolvedSpec } from '../../model/spec'
import type { RetryPolicy } from './http'
import type { GenerateResult, Provider } from './types'
import { HttpError } from '../../model/errors'
import { callSlots, download, journaledJob, json, keepOrDrop, keptImages, keyedHost, onOrigin, pollJob, referenceInputs } from './common'
import { request } from './http'

/** Replicate's input: the same fields as Segmind's. */
export function replicateInput(spec: ResolvedSpec, images: string[] | undefined, count: number): Record<string, unknown> {
  const p = spec.picture
  const input: Record<string, unknown> = {
    prompt: p.prompt,
    size: p.size,
    aspect_ratio: p.aspect_ratio,
    sequential_image_generation: count > 1 ? 'auto' : 'disabled',
    max_images: count,
  }
  if (p.size === 'custom')
    Object.assign(input, { width: p.width, height: p.height })
  if (images)
    input.image_input = images
  return input
}

const TERMINAL = new Set(['succeeded', 'failed', 'canceled'])

/** Replicate predictions: `Prefer: wait`, then polling `urls.get` until the prediction ends. */
export function replicateProvider(host: ResolvedHost, policy: RetryPolicy): Provider {
  return {
    ...keyedHost('replicate', host),
    check(spec): SpecIssue[] {
      return spec.picture.seed === undefined ? [] : [{ field: 'seed', message: 'provider "replicate" takes no seed for Seedream 4.x: remove it, or use segmind or fal' }]
    },
    async generate(spec, signal, events): Promise<GenerateResult> {
      // No `Prefer: wait`: the prediction is journaled the moment it exists, before anything waits on it.
      const headers = { 'authorization': `Bearer ${host.apiKey}`, 'content-type': 'application/json' }
      const call = (method: 'GET' | 'POST', url: string, body?: object) =>
        request({ method, url, headers, body: body && JSON.stringify(body), policy, signal, onRetry: events.onRetry })
      const url = `${host.apiUrl}/models/bytedance/${spec.picture.model}/predictions`
      const journal = events.journal!
      const result: GenerateResult = { images: [], requestIds: [] }
      for (const [t, slots] of callSlots(spec.picture).entries()) {
        if (slots.every(s => journal.kept.has(s)))
          continue
        // A prediction is journaled as soon as it exists, and followed again rather than re-created.
        let job = await journaledJob(journal, t, host.apiUrl, events.warn)
        let prediction = job && json((await call('GET', job.statusUrl!)).body)
        if (!job) {
          prediction = json((await call('POST', url, { input: replicateInput(spec, await referenceInputs(spec.references), slots.length) })).body, 'POST', url)
          job = { requestId: String(prediction.id), submittedAt: new Date().toISOString(), statusUrl: onOrigin(prediction.urls?.get, host.apiUrl, 'POST', url) }
          await journal.record(t, job)
        }
        if (!TERMINAL.has(prediction.status)) {
          prediction = await pollJob(job.statusUrl!, async () => json((await call('GET', job!.statusUrl!)).body),
            (s: any) => TERMINAL.has(s.status) ? 'done' : 'pending', policy.retryDelay, signal)
        }
        if (prediction.status !== 'succeeded') {
          await journal.record(t, undefined)
          throw new HttpError('GET', job.statusUrl!, 200, `prediction ${prediction.id} ${prediction.status}: ${prediction.error ?? 'no error given'}`)
        }
        const urls = [prediction.output].flat().filter((u: unknown): u is string => typeof u === 'string').slice(0, slots.length)
        for (const [i, url] of urls.entries()) {
          if (!journal.kept.has(slots[i]!))
            await keepOrDrop(journal, t, slots[i]!, (await download([url], policy, signal, events))[0]!)
        }
        result.requestIds.push(prediction.id)
      }
      result.images = keptImages(journal)
      return result
    },
  }
}
