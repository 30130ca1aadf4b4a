import type { SpecIssue } from '../../model/errors'
import type { ResolvedHost } from '../../model/options'
import type { ResolvedSpec } from '../../model/spec'
import type { RetryPolicy } from './http'
import type { GenerateEvents, GenerateResult, Provider } from './types'
import { HttpError } from '../../model/errors'
import { toImage } from './answers'
import { callSlots, download, json, keptImages, keyedHost, pixelSize, referenceInputs } from './common'
import { request } from './http'

export const ARK_MODELS = { 'seedream-4': 'seedream-4-0-250828', 'seedream-4.5': 'seedream-4-5-251128' } as const

const HINTS: Record<number, string> = {
  400: 'ModelArk refused the request (InvalidParameter, or a sensitive-content refusal: reword the prompt).',
  401: 'The key was refused: check ARK_API_KEY.',
  403: 'The account cannot use this model now (AccountOverdueError?): check the BytePlus console.',
  404: 'The model is not activated for this account (ModelNotOpen): enable it in the BytePlus console.',
}

/** ModelArk's body: explicit pixels (it takes no aspect ratio), series through sequential options. */
export function arkBody(spec: ResolvedSpec, images: string[] | undefined, count: number): Record<string, unknown> {
  const { width, height } = pixelSize(spec.picture)
  const body: Record<string, unknown> = {
    model: ARK_MODELS[spec.picture.model],
    prompt: spec.picture.prompt,
    size: `${width}x${height}`,
    response_format: 'b64_json',
    watermark: false,
    sequential_image_generation: count > 1 ? 'auto' : 'disabled',
  }
  if (count > 1)
    body.sequential_image_generation_options = { max_images: count }
  if (images)
    body.image = images.length === 1 ? images[0] : images
  return body
}

interface ArkCall {
  host: ResolvedHost
  policy: RetryPolicy
  url: string
  spec: ResolvedSpec
  refs: Awaited<ReturnType<typeof referenceInputs>>
  slots: number[]
  /** Where per-picture refusals (`data[].error`) are gathered, for the warning or the error. */
  refused: string[]
}

/** One call for `slots`: each picture kept in its slot as it arrives; returns the request id. */
async function arkCall(c: ArkCall, signal: AbortSignal | undefined, events: GenerateEvents): Promise<string> {
  const res = await request({
    method: 'POST', url: c.url, policy: c.policy, signal, onRetry: events.onRetry,
    headers: { 'authorization': `Bearer ${c.host.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(arkBody(c.spec, c.refs, c.slots.length)),
  }).catch((error) => {
    if (error instanceof HttpError && error.status && HINTS[error.status])
      error.message += ` — ${HINTS[error.status]}`
    throw error
  })
  const id = res.headers.get('x-request-id') ?? undefined
  const answer = json(res.body, 'POST', c.url)
  const pictures: any[] = []
  for (const item of answer.data ?? []) {
    if (item.error)
      c.refused.push(`${item.error.code}: ${item.error.message}`)
    else pictures.push(item)
  }
  for (const [i, item] of pictures.slice(0, c.slots.length).entries()) {
    const image = item.b64_json
      ? toImage(Buffer.from(item.b64_json, 'base64'), c.url, 'b64_json', id)
      : (await download([item.url], c.policy, signal, events).catch((error) => {
          throw new HttpError('GET', item.url, error.status, `${error.detail ?? error.message}; the picture was billed (request ${id}) and is lost`, { mayBeBilled: true })
        }))[0]!
    await events.journal!.keep(c.slots[i]!, image)
  }
  return id ?? String(answer.created ?? '')
}

/** BytePlus ModelArk `images/generations`: Bearer key, base64 or URL answers, per-image errors in `data`. */
export function arkProvider(host: ResolvedHost, policy: RetryPolicy): Provider {
  return {
    ...keyedHost('ark', host),
    check(spec): SpecIssue[] {
      const issues: SpecIssue[] = []
      if (spec.picture.aspect_ratio === 'match_input_image')
        issues.push({ field: 'aspect_ratio', message: 'provider "ark" takes explicit sizes only, not "match_input_image": choose a ratio' })
      if (spec.picture.seed !== undefined)
        issues.push({ field: 'seed', message: 'provider "ark" takes no seed for Seedream 4.x: remove it, or use segmind or fal' })
      return issues
    },
    async generate(spec, signal, events): Promise<GenerateResult> {
      const url = `${host.apiUrl}/images/generations`
      const journal = events.journal!
      const refs = await referenceInputs(spec.references)
      const result: GenerateResult = { images: [], requestIds: [] }
      const refused: string[] = []
      // A series comes from one call; independent pictures from one call each; each picture is
      // kept as it arrives, so a later failure loses none that were paid for.
      // A call is made only for slots none of which are kept: asking for a series again would pay for all of it.
      for (const slots of callSlots(spec.picture).filter(s => s.every(slot => !journal.kept.has(slot))))
        result.requestIds.push(await arkCall({ host, policy, url, spec, refs, slots, refused }, signal, events))
      result.images = keptImages(journal)
      if (!result.images.length)
        throw new HttpError('POST', url, 200, `returned no image: ${refused.join('; ') || 'empty data'}`)
      if (refused.length)
        events.warn?.(`"${spec.name}": ark returned ${result.images.length} of ${spec.picture.max_images} picture(s); the rest were refused: ${refused.join('; ')}`)
      return result
    },
  }
}
