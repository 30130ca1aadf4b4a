import type { PictureRequest } from '../../model/spec'

/** Segmind's own field names, only the fields that apply; references already as URLs. */
export function segmindBody(p: PictureRequest, images: string[] | undefined, maxImages: number): Record<string, unknown> {
  const body: Record<string, unknown> = {
    prompt: p.prompt,
    size: p.size,
    max_images: maxImages,
    sequential_image_generation: p.sequential_image_generation,
  }
  // Seedream 4.0's page lists no `match_input_image`: its default (none) matches the input.
  if (p.model === 'seedream-4.5' || p.aspect_ratio !== 'match_input_image')
    body.aspect_ratio = p.aspect_ratio
  if (p.size === 'custom')
    Object.assign(body, { width: p.width, height: p.height })
  if (images)
    body.image_input = images
  if (p.seed !== undefined)
    body.seed = p.seed
  return body
}
