import { createJobs, startJsonServer } from './base'
import { falSize, render } from './picture'

/** Dollars a picture (fal's model pages, [I] for the loopback ledger). */
export const FAL_PRICE: Record<string, number> = { 'seedream-4': 0.03, 'seedream-4.5': 0.04 }

/**
 * fal's queue API on loopback: `Key` auth on every call, IN_QUEUE → IN_PROGRESS → COMPLETED as
 * the status URL is polled, `{images: [{url}], seed}` at the response URL, or an error `detail`.
 * Pictures are `image_size` {width, height} (a named size, or 2048² by default). Ledger: a request
 * bills its pictures when it reaches COMPLETED (at the third status poll, or when its response is
 * read first), downloaded or not; a failed one (`settings.failNext` at submission) does not.
 */
export async function startFalServer(key: string) {
  const queue = createJobs<{ input: any, model: string }>('fal', async (job, id) => {
    const { width, height } = falSize(job.input.image_size)
    const count = (job.input.num_images ?? 1) * (job.input.max_images ?? 1)
    const images = await Promise.all(Array.from({ length: count }, (_, i) => render(width, height, `fal|${job.model}|${job.input.prompt}|${id}|${i}`)))
    const model = /v4\.5/.test(job.model) ? 'seedream-4.5' : 'seedream-4'
    return { images, path: `/${job.model}`, model, price: FAL_PRICE[model]! }
  })
  const server = await startJsonServer(queue.keyed(`Key ${key}`, { status: 401, body: { detail: 'Invalid Key' } }, async (req, base) => {
    const status = req.path.match(/^\/fal-ai\/bytedance\/seedream\/requests\/([\w-]+)(\/status)?$/)
    if (req.method === 'POST') {
      const id = queue.submit({ input: req.body, model: req.path.slice(1) })
      const at = `${base}/fal-ai/bytedance/seedream/requests/${id}`
      return { status: 200, body: { request_id: id, status: 'IN_QUEUE', status_url: `${at}/status`, response_url: at, cancel_url: `${at}/cancel` } }
    }
    const job = status && queue.jobs.get(status[1]!)
    if (!job)
      return { status: 404, body: { detail: 'Request not found' } }
    if (status[2]) {
      job.polls++
      const state = job.polls === 1 ? 'IN_QUEUE' : job.polls === 2 ? 'IN_PROGRESS' : 'COMPLETED'
      if (state === 'COMPLETED' && !job.fail)
        await queue.make(status[1]!, base)
      return { status: 200, body: { status: state, request_id: status[1] } }
    }
    if (job.fail)
      return { status: 422, body: { detail: [{ loc: ['body', 'prompt'], msg: 'content policy violation', type: 'content_policy_violation' }] } }
    const images = await queue.make(status[1]!, base)
    return { status: 200, body: { images: images.map(url => ({ url, content_type: 'image/jpeg' })), seed: job.input.seed ?? 777 } }
  }))
  return { ...queue.expose(server), jobs: queue.jobs }
}
