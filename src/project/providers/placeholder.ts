import type { PictureRequest } from '../../model/spec'
import type { Provider } from './types'
import { sha256 } from '../../model/key'
import { requestedSize } from '../../model/geometry'
import { loadSharp } from '../images/sharp'

const escapeXml = (s: string) => s.replace(/[<>&"']/g, c => `&#${c.charCodeAt(0)};`)

/** A deterministic picture drawn from the prompt's hash (and the candidate's number), striped and labelled so nobody ships it by mistake. */
export function placeholderSvg(p: PictureRequest, index: number, candidate = 0): string {
  const { width, height } = requestedSize(p)
  const hash = sha256(`${p.prompt}\n${index}${candidate ? `\n${candidate}` : ''}`)
  const hue = Number.parseInt(hash.slice(0, 4), 16) % 360
  const hue2 = (hue + 40 + (Number.parseInt(hash.slice(4, 6), 16) % 80)) % 360
  const font = Math.round(Math.min(width, height) / 12)
  const prompt = escapeXml(p.prompt.length > 60 ? `${p.prompt.slice(0, 57)}…` : p.prompt)
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1">
<stop offset="0" stop-color="hsl(${hue},55%,55%)"/><stop offset="1" stop-color="hsl(${hue2},60%,30%)"/></linearGradient>
<pattern id="s" width="${font * 2}" height="${font * 2}" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
<rect width="${font}" height="${font * 2}" fill="#fff" fill-opacity="0.08"/></pattern></defs>
<rect width="100%" height="100%" fill="url(#g)"/><rect width="100%" height="100%" fill="url(#s)"/>
<rect x="${font / 4}" y="${font / 4}" width="${width - font / 2}" height="${height - font / 2}" fill="none" stroke="#fff" stroke-width="${font / 8}" stroke-dasharray="${font} ${font / 2}"/>
<text x="50%" y="45%" text-anchor="middle" font-family="sans-serif" font-weight="bold" font-size="${font}" fill="#fff">PLACEHOLDER${candidate ? ` ${candidate + 1}` : ''}</text>
<text x="50%" y="45%" dy="${font * 1.2}" text-anchor="middle" font-family="sans-serif" font-size="${font / 3}" fill="#fff">${prompt}</text>
<text x="50%" y="45%" dy="${font * 1.8}" text-anchor="middle" font-family="sans-serif" font-size="${font / 3}" fill="#fff">${width}×${height} · ${p.model}</text>
</svg>`
}

/** Offline stand-in: no key, no network, never stored as an original. */
export function placeholderProvider(): Provider {
  return {
    name: 'placeholder',
    persistent: false,
    async generate(spec) {
      const images = await Promise.all(Array.from({ length: spec.picture.max_images }, async (_, i) => ({
        data: await (await loadSharp())(Buffer.from(placeholderSvg(spec.picture, i, spec.candidate))).jpeg({ quality: 85 }).toBuffer(),
        format: 'jpeg' as const,
      })))
      return { images, requestIds: [] }
    },
  }
}
