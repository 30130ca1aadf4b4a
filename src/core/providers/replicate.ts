import type { SpecIssue } from '../errors'
import type { ResolvedHost } from '../options'
import type { ResolvedSpec } from '../spec'
import type { RetryPolicy } from './http'
import type { GenerateResult, Provider } from './types'
import { HttpError } from '../errors'
import { download, json, missingKey, pollJob, referenceInputs } from './common'
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
    name: 'replicate',
    persistent: true,
    assertReady(spec) {
      if (!host.apiKey)
        throw missingKey(spec, 'replicate', host.keyVariable)
    },
    check(spec): SpecIssue[] {
      return spec.picture.seed === undefined ? [] : [{ field: 'seed', message: 'provider "replicate" takes no seed for Seedream 4.x: remove it, or use segmind or fal' }]
    },
    async generate(spec, signal, events): Promise<GenerateResult> {
      const headers = { 'authorization': `Bearer ${host.apiKey}`, 'content-type': 'application/json', 'prefer': 'wait' }
      const call = (method: 'GET' | 'POST', url: string, body?: object) =>
        request({ method, url, headers, body: body && JSON.stringify(body), policy, signal, onRetry: events.onRetry })
      const url = `${host.apiUrl}/models/bytedance/${spec.picture.model}/predictions`
      const refs = await referenceInputs(spec.references)
      const p = spec.picture
      const calls = p.sequential_image_generation === 'auto' ? [p.max_images] : Array.from({ length: p.max_images }, () => 1)
      const result: GenerateResult = { images: [], requestIds: [] }
      for (const count of calls) {
        let prediction = json((await call('POST', url, { input: replicateInput(spec, refs, count) })).body, 'POST', url)
        if (!TERMINAL.has(prediction.status)) {
          prediction = await pollJob(prediction.urls?.get, async () => json((await call('GET', prediction.urls.get)).body),
            (s: any) => TERMINAL.has(s.status) ? 'done' : 'pending', policy.retryDelay, signal)
        }
        if (prediction.status !== 'succeeded')
          throw new HttpError('GET', prediction.urls?.get ?? url, 200, `prediction ${prediction.id} ${prediction.status}: ${prediction.error ?? 'no error given'}`)
        const urls = [prediction.output].flat().filter((u: unknown): u is string => typeof u === 'string').slice(0, count)
        result.images.push(...await download(urls, policy, signal, events))
        result.requestIds.push(prediction.id)
      }
      return result
    },
  }
}
