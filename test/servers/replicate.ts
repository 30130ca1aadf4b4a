import { createJobs, startJsonServer } from './base'
import { render, segmindSize } from './picture'

/** Dollars a picture (Replicate's model pages, [I] for the loopback ledger). */
export const REPLICATE_PRICE: Record<string, number> = { 'seedream-4': 0.03, 'seedream-4.5': 0.04 }

/**
 * Replicate predictions on loopback: Bearer auth, `Prefer: wait` answered with a prediction still
 * `processing` (as when the wait runs out), then `succeeded` (or `failed`) at `urls.get`. Pictures
 * are the size Segmind would return for the same input fields. Ledger: a prediction bills its
 * pictures when it succeeds; a failed one (`settings.failNext` at creation) does not.
 */
export async function startReplicateServer(key: string) {
  const queue = createJobs<{ input: any, model: string }>('rep', async (p, id) => {
    const count = p.input.sequential_image_generation === 'auto' ? p.input.max_images ?? 1 : 1
    const { width, height } = segmindSize(p.input, p.model)
    const images = await Promise.all(Array.from({ length: count }, (_, i) => render(width, height, `replicate|${p.model}|${p.input.prompt}|${id}|${i}`)))
    return { images, path: `/models/bytedance/${p.model}/predictions`, model: p.model, price: REPLICATE_PRICE[p.model]! }
  })
  const unauthorized = { status: 401, body: { title: 'Unauthenticated', detail: 'You did not pass a valid authentication token', status: 401 } }
  const server = await startJsonServer(queue.keyed(`Bearer ${key}`, unauthorized, async (req, base) => {
    const create = req.path.match(/^\/models\/bytedance\/(seedream-4|seedream-4\.5)\/predictions$/)
    if (req.method === 'POST' && create) {
      const id = queue.submit({ input: req.body.input, model: create[1]! })
      return { status: 201, body: { id, status: 'processing', input: req.body.input, output: null, urls: { get: `${base}/predictions/${id}`, cancel: `${base}/predictions/${id}/cancel` } } }
    }
    const id = req.path.match(/^\/predictions\/([\w-]+)$/)?.[1]
    const p = id && queue.jobs.get(id)
    if (!p)
      return { status: 404, body: { detail: 'Not found' } }
    p.polls++
    const urls = { get: `${base}/predictions/${id}` }
    if (p.polls < 2)
      return { status: 200, body: { id, status: 'processing', output: null, urls } }
    if (p.fail)
      return { status: 200, body: { id, status: 'failed', error: 'NSFW content detected', output: null, urls } }
    return { status: 200, body: { id, status: 'succeeded', output: await queue.make(id, base), urls } }
  }))
  return { ...queue.expose(server), predictions: queue.jobs }
}
