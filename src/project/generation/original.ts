import type { GeneratedImage } from '../../model/resolved'
import type { OriginalImage } from '../store/store'
import { sha256 } from '../../model/key'
import { loadSharp } from '../images/sharp'

/** An original picture, with its bytes loaded only when a variant must be made. */
export interface Original extends OriginalImage {
  load: () => Promise<Buffer>
}

export interface OriginalSet {
  key: string
  images: Original[]
  /** True when this process paid for them. */
  generated: boolean
  /** False for offline placeholders, which are never stored. */
  persistent: boolean
  remainingCredits?: number
  /** What the host said it charged, where it said. */
  cost?: number
}

/** Originals held in memory: offline placeholders. */
export function inMemory(images: GeneratedImage[]): Promise<Original[]> {
  return Promise.all(images.map(async (img, i) => {
    const { width = 0, height = 0 } = await (await loadSharp())(img.data).metadata()
    return { file: `${i}.${img.format}`, format: img.format, width, height, bytes: img.data.length, sha256: sha256(img.data), load: async () => img.data }
  }))
}

