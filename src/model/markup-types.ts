import type { LOADINGS } from './schema'

export type Loading = typeof LOADINGS[number]

/** How the exported `html` is written; set globally in the options or per spec. Changing it remakes no variant. */
export interface MarkupOptions {
  /**
   * The `sizes` attribute of the exported `html`.
   * @default '100vw'
   */
  sizes?: string
  /**
   * The `loading` attribute of the exported `html` (a priority picture is always `eager`).
   * @default 'lazy'
   */
  loading?: Loading
  /**
   * Above the fold (a hero, the LCP image): `loading="eager"` and `fetchpriority="high"` in the
   * `html`, and with Vite a `<link rel="preload" as="image">` in the `<head>` of each page that imports it.
   * @default false
   */
  priority?: boolean
  /**
   * The `style` of the exported `<img>`, which keeps it inside its container; `false` for none.
   * @default 'max-width:100%;height:auto'
   */
  imgStyle?: string | false
}
