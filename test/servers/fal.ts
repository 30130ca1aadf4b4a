import { fileStore, startJsonServer } from './base'
import { picture } from './segmind'

/**
 * fal's queue API on loopback: `Key` auth on every call, IN_QUEUE → IN_PROGRESS → COMPLETED as
 * the status URL is polled, `{images: [{url}], seed}` at the response URL, or an error `detail`.
 */
export async function startFalServer(key: string) {
  const files = fileStore()
  const jobs = new Map<string, { input: any, model: string, polls: number, images?: string[] }>()
  const settings = { failNext: false }
  let n = 0
  const server = await startJsonServer(async (req, base) => {
    const file = files.serve(req.path)
    if (file)
      return file
    if (req.headers.authorization !== `Key ${key}`)
      return { status: 401, body: { detail: 'Invalid Key' } }
    const status = req.path.match(/^\/fal-ai\/bytedance\/seedream\/requests\/([\w-]+)(\/status)?$/)
    if (req.method === 'POST') {
      const id = `fal-${++n}`
      const model = req.path.slice(1)
      jobs.set(id, { input: req.body, model, polls: 0 })
      const at = `${base}/fal-ai/bytedance/seedream/requests/${id}`
      return { status: 200, body: { request_id: id, status: 'IN_QUEUE', status_url: `${at}/status`, response_url: at, cancel_url: `${at}/cancel` } }
    }
    const job = status && jobs.get(status[1]!)
    if (!job)
      return { status: 404, body: { detail: 'Request not found' } }
    if (status[2]) {
      job.polls++
      return { status: 200, body: { status: job.polls === 1 ? 'IN_QUEUE' : job.polls === 2 ? 'IN_PROGRESS' : 'COMPLETED', request_id: status[1] } }
    }
    if (settings.failNext) {
      settings.failNext = false
      return { status: 422, body: { detail: [{ loc: ['body', 'prompt'], msg: 'content policy violation', type: 'content_policy_violation' }] } }
    }
    const size = job.input.image_size ?? { width: 1024, height: 1024 }
    const count = (job.input.num_images ?? 1) * (job.input.max_images ?? 1)
    job.images ??= await Promise.all(Array.from({ length: count }, async (_, i) =>
      files.add(base, await picture({ prompt: `${job.input.prompt} #${i}`, size: 'custom', ...size }, 16))))
    return { status: 200, body: { images: job.images.map(url => ({ url, content_type: 'image/jpeg' })), seed: job.input.seed ?? 777 } }
  })
  return { ...server, settings, jobs, generations: () => server.state.requests.filter(r => r.method === 'POST') }
}
