import type Sharp from 'sharp'

/**
 * sharp (a native library) is loaded on first use: a warm build, whose variants are all cached,
 * never pays for loading it.
 */
let loading: Promise<typeof Sharp> | undefined
export const loadSharp = (): Promise<typeof Sharp> => (loading ??= import('sharp').then(m => m.default))
