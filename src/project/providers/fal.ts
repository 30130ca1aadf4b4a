import type { JobJournal, JobRecord } from '../store/journal'
import type { ResolvedHost } from '../../model/options'
import type { ResolvedSpec } from '../../model/spec'
import type { RetryPolicy } from './http'
import type { GenerateResult, Provider } from './types'
import { HttpError } from '../../model/errors'
import { download, journaledJob, json, keepOrDrop, keptImages, keyedHost, onOrigin, pixelSize, pollJob, referenceInputs } from './common'
import { request } from './http'

/** fal's model path: text-to-image, or edit when there are reference images. */
export function falModel(spec: ResolvedSpec): string {
  const version = spec.picture.model === 'seedream-4.5' ? 'v4.5' : 'v4'
  return `fal-ai/bytedance/seedream/${version}/${spec.picture.image_input ? 'edit' : 'text-to-image'}`
}

export function falInput(spec: ResolvedSpec, images: string[] | undefined): Record<string, unknown> {
  const p = spec.picture
  const series = p.sequential_image_generation === 'auto'
  const input: Record<string, unknown> = {
    prompt: p.prompt,
    num_images: series ? 1 : p.max_images,
    max_images: series ? p.max_images : 1,
  }
  // fal's own `auto_*` sizes follow the input's ratio at the preset's scale; its default would be 2K.
  input.image_size = p.aspect_ratio !== 'match_input_image' ? pixelSize(p) : p.size === '4K' ? 'auto_4K' : 'auto_2K'
  if (images)
    input.image_urls = images
  if (p.seed !== undefined)
    input.seed = p.seed
  return input
}

type Call = (method: 'GET' | 'POST', url: string, body?: object) => Promise<{ body: Buffer }>

/** Submits the job and journals it, with its URLs (checked to be fal's own), before any wait. */
async function falSubmit(call: Call, host: ResolvedHost, spec: ResolvedSpec, journal: JobJournal): Promise<JobRecord> {
  const submitUrl = `${host.apiUrl}/${falModel(spec)}`
  const answer = json((await call('POST', submitUrl, falInput(spec, await referenceInputs(spec.references)))).body, 'POST', submitUrl)
  if (!answer.request_id)
    throw new HttpError('POST', submitUrl, 200, `answered without a request_id: ${JSON.stringify(answer)}`, { mayBeBilled: true })
  const job = { requestId: String(answer.request_id), submittedAt: new Date().toISOString(), statusUrl: onOrigin(answer.status_url, host.apiUrl, 'POST', submitUrl), resultUrl: onOrigin(answer.response_url, host.apiUrl, 'POST', submitUrl) }
  await journal.record(0, job)
  return job
}

/** A completed job's answer; one fal no longer has (404) was billed and is lost, and leaves the journal. */
async function falResult(call: Call, job: JobRecord, journal: JobJournal): Promise<any> {
  return json((await call('GET', job.resultUrl!).catch(async (error) => {
    if (error instanceof HttpError && error.status === 404) {
      await journal.record(0, undefined)
      error.message += ` — job ${job.requestId} completed and was billed, but fal no longer has its result: its pictures are lost`
    }
    throw error
  })).body)
}

/** fal.ai's queue API: submit, poll the status URL, read the response URL, download the images. */
export function falProvider(host: ResolvedHost, policy: RetryPolicy): Provider {
  return {
    ...keyedHost('fal', host),
    async generate(spec, signal, events): Promise<GenerateResult> {
      const headers = { 'authorization': `Key ${host.apiKey}`, 'content-type': 'application/json' }
      const call = (method: 'GET' | 'POST', url: string, body?: object) =>
        request({ method, url, headers, body: body && JSON.stringify(body), policy, signal, onRetry: events.onRetry })
      const journal = events.journal!
      // Every picture already kept (a build stopped between the last one and the store): done.
      if (journal.kept.size >= spec.picture.max_images)
        return { images: keptImages(journal), requestIds: [] }
      const job = await journaledJob(journal, 0, host.apiUrl, events.warn) ?? await falSubmit(call, host, spec, journal)
      const state = await pollJob(job.statusUrl!, async () => json((await call('GET', job.statusUrl!)).body),
        s => s.status === 'COMPLETED' ? 'done' : s.status === 'FAILED' || s.status === 'ERROR' ? 'failed' : 'pending', policy.retryDelay, signal)
      if (state.status !== 'COMPLETED') {
        // A failed job is not billed: it leaves the journal. Its response URL answers the reason.
        await journal.record(0, undefined)
        await call('GET', job.resultUrl!)
        throw new HttpError('GET', job.statusUrl!, 200, `job ${job.requestId} ${state.status} (not billed)`)
      }
      const answer = await falResult(call, job, journal)
      const urls = (answer.images ?? []).map((i: { url?: string }) => i.url).filter(Boolean).slice(0, spec.picture.max_images)
      if (!urls.length)
        throw new HttpError('GET', job.resultUrl!, 200, `job ${job.requestId} returned no image`, { mayBeBilled: true })
      for (const [slot, url] of urls.entries()) {
        if (!journal.kept.has(slot))
          await keepOrDrop(journal, 0, slot, (await download([url], policy, signal, events))[0]!)
      }
      return { images: keptImages(journal), requestIds: [job.requestId], seed: answer.seed }
    },
  }
}
