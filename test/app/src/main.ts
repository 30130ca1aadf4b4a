/// <reference types="unplugin-seedream/client" />
import hero from 'hero?seedream'

const width: number = hero.width
const firstSource: string | undefined = hero.sources[0]?.type
document.body.innerHTML = `<img src="${hero.src}" srcset="${hero.srcset}" width="${width}" height="${hero.height}" alt="${hero.alt}" data-type="${firstSource}">`
