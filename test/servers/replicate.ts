import { createLedger, fileStore, startJsonServer } from './base'
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
  const files = fileStore()
  const ledger = createLedger()
  const predictions = new Map<string, { input: any, model: string, polls: number, fail: boolean, output?: string[], making?: Promise<string[]> }>()
  const settings = { failNext: false }
  let n = 0
  const server = await startJsonServer(async (req, base) => {
    const file = files.serve(req.path)
    if (file)
      return file
    if (req.headers.authorization !== `Bearer ${key}`)
      return { status: 401, body: { title: 'Unauthenticated', detail: 'You did not pass a valid authentication token', status: 401 } }
    const create = req.path.match(/^\/models\/bytedance\/(seedream-4|seedream-4\.5)\/predictions$/)
    if (req.method === 'POST' && create) {
      const id = `rep-${++n}`
      predictions.set(id, { input: req.body.input, model: create[1]!, polls: 0, fail: settings.failNext })
      settings.failNext = false
      return { status: 201, body: { id, status: 'processing', input: req.body.input, output: null, urls: { get: `${base}/predictions/${id}`, cancel: `${base}/predictions/${id}/cancel` } } }
    }
    const id = req.path.match(/^\/predictions\/([\w-]+)$/)?.[1]
    const p = id && predictions.get(id)
    if (!p)
      return { status: 404, body: { detail: 'Not found' } }
    p.polls++
    const urls = { get: `${base}/predictions/${id}` }
    if (p.polls < 2)
      return { status: 200, body: { id, status: 'processing', output: null, urls } }
    if (p.fail)
      return { status: 200, body: { id, status: 'failed', error: 'NSFW content detected', output: null, urls } }
    p.making ??= (async () => {
      const count = p.input.sequential_image_generation === 'auto' ? p.input.max_images ?? 1 : 1
      const { width, height } = segmindSize(p.input, p.model)
      const images = await Promise.all(Array.from({ length: count }, (_, i) => render(width, height, `replicate|${p.model}|${p.input.prompt}|${id}|${i}`)))
      ledger.bill({ id, path: `/models/bytedance/${p.model}/predictions`, model: p.model, price: REPLICATE_PRICE[p.model]!, images })
      return p.output = images.map(image => files.add(base, image))
    })()
    return { status: 200, body: { id, status: 'succeeded', output: await p.making, urls } }
  })
  return {
    ...server,
    settings,
    predictions,
    ledger: ledger.ledger,
    billedPictures: ledger.billedPictures,
    billedSha256: ledger.billedSha256,
    billedCost: ledger.billedCost,
    generations: () => server.state.requests.filter(r => r.method === 'POST'),
  }
}
