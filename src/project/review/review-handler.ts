import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ResolvedSpec } from '../../model/resolved'
import type { Project } from '../open-project'
import { isUserError, redact } from '../../model/errors'
import { findSpec, pickCandidate, rerollCandidate, reviewSpecs } from '../choosing'
import { candidatePreview } from './preview'
import { REVIEW_PAGE } from './page'
import { refusal } from './request-guard'

export interface ReviewContext {
  /** The project as of now, and the specs it lists (the CLI adds those only its imports name). */
  project: () => Promise<Project>
  specs: (project: Project) => Promise<ResolvedSpec[]>
  /** The path the page lives under: '' for the CLI's server, REVIEW_PATH under Vite's. */
  base: string
  /** After a pick or a reroll: the dev server hot-updates the modules of the spec. */
  changed?: (spec: ResolvedSpec) => void
  /** The CLI's own server answers to a loopback Host only (see request-guard). */
  loopbackOnly?: boolean
}

/** Where the review page is under the Vite dev server. */
export const REVIEW_PATH = '/__seedream/review'

type Route = (project: Project, specs: ResolvedSpec[], parts: string[], body: any) => Promise<{ type: string, body: string | Buffer }>
const json = (data: unknown) => ({ type: 'application/json', body: redact(JSON.stringify(data)) })

function routes(ctx: ReviewContext): Record<string, Route> {
  return {
    'GET ': async () => ({ type: 'text/html; charset=utf-8', body: REVIEW_PAGE }),
    'GET api/specs': async (project, specs) => json({ specs: await reviewSpecs(project, specs) }),
    'GET preview': async (project, specs, [id, number, index, width]) =>
      ({ type: 'image/webp', body: await candidatePreview(project, findSpec(specs, id!), Number(number), Number(index), Number(width)) }),
    'POST api/pick': async (project, specs, _, body) => {
      const spec = findSpec(specs, String(body?.id))
      await pickCandidate(project, spec, Number(body?.candidate))
      ctx.changed?.(spec)
      return json({ pick: Number(body.candidate) })
    },
    'POST api/reroll': async (project, specs, _, body) => {
      const spec = findSpec(specs, String(body?.id))
      // The page says the price before asking; a reroll at another price than the one shown is refused.
      if (Number(body?.price) !== project.guard.priceOf(spec))
        return Promise.reject(Object.assign(new Error(`The price of a candidate of "${spec.name}" is now $${project.guard.priceOf(spec).toFixed(2)}: reload the page and confirm again.`), { status: 409 }))
      const candidate = await rerollCandidate(project, spec)
      ctx.changed?.(spec)
      return json({ candidate })
    },
  }
}

/** Reads a small JSON body (a pick or a reroll is a few bytes). */
async function bodyOf(req: IncomingMessage): Promise<unknown> {
  let text = ''
  for await (const chunk of req) {
    text += chunk
    if (text.length > 4096)
      throw Object.assign(new Error('request body too large'), { status: 413 })
  }
  return text ? JSON.parse(text) : undefined
}

/**
 * The review page and its API as one connect-style handler (Vite's middlewares, or a bare
 * node:http server): the page, `api/specs`, `preview/<id>/<n>/<i>?w=`, and `api/pick` and
 * `api/reroll` (POSTed as JSON from the page's own origin; see request-guard).
 */
export function reviewHandler(ctx: ReviewContext) {
  const table = routes(ctx)
  return async (req: IncomingMessage, res: ServerResponse, next?: () => void): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://review.invalid')
    if (!url.pathname.startsWith(ctx.base))
      return next ? next() : void res.writeHead(404).end()
    const rest = url.pathname.slice(ctx.base.length)
    if (rest === '')
      return void res.writeHead(302, { location: `${ctx.base}/` }).end()
    const parts = rest.slice(1).split('/').map(decodeURIComponent)
    const route = table[`${req.method} ${parts[0] === 'api' ? parts.slice(0, 2).join('/') : parts[0]}`]
    if (!route)
      return next ? next() : void res.writeHead(404).end()
    try {
      const problem = refusal(req, Boolean(ctx.loopbackOnly))
      if (problem)
        throw Object.assign(new Error(problem), { status: 403 })
      const project = await ctx.project()
      const answer = await route(project, await ctx.specs(project), [...parts.slice(1), url.searchParams.get('w') ?? '640'], req.method === 'POST' ? await bodyOf(req) : undefined)
      res.writeHead(200, { 'content-type': answer.type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }).end(answer.body)
    }
    catch (error: any) {
      const status = error.status ?? (isUserError(error) || error instanceof SyntaxError ? 400 : 500)
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: redact(String(error.message)) }))
    }
  }
}
