import { defineConfig } from 'unplugin-seedream'

export default defineConfig({
  images: {
    hero: { prompt: 'A paper boat on a puddle', size: '1K', aspect_ratio: '16:9', alt: 'A paper boat' },
  },
  formats: ['avif', 'webp', 'jpeg'],
})

// The config is typed: each of these must be refused by tsc.
// @ts-expect-error an unknown model
defineConfig({ images: { a: { prompt: 'x', model: 'seedream-5' } } })
// @ts-expect-error a spec without a prompt
defineConfig({ images: { a: { size: '2K' } } })
// @ts-expect-error an aspect ratio that is not in the list
defineConfig({ images: { a: { prompt: 'x', aspect_ratio: '5:4' } } })
// @ts-expect-error an unknown format
defineConfig({ formats: ['gif'] })
