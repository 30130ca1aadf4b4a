import type { ResolvedOutput } from '../../model/options'
import type { Pixels, Summary } from './variant-types'
import { loadSharp } from './sharp'

const open = async (px: Pixels) => (await loadSharp())(px.data, px.raw && { raw: px.raw })

/** The dominant colour, and the placeholder the output asks for, from one small decode. */
export async function summary(source: Pixels, kind: ResolvedOutput['placeholder']): Promise<Summary> {
  // stats() reads the whole input, so it runs on a 100-pixel copy.
  const tiny = await (await open(source)).resize(100, 100, { fit: 'inside' }).raw().toBuffer({ resolveWithObject: true })
  const small = (await loadSharp())(tiny.data, { raw: { width: tiny.info.width, height: tiny.info.height, channels: tiny.info.channels } })
  const { dominant } = await small.clone().stats()
  const color = `#${[dominant.r, dominant.g, dominant.b].map(c => c.toString(16).padStart(2, '0')).join('')}`
  if (kind === 'blur') {
    const blur = await small.clone().resize(16, 16, { fit: 'inside' }).blur(1).webp({ quality: 40 }).toBuffer()
    return { color, placeholder: `data:image/webp;base64,${blur.toString('base64')}` }
  }
  if (kind === 'thumbhash') {
    const { data, info } = await small.clone().ensureAlpha().raw().toBuffer({ resolveWithObject: true })
    const { rgbaToThumbHash, thumbHashToDataURL } = await import('thumbhash')
    const hash = rgbaToThumbHash(info.width, info.height, data)
    return { color, placeholder: thumbHashToDataURL(hash), thumbhash: Buffer.from(hash).toString('base64') }
  }
  return { color }
}
