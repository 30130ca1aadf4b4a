import type { HttpRequest, HttpResponse } from '../providers/http'
import http from 'node:http'
import https from 'node:https'
import { HttpError } from '../../model/errors'
import { RETRY_STATUS } from '../providers/http'

// Kept open between requests: a build asks one bucket for dozens of objects in its first moments.
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) }

/**
 * An answer's body as it streams in: into one buffer of the announced length when there is one
 * (a variant pack is megabytes; gathering chunks and joining them copies it all once more).
 */
function bodyOf(length: number) {
  let whole = length > 0 ? Buffer.allocUnsafe(length) : undefined
  const chunks: Buffer[] = []
  let total = 0
  return {
    get total() { return total },
    add(chunk: Buffer) {
      // More than was announced: gathered chunk by chunk from here on.
      if (whole && total + chunk.length > whole.length) {
        chunks.push(whole.subarray(0, total))
        whole = undefined
      }
      if (whole)
        chunk.copy(whole, total)
      else
        chunks.push(chunk)
      total += chunk.length
    },
    done: (): Buffer => whole ? whole.subarray(0, total) : Buffer.concat(chunks, total),
  }
}

/**
 * One attempt over node:http, for the project's `request` (its retries, delays and rate gate):
 * the status, headers and body (at most policy.maxBytes, refused as it streams), or an HttpError.
 * Every S3 call is idempotent (reads, conditional writes, deletes), so each failure may be retried.
 * Node's fetch costs a fresh process ~25 ms to start, and more per stream, where a build asks one
 * bucket for dozens of objects at once.
 */
export function nodeTransport(req: HttpRequest): Promise<HttpResponse | HttpError> {
  const url = new URL(req.url)
  const client = url.protocol === 'https:' ? https : http
  return new Promise((resolve) => {
    const fail = (status: number | undefined, detail: string, retryable: boolean, cause?: unknown) =>
      resolve(new HttpError(req.method, req.url, status, detail, { retryable, cause }))
    const sent = client.request(url, { method: req.method, headers: req.headers, agent: agents[url.protocol as 'http:'], timeout: req.policy.timeout }, (res) => {
      const announced = Number(res.headers['content-length'] ?? 0)
      const body = bodyOf(announced <= req.policy.maxBytes ? announced : 0)
      res.on('data', (chunk: Buffer) => {
        if (body.total + chunk.length > req.policy.maxBytes) {
          res.destroy()
          return fail(res.statusCode, `answered more than ${req.policy.maxBytes} bytes; the answer was refused`, false)
        }
        body.add(chunk)
      })
      res.on('error', error => fail(res.statusCode, `connection failed while reading the answer (${error.message})`, true, error))
      res.on('end', () => {
        const status = res.statusCode ?? 0
        if (status >= 200 && status < 300)
          return resolve({ status, body: body.done(), headers: { get: name => String(res.headers[name.toLowerCase()] ?? '') || null } })
        // A redirect is never followed: the signature is for this host only.
        fail(status, body.done().toString('utf8').slice(0, 300) || res.statusMessage || '', RETRY_STATUS.has(status))
      })
    })
    sent.on('timeout', () => sent.destroy(new Error(`no complete answer within ${req.policy.timeout} ms`)))
    sent.on('error', error => fail(undefined, `connection failed (${(error as any).code ?? error.message})`, true, error))
    sent.end(req.body as Uint8Array | undefined)
  })
}
