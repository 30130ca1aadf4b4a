import type { AddressInfo } from 'node:net'
import type { Fault, LoggedRequest } from './segmind'
import http from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'

export interface Answer { status: number, body: unknown, headers?: Record<string, string> }
export type Route = (req: { method: string, path: string, headers: http.IncomingHttpHeaders, body: any }, base: string) => Promise<Answer>

/**
 * A loopback JSON server for one provider's protocol: every request is logged, a queue of
 * faults (status, reset, latency) is served first, then the provider's own route answers.
 */
export async function startJsonServer(route: Route, latencyMs = 0) {
  const state = { faults: [] as Fault[], requests: [] as LoggedRequest[] }
  let base = ''
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks)
    let body: any
    try { body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined }
    catch { body = raw.toString('utf8') }
    const logged = { method: req.method!, path: req.url!, headers: req.headers, body }
    state.requests.push(logged)
    const fault = state.faults.shift()
    if (fault?.latencyMs ?? latencyMs)
      await sleep(fault?.latencyMs ?? latencyMs)
    if (fault?.reset)
      return req.socket.destroy()
    const answer = fault?.status ? { status: fault.status, body: fault.body ?? { error: http.STATUS_CODES[fault.status] }, headers: fault.headers } : await route(logged, base)
    if (Buffer.isBuffer(answer.body))
      return res.writeHead(answer.status, { 'content-type': 'image/jpeg', ...answer.headers }).end(answer.body)
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(JSON.stringify(answer.body))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: base,
    state,
    fail: (...faults: Fault[]) => state.faults.push(...faults),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

/** Result files, served without a key, as every provider's CDN does. */
export function fileStore() {
  const files = new Map<string, Buffer>()
  let n = 0
  return {
    add(base: string, image: Buffer): string {
      const name = `/files/${++n}.jpg`
      files.set(name, image)
      return `${base}${name}`
    },
    serve(path: string): Answer | undefined {
      const file = files.get(path)
      return file && { status: 200, body: file }
    },
  }
}
