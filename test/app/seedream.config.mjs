import { defineConfig } from 'unplugin-seedream'

export default defineConfig({ images: { hero: { prompt: 'A paper boat on a puddle', size: '1K', aspect_ratio: '16:9' } } })
