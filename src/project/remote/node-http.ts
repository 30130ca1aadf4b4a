import type { RetryPolicy } from '../providers/http'
import http from 'node:http'
import https from 'node:https'
import { setTimeout as sleep } from 'node:timers/promises'
import { HttpError } from '../../model/errors'

const RETRY_STATUS = new Set([429, 500, 502, 503, 504])
// Kept open between requests: a build asks one bucket for dozens of objects in its first moments.
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) }

/** What an object store answered: its status and body (its headers are not used). */
export interface NodeResponse { status: number, body: Buffer }

export interface NodeRequest { method: string, url: string, headers: Record<string, string>, body?: Uint8Array, policy: RetryPolicy }

/** One exchange: the status and body (at most policy.maxBytes, refused as it streams), or an HttpError. */
function exchange(req: NodeRequest): Promise<NodeResponse> {
  const url = new URL(req.url)
  const client = url.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const fail = (status: number | undefined, detail: string, retryable: boolean, cause?: unknown) =>
      reject(new HttpError(req.method, req.url, status, detail, { retryable, cause }))
    const sent = client.request(url, { method: req.method, headers: req.headers, agent: agents[url.protocol as 'http:'], timeout: req.policy.timeout }, (res) => {
      const chunks: Buffer[] = []
      let total = 0
      res.on('data', (chunk: Buffer) => {
        total += chunk.length
        if (total > req.policy.maxBytes) {
          res.destroy()
          fail(res.statusCode, `answered more than ${req.policy.maxBytes} bytes; the answer was refused`, false)
        }
        chunks.push(chunk)
      })
      res.on('error', error => fail(res.statusCode, `connection failed while reading the answer (${error.message})`, true, error))
      res.on('end', () => {
        const body = Buffer.concat(chunks, total)
        const status = res.statusCode ?? 0
        if (status >= 200 && status < 300)
          return resolve({ status, body })
        // A redirect is never followed: the signature is for this host only.
        fail(status, body.toString('utf8').slice(0, 300) || res.statusMessage || '', RETRY_STATUS.has(status))
      })
    })
    sent.on('timeout', () => sent.destroy(new Error(`no complete answer within ${req.policy.timeout} ms`)))
    sent.on('error', error => fail(undefined, `connection failed (${(error as any).code ?? error.message})`, true, error))
    sent.end(req.body)
  })
}

/**
 * A request to an object store over node:http: every S3 call is idempotent (reads, conditional
 * writes, deletes), so each may be retried; the policy's retries, delay and timeout apply.
 */
export async function nodeRequest(req: NodeRequest): Promise<NodeResponse> {
  for (let n = 0; ; n++) {
    try {
      return await exchange(req)
    }
    catch (error) {
      if (!(error instanceof HttpError) || !error.retryable || n >= req.policy.retries)
        throw error
      await sleep(req.policy.retryDelay * 2 ** n)
    }
  }
}
