import { createLedger, fileStore, startJsonServer } from './base'
import { render } from './picture'

const MODELS = new Set(['seedream-4-0-250828', 'seedream-4-5-251128'])
/** Dollars a picture (BytePlus price list, [I] for the loopback ledger). */
export const ARK_PRICE: Record<string, number> = { 'seedream-4-0-250828': 0.03, 'seedream-4-5-251128': 0.04 }
const arkError = (status: number, code: string, message: string) => ({ status, body: { error: { code, message, param: '', type: '' } } })

/**
 * BytePlus ModelArk `images/generations` on loopback: Bearer auth, `WxH` sizes with the pixel
 * ranges per model, pictures of exactly that size as `b64_json` or `url`, and per-image errors
 * (`refuse` of them) in `data`. Ledger: a 200 answer bills each picture it carries (refused ones
 * are not billed); faults (`fail`) serve the next requests of any kind.
 */
export async function startArkServer(key: string, options: { refuse?: number } = {}) {
  const files = fileStore()
  const { bill, billing } = createLedger()
  const settings = { refuse: options.refuse ?? 0 }
  let n = 0
  const server = await startJsonServer(async (req, base) => {
    if (req.method === 'GET')
      return files.serve(req.path) ?? { status: 404, body: {} }
    if (req.path !== '/images/generations')
      return arkError(404, 'NotFound', 'no such path')
    if (req.headers.authorization !== `Bearer ${key}`)
      return arkError(401, 'AuthenticationError', 'The API key in the request is missing or invalid.')
    const b = req.body
    if (!MODELS.has(b?.model))
      return arkError(404, 'ModelNotOpen', `Your account has not activated the model ${b?.model}.`)
    const [w, h] = String(b.size).split('x').map(Number)
    const [min, max] = b.model.startsWith('seedream-4-5') ? [3_686_400, 16_777_216] : [921_600, 16_777_216]
    if (!w || !h || w * h < min || w * h > max)
      return arkError(400, 'InvalidParameter', `The parameter \`size\` specified in the request is not valid: ${b.size}`)
    const count = b.sequential_image_generation === 'auto' ? b.sequential_image_generation_options?.max_images ?? 15 : 1
    const id = `ark-${Date.now()}-${++n}`
    const data = []
    const images: Buffer[] = []
    for (let i = 0; i < count; i++) {
      if (settings.refuse > 0) {
        settings.refuse--
        data.push({ error: { code: 'OutputImageSensitiveContentDetected', message: 'The generated image may contain sensitive content.' } })
        continue
      }
      const image = await render(w, h, `ark|${b.model}|${b.prompt}|${id}|${i}`)
      images.push(image)
      data.push(b.response_format === 'url' ? { url: files.add(base, image), size: b.size } : { b64_json: image.toString('base64'), size: b.size })
    }
    if (images.length)
      bill({ id, path: req.path, model: b.model, price: ARK_PRICE[b.model]!, images })
    return { status: 200, body: { model: b.model, created: 1_763_000_000, data, usage: { generated_images: images.length } }, headers: { 'x-request-id': id } }
  })
  return {
    ...server,
    settings,
    ...billing,
    generations: () => server.state.requests.filter(r => r.path === '/images/generations'),
  }
}
