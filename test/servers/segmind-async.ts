import type http from 'node:http'
import { createHash } from 'node:crypto'

interface Context {
  keys: Set<string>
  state: { credits: number }
  send: (res: http.ServerResponse, status: number, body: unknown, headers?: Record<string, string>) => void
  picture: (body: any) => Promise<Buffer>
  base: { url: string }
}

interface Job { id: string, body: any, polls: number, fail: boolean, images?: Buffer[] }

/**
 * Segmind's async API (v2) and asset upload on the loopback server: a job is QUEUED, then
 * PROCESSING, then COMPLETED (or FAILED) as it is polled; its output is a URL or an array of
 * them on this server. Uploads answer `{ url }`.
 */
export function createAsyncRoutes(ctx: Context) {
  const jobs = new Map<string, Job>()
  const uploads: Array<{ bytes: number, sha256: string }> = []
  const settings = { pollsBeforeDone: 2, failNext: false, outputAsString: false }
  let next = 0

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: any, raw: Buffer): Promise<boolean> {
    const url = req.url ?? ''
    const file = url.match(/^\/files\/([\w-]+)\/(\d+)\.jpg$/)
    if (req.method === 'GET' && file) {
      const image = jobs.get(file[1]!)?.images?.[Number(file[2])]
      if (!image)
        ctx.send(res, 404, { error: 'no such file' })
      else
        res.writeHead(200, { 'content-type': 'image/jpeg' }).end(image)
      return true
    }
    if (!url.startsWith('/v2/') && url !== '/upload-asset')
      return false
    if (!ctx.keys.has(String(req.headers['x-api-key'] ?? ''))) {
      ctx.send(res, 401, { error: 'Unauthorized: invalid or missing API key' })
      return true
    }
    if (url === '/upload-asset') {
      const sha256 = createHash('sha256').update(raw).digest('hex')
      uploads.push({ bytes: raw.length, sha256 })
      ctx.send(res, 200, { url: `https://assets.example.com/${sha256.slice(0, 12)}.png` })
      return true
    }
    if (req.method === 'POST' && url === '/v2/seedream-4.5') {
      const id = `job-${++next}`
      jobs.set(id, { id, body, polls: 0, fail: settings.failNext })
      settings.failNext = false
      const at = `${ctx.base.url}/v2/requests/${id}`
      ctx.send(res, 200, { request_id: id, status: 'QUEUED', poll_url: `${at}/status`, status_url: `${at}/status`, response_url: at })
      return true
    }
    const match = url.match(/^\/v2\/requests\/([\w-]+)(\/status)?$/)
    const job = match && jobs.get(match[1]!)
    if (!job) {
      ctx.send(res, 404, { error: 'Request not found' })
      return true
    }
    if (match[2]) {
      job.polls++
      const status = job.polls <= settings.pollsBeforeDone ? (job.polls === 1 ? 'QUEUED' : 'PROCESSING') : job.fail ? 'FAILED' : 'COMPLETED'
      if (status === 'COMPLETED' && !job.images) {
        job.images = await Promise.all(Array.from({ length: job.body.max_images ?? 1 }, (_, i) => ctx.picture({ ...job.body, prompt: `${job.body.prompt} #${i}` })))
        ctx.state.credits = Math.round((ctx.state.credits - 0.04 * job.images.length) * 100) / 100
      }
      ctx.send(res, 200, { status, request_id: job.id, metrics: { polls: job.polls } })
      return true
    }
    if (job.fail) {
      ctx.send(res, 422, { status: 'FAILED', error: 'The request failed because the output image may contain sensitive information.' })
      return true
    }
    const urls = (job.images ?? []).map((_, i) => `${ctx.base.url}/files/${job.id}/${i}.jpg`)
    ctx.send(res, 200, { status: job.images ? 'COMPLETED' : 'PROCESSING', metrics: {}, output: settings.outputAsString && urls.length === 1 ? urls[0] : urls })
    return true
  }

  return { handle, jobs, uploads, settings }
}
