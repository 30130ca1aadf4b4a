import type { IncomingMessage } from 'node:http'

const LOOPBACK = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d+)?$/

/**
 * Why a request to the review page is refused, or undefined. A pick or a reroll (which pays) is
 * posted as JSON by the page itself: another site's page cannot post JSON across origins without
 * a preflight this server never answers, and its Origin would not be this host's. The CLI's
 * server also answers only to a loopback Host, so a DNS-rebinding page cannot read it either
 * (Vite's dev server checks its hosts itself: `server.allowedHosts`).
 */
export function refusal(req: IncomingMessage, loopbackOnly: boolean): string | undefined {
  const host = req.headers.host ?? ''
  if (loopbackOnly && !LOOPBACK.test(host))
    return `the review server answers on 127.0.0.1 only, not as ${JSON.stringify(host)}`
  if (req.method !== 'POST')
    return undefined
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
    return 'a pick or a reroll is posted as application/json'
  let origin: string | undefined
  try {
    origin = new URL(String(req.headers.origin)).host
  }
  catch {}
  return origin === host ? undefined : 'a pick or a reroll is taken from the review page itself only'
}
