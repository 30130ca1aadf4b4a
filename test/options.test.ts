import type { Options } from '../src/model/options'
import type { SegmindServer } from './servers/segmind'
import { rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkOptions, optionIssues } from '../src/model/option-rules'
import { resolveOptions } from '../src/model/resolve-options'
import { TEST_KEY, useServerAndFixture, viteBuild, withEnv } from './helpers'

/** [options, the one field its issue must name, what the message must say]. */
const CASES: Array<[object, string, string]> = [
  [{ budgett: { maxImages: 1 } }, 'budgett', 'is not an option; did you mean "budget"?'],
  [{ concurency: 2 }, 'concurency', 'did you mean "concurrency"?'],
  [{ imgaes: {} }, 'imgaes', 'did you mean "images"?'],
  [{ Budget: {} }, 'Budget', 'did you mean "budget"?'],
  [{ cache_dir: '.seedream' }, 'cache_dir', 'did you mean "cacheDir"?'],
  [{ storage: {} }, 'storage', 'is not an option. Known options: images, root,'],
  [{ aspect_ratio: '16:9' }, 'aspect_ratio', 'is a spec field, not an option: set it in a spec under "images"'],
  [{ retryDelay: 'soon' }, 'retryDelay', 'must be a whole number from 0 to 600000 (got "soon")'],
  [{ retryDelay: 600_001 }, 'retryDelay', 'from 0 to 600000'],
  [{ frozen: 'no' }, 'frozen', 'must be true or false (got "no")'],
  [{ configFile: 1 }, 'configFile', 'must be true or false (got 1)'],
  [{ prices: { 'segmind/seedream-4': -1 } }, 'prices.segmind/seedream-4', 'must be US dollars per picture, 0 or more (got -1)'],
  [{ prices: { 'ark/seedream-4.5': '0.04' } }, 'prices.ark/seedream-4.5', '(got "0.04")'],
  [{ prices: { 'segmind/seedream-45': 0.04 } }, 'prices.segmind/seedream-45', 'did you mean "segmind/seedream-4.5"?'],
  [{ budget: { maxImages: -1 } }, 'budget.maxImages', 'must be a whole number of images, 0 or more, or Infinity (got -1)'],
  [{ budget: { maxImages: 1.5 } }, 'budget.maxImages', '(got 1.5)'],
  [{ budget: { maxCost: 'x' } }, 'budget.maxCost', 'must be US dollars, 0 or more, or Infinity (got "x")'],
  [{ budget: { maxImage: 3 } }, 'budget.maxImage', 'did you mean "maxImages"?'],
  [{ budget: 5 }, 'budget', 'must be an object such as { maxImages: 10, maxCost: 0.5 } (got a number)'],
  [{ root: 1 }, 'root', 'must be a non-empty string (got 1)'],
  [{ cacheDir: '' }, 'cacheDir', 'must be a non-empty string'],
  [{ variantsCacheDir: false }, 'variantsCacheDir', 'must be a non-empty string'],
  [{ apiKey: 12345678 }, 'apiKey', 'must be a string (got a number)'],
  [{ apiUrl: 'api.segmind.com' }, 'apiUrl', 'must be an http(s) URL such as "https://api.segmind.com"'],
  [{ uploadUrl: 'ftp://example.com/upload' }, 'uploadUrl', 'http(s) URL'],
  [{ ark: { apiKey: 'k', apiURL: 'https://example.com' } }, 'ark.apiURL', 'is not a key of ark; did you mean "apiUrl"? Known: apiKey, apiUrl'],
  [{ ark: { url: 'https://example.com' } }, 'ark.url', 'is not a key of ark. Known: apiKey, apiUrl'],
  [{ fal: { apiUrl: 'queue.fal.run' } }, 'fal.apiUrl', 'http(s) URL'],
  [{ replicate: 'r8_token' }, 'replicate', 'must be an object such as { apiKey, apiUrl } (got a string)'],
  [{ images: [] }, 'images', 'must be an object of named specs'],
  [{ images: { hero: 'a fox' } }, 'images.hero', 'must be a spec object with at least a prompt (got "a fox")'],
  [{ concurrency: 0 }, 'concurrency', 'from 1 to 64'],
  [{ retries: -1 }, 'retries', 'from 0 to 20'],
  [{ timeout: 0 }, 'timeout', 'from 1 to 3600000'],
  [{ lockStale: 100 }, 'lockStale', 'from 2000 to 3600000'],
  [{ maxImageBytes: 1000 }, 'maxImageBytes', 'from 1024 to'],
  [{ maxReferenceBytes: '30MB' }, 'maxReferenceBytes', '(got "30MB")'],
  [{ provider: 'openai' }, 'provider', 'must be one of "segmind", "ark", "fal", "replicate", "placeholder"'],
  [{ widths: [0] }, 'widths[0]', 'from 16 to 8192'],
  [{ remote: 'https://bucket' }, 'remote', 's3://my-bucket/seedream'],
  [{ remote: { endpoint: 'http://127.0.0.1:9000' } }, 'remote.url', 'is required'],
  [{ remote: { url: 's3://bk1/x', bucket: 'b' } }, 'remote.bucket', 'is not a key of remote. Known: url, endpoint'],
  [{ remote: { url: 's3://bk1/x', timeout: 10 } }, 'remote.timeout', '100'],
  [{ remote: { url: 's3://bk1/x', write: 'no' } }, 'remote.write', 'true or false'],
]

describe('every option is checked', () => {
  it.each(CASES)('%j: one issue, on %s', (options, field, says) => {
    const issues = optionIssues(options)
    expect(issues.map(i => i.field)).toEqual([field])
    expect(issues[0]!.message).toContain(says)
  })

  it('accepts every option at a valid value, and an empty key or URL as unset', () => {
    const all: Required<Options> = {
      images: { hero: { prompt: 'a fox' } }, root: '.', provider: 'ark', ark: { apiKey: '', apiUrl: 'http://127.0.0.1:1' },
      fal: {}, replicate: { apiKey: 'r8' }, apiKey: '', apiUrl: '', uploadUrl: 'https://example.com/up', cacheDir: '.seedream',
      variantsCacheDir: 'cache', concurrency: 1, retries: 0, timeout: 1, retryDelay: 0, frozen: false, allowPlaceholders: true, dts: false,
      budget: { maxImages: Infinity, maxCost: 0 }, prices: { 'segmind/seedream-4': 0, 'placeholder/seedream-4.5': 0 },
      lockStale: 2000, configFile: false, maxImageBytes: 1024, maxReferenceBytes: 2 ** 31, widths: [64], formats: ['png'],
      quality: 50, avifEffort: 0, placeholder: 'none', sizes: '50vw', loading: 'eager', priority: true, imgStyle: false,
      remote: { url: 's3://team-bucket/site', endpoint: 'http://127.0.0.1:9000', region: 'auto', profile: 'ci', pathStyle: true, read: true, write: false, timeout: 100 },
    }
    expect(optionIssues(all)).toEqual([])
  })

  it('never repeats a key that was put in the wrong place', () => {
    const messages = optionIssues({ fal: 'sk-secret-1', apiUrl: 'sk-secret-2', ark: { apiKey: ['sk-secret-3'] } }).map(i => i.message)
    expect(messages).toHaveLength(3)
    expect(messages.join('\n')).not.toContain('sk-secret')
  })

  it('reports every problem of one source together, naming the source', () => {
    const error = (() => { try { checkOptions({}, { concurency: 2, frozen: 'no', budget: { maxImages: -1 } }, 'seedream.config.mjs') } catch (e) { return e as Error } })()
    expect(error?.message.split('\n')).toEqual([
      'Invalid seedream spec "(options)" in seedream.config.mjs:',
      expect.stringMatching(/^ {2}- concurency: is not an option; did you mean "concurrency"\?/),
      '  - frozen: must be true or false (got "no")',
      '  - budget.maxImages: must be a whole number of images, 0 or more, or Infinity (got -1)',
    ])
  })
})

describe('resolveOptions', () => {
  it('limits answers to 64 MiB and references to 30 MiB unless told otherwise', () => {
    const defaults = resolveOptions({}, {}, '/project')
    expect([defaults.maxImageBytes, defaults.maxReferenceBytes]).toEqual([67_108_864, 31_457_280])
    const set = resolveOptions({ maxImageBytes: 2048 }, { maxImageBytes: 4096, maxReferenceBytes: 1024 }, '/project')
    expect([set.maxImageBytes, set.maxReferenceBytes]).toEqual([2048, 1024])
  })

  it('prices seedream-4 on Segmind at $0.035', () => {
    expect(resolveOptions({}, {}, '/project').prices['segmind/seedream-4']).toBe(0.035)
  })

  it('merges named specs into a map where only declared names are specs', () => {
    const config = JSON.parse('{ "images": { "a": { "prompt": "A" }, "__proto__": { "prompt": "P" } } }')
    const images = resolveOptions({ images: { b: { prompt: 'B' } } }, config, '/project').images
    expect(Object.keys(images).sort()).toEqual(['__proto__', 'a', 'b'])
    expect(images.__proto__).toEqual({ prompt: 'P' })
    for (const name of ['toString', 'constructor', 'hasOwnProperty'])
      expect(images[name]).toBeUndefined()
  })
})

let server: SegmindServer
let root: string
useServerAndFixture('vite-one', (s, r) => { server = s; root = r }, 'once')

async function failure(options: object): Promise<Error> {
  const env = { SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url }
  const error = await withEnv(env, () => viteBuild(root, { retries: 0, ...options } as Options)).then(() => undefined, e => e as Error)
  if (!error)
    throw new Error('the build was expected to fail')
  return error
}

describe('a build names where a bad option is, and spends nothing', () => {
  it('in the plugin options', async () => {
    const error = await failure({ budgett: { maxImages: 1 } })
    expect(error.message).toContain('Invalid seedream spec "(options)" in the plugin options (in your bundler config):\n  - budgett: is not an option; did you mean "budget"?')
    expect(error.message).not.toContain('seedream.config')
    expect(server.state.requests).toHaveLength(0)
  })

  it('in seedream.config.mjs', async () => {
    await rm(path.join(root, 'seedream.config.json'))
    await writeFile(path.join(root, 'seedream.config.mjs'), `export default { concurency: 2, images: { hero: { prompt: 'A fox' } } }\n`)
    const error = await failure({})
    expect(error.message).toContain('Invalid seedream spec "(options)" in seedream.config.mjs:\n  - concurency: is not an option; did you mean "concurrency"?')
    expect(error.message).not.toContain('plugin options')
    expect(server.state.requests).toHaveLength(0)
  })

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('import from \'%s?seedream\' is a spec that does not exist', async (name) => {
    await writeFile(path.join(root, 'seedream.config.mjs'), `export default { images: { hero: { prompt: 'A fox' } } }\n`)
    await writeFile(path.join(root, 'src/main.js'), `import x from '${name}?seedream'\nglobalThis.__seedream = { x }\n`)
    const error = await failure({})
    expect(error.message).toContain(`No spec named "${name}" in seedream.config.mjs. Known specs: hero.`)
    expect(server.state.requests).toHaveLength(0)
  })
})

describe('a request body pasted from Segmind\'s 4.0 page', () => {
  it('builds, and the build warns that width and height are ignored', async () => {
    // Verbatim from the page's sample (shared/seeds/), with the model its URL names.
    const sample = `{
"size": "2K",
"width": 2048,
"height": 2048,
"prompt": "Action hero into an apocalypse survivor zombie hunter, torn leather jacket with spikes, glowing red cybernetic eye, dual chainsaw weapons, burning city ruins background, blood splatter effects, horror movie aesthetic, badass energy, ultra-detailed gore",
"max_images": 1,
"image_input": "https://segmind-resources.s3.amazonaws.com/input/ee043397-b857-4bf2-9ad0-70258a286e96-504cf296-f8c3-40af-b200-9b52bdae240c.png",
"sequential_image_generation": "disabled"
}`
    await writeFile(path.join(root, 'seedream.config.mjs'), `export default { images: { hero: { model: 'seedream-4', ...${sample} } } }\n`)
    await writeFile(path.join(root, 'src/main.js'), `import hero from 'hero?seedream'\nglobalThis.__seedream = { hero }\n`)
    const { logs } = await withEnv({}, () => viteBuild(root, { provider: 'placeholder', allowPlaceholders: true, widths: [64], formats: ['jpeg'] }))
    expect(logs.filter(l => l.startsWith('warn'))).toEqual([expect.stringContaining('"hero" (seedream.config.mjs): width and height are ignored with size "2K", as the API ignores them')])
  })
})
