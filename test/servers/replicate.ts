import { fileStore, startJsonServer } from './base'
import { picture } from './segmind'

/**
 * Replicate predictions on loopback: Bearer auth, `Prefer: wait` answered with a prediction still
 * `processing` (as when the wait runs out), then `succeeded` (or `failed`) at `urls.get`.
 */
export async function startReplicateServer(key: string) {
  const files = fileStore()
  const predictions = new Map<string, { input: any, polls: number, output?: string[] }>()
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
      predictions.set(id, { input: req.body.input, polls: 0 })
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
    if (settings.failNext) {
      settings.failNext = false
      return { status: 200, body: { id, status: 'failed', error: 'NSFW content detected', output: null, urls } }
    }
    const count = p.input.sequential_image_generation === 'auto' ? p.input.max_images : 1
    p.output ??= await Promise.all(Array.from({ length: count }, async (_, i) =>
      files.add(base, await picture({ ...p.input, prompt: `${p.input.prompt} #${i}` }, 16))))
    return { status: 200, body: { id, status: 'succeeded', output: p.output, urls } }
  })
  return { ...server, settings, predictions, generations: () => server.state.requests.filter(r => r.method === 'POST') }
}
