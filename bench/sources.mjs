// Procedural, photo-like test images: smooth light, soft shapes, texture and sensor noise,
// deterministic from a seed, so every run of a benchmark measures the same pixels.
import sharp from 'sharp'

function random(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A JPEG of `size`×`size` pixels (quality 92, as a generator would return). */
export async function photoLike(seed, size = 2048) {
  const rand = random(seed)
  const px = Buffer.alloc(size * size * 3)
  const base = [rand(), rand(), rand()].map(c => 60 + c * 150)
  const blobs = Array.from({ length: 14 }, () => ({
    x: rand() * size, y: rand() * size, r: (0.05 + rand() * 0.25) * size,
    c: [rand() * 255, rand() * 255, rand() * 255], soft: 0.3 + rand() * 0.7,
  }))
  const fx = 2 + rand() * 6
  const fy = 2 + rand() * 6
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = x / size
      const v = y / size
      const light = 0.75 + 0.25 * Math.sin(u * fx + v * 1.7) * Math.cos(v * fy - u)
      let c0 = base[0] * light
      let c1 = base[1] * light
      let c2 = base[2] * (1.1 - v * 0.3)
      for (const b of blobs) {
        const d = Math.hypot(x - b.x, y - b.y) / b.r
        if (d < 1) {
          const w = (1 - d) ** (1 / b.soft) * 0.8
          c0 += (b.c[0] - c0) * w
          c1 += (b.c[1] - c1) * w
          c2 += (b.c[2] - c2) * w
        }
      }
      const texture = 12 * Math.sin(x * 0.31 + Math.sin(y * 0.07) * 4) * Math.sin(y * 0.23)
      const i = (y * size + x) * 3
      px[i] = Math.max(0, Math.min(255, c0 + texture + (rand() - 0.5) * 18))
      px[i + 1] = Math.max(0, Math.min(255, c1 + texture + (rand() - 0.5) * 18))
      px[i + 2] = Math.max(0, Math.min(255, c2 + texture + (rand() - 0.5) * 18))
    }
  }
  return sharp(px, { raw: { width: size, height: size, channels: 3 } }).blur(0.6).jpeg({ quality: 92 }).toBuffer()
}
