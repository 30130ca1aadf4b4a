import type { GeneratedImage, VerifiedImage } from '../../model/resolved'
import type { ResolvedSpec } from '../../model/resolved'
import { detectImageType } from '../images/image-type'
import { sizeMismatch } from '../../model/geometry'
import { sha256 } from '../../model/key'
import { loadSharp } from '../images/sharp'

/** A picture that decoded whole and has a size its request can explain: the only kind stored. */
export type { VerifiedImage } from '../../model/resolved'

/** A picture that must not be pinned: it was paid for, so the build says it was lost and why. */
export class UnusablePicture extends Error {
  override name = 'UnusablePicture'
}

/** A picture's size, after decoding all of it: a small decode still reads every byte, so a cut file throws. */
export async function decodeWhole(data: Buffer): Promise<{ width?: number, height?: number }> {
  const decoder = (await loadSharp())(data, { failOn: 'truncated' })
  const { width, height } = await decoder.metadata()
  await decoder.resize(64, 64, { fit: 'inside' }).raw().toBuffer()
  return { width, height }
}

/**
 * Decodes the whole picture (a cut JPEG or PNG fails here, not in every later build) and checks
 * its size against the request, allowing the hosts' documented rescaling (see geometry.ts).
 */
export async function verifyPicture(image: GeneratedImage, spec: ResolvedSpec, maxBytes: number): Promise<VerifiedImage> {
  const { data } = image
  if (data.length > maxBytes)
    throw new UnusablePicture(`is ${data.length} bytes, over the maxImageBytes limit of ${maxBytes}`)
  if (detectImageType(data) !== image.format)
    throw new UnusablePicture(`is not a ${image.format} image`)
  let width: number | undefined
  let height: number | undefined
  try {
    ;({ width, height } = await decodeWhole(data))
  }
  catch (error: any) {
    throw new UnusablePicture(`does not decode (${error.message})`)
  }
  if (!width || !height)
    throw new UnusablePicture('has no size')
  const mismatch = sizeMismatch(spec.picture, width, height)
  if (mismatch)
    throw new UnusablePicture(mismatch)
  return { ...image, width, height, sha256: sha256(data) }
}
