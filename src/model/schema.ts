/**
 * Every allowed value and every field name, written once: the public types (types.ts) are derived
 * from these lists, and the validators (spec-rules.ts, option-rules.ts) check against them.
 */
export const MODELS = ['seedream-4', 'seedream-4.5'] as const
export const SIZES = ['1K', '2K', '4K', 'custom'] as const
export const ASPECT_RATIOS = ['match_input_image', '1:1', '4:3', '3:4', '16:9', '9:16', '3:2', '2:3', '21:9'] as const
export const SEQUENTIAL = ['disabled', 'auto'] as const
export const FORMATS = ['avif', 'webp', 'jpeg', 'png'] as const
export const PLACEHOLDERS = ['blur', 'color', 'thumbhash', 'none'] as const
export const LOADINGS = ['lazy', 'eager'] as const
export const PROVIDERS = ['segmind', 'ark', 'fal', 'replicate', 'placeholder'] as const
/** The providers reached through their own host options (`ark: { apiKey, apiUrl }`). */
export const OTHER_HOSTS = ['ark', 'fal', 'replicate'] as const
/** What a picture's first bytes may say it is (a provider's Content-Type is not trusted). */
export const DETECTED_FORMATS = ['jpeg', 'png', 'webp', 'avif', 'gif'] as const

/**
 * Segmind's custom-size bounds, and seedream-4.5's total-pixel bounds (1920² to 4096²): the API
 * scales a smaller picture up (a note, not an error); a larger one cannot be asked, each side
 * being at most 4096.
 */
export const SIDE = { min: 1024, max: 4096 }
export const PIXELS_45 = { min: 3_686_400, max: 16_777_216 }

/** Candidates one spec may ask for at once: each is a paid generation. */
export const MAX_CANDIDATES = 8

export const OUTPUT_FIELDS = ['widths', 'formats', 'quality', 'avifEffort', 'placeholder', 'sizes', 'loading', 'priority', 'imgStyle'] as const
export const SPEC_FIELDS = [
  'prompt', 'model', 'size', 'width', 'height', 'aspect_ratio', 'max_images', 'sequential_image_generation',
  'image_input', 'seed', 'candidates', 'alt', 'provider', ...OUTPUT_FIELDS,
] as const
