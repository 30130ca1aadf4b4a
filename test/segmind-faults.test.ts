import type { SegmindServer } from './servers/segmind'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { listFiles, TEST_KEY, useServerAndFixture, viteBuild, withEnv } from './helpers'

let server: SegmindServer
let root: string
useServerAndFixture('vite-one', (s, r) => { server = s; root = r })

const env = () => ({ SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url })
const options = { widths: [64], formats: ['webp', 'jpeg'] as Array<'webp' | 'jpeg'>, retryDelay: 5, retries: 3 }
const build = (extra = {}) => withEnv(env(), () => viteBuild(root, { ...options, ...extra }))
/** Files of the store other than its own .gitignore: entries, or what a failure left behind. */
const stored = async () => (await listFiles(path.join(root, '.seedream'))).filter(f => f !== '.gitignore')

async function buildError(extra = {}): Promise<Error> {
  try {
    await build(extra)
  }
  catch (error) {
    return error as Error
  }
  throw new Error('the build was expected to fail')
}

// Every fault's billing is in ledger.test.ts; these are the errors that fail at once, with their hints.
describe('Segmind faults', () => {
  it('gives up after the configured retries with the method, URL and status', async () => {
    server.fail({ status: 502 }, { status: 502 }, { status: 502 })
    const error = await buildError({ retries: 2 })
    expect(server.generations()).toHaveLength(3)
    expect(error.message).toContain(`[POST] ${server.url}/v2/seedream-4.5: 502`)
    expect(await stored()).toEqual([])
  })

  it.each([
    [401, 'Unauthorized: invalid or missing API key', 'SEGMIND_API_KEY'],
    [406, 'Insufficient credits', 'top up'],
    [400, 'The request failed because the output image may contain sensitive information.', 'reword the prompt'],
    [403, 'Forbidden', 'plan'],
    [422, 'Validation failed', 'check the spec'],
  ])('fails at once on %i with the provider\'s message and what to do, leaving no entry', async (status, message, hint) => {
    server.fail({ status, body: { error: message } })
    const error = await buildError()
    expect(server.generations()).toHaveLength(1)
    expect(error.message).toContain(`${status}`)
    expect(error.message).toContain(message)
    expect(error.message).toContain(hint)
    expect(error.message).not.toContain(TEST_KEY)
    expect(await stored()).toEqual([])
  })

  it('fails on 401 from a wrong key without echoing the key', async () => {
    const error = await withEnv({ SEGMIND_API_KEY: 'sk-wrong-key-000111222', SEGMIND_API_URL: server.url }, () => viteBuild(root, options)).catch(e => e)
    expect(error.message).toContain('401')
    expect(error.message).not.toContain('sk-wrong-key-000111222')
    expect(await stored()).toEqual([])
  })

  it('fails with the way out when no key is set and an image is missing', async () => {
    const error = await withEnv({ SEGMIND_API_URL: server.url }, () => viteBuild(root, options)).catch(e => e)
    expect(error.message).toContain('SEGMIND_API_KEY is not set')
    expect(error.message).toContain('provider: \'placeholder\'')
    expect(server.state.requests).toHaveLength(0)
  })
})
