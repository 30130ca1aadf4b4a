// Types of `?seedream` imports of spec files: add `/// <reference types="unplugin-seedream/client" />`
// or list "unplugin-seedream/client" in tsconfig's compilerOptions.types. Named specs
// (`hero?seedream`) are declared one by one in the generated seedream-env.d.ts, so that a
// misspelt name is a type error.
declare module '*.seedream.json?seedream' {
  const image: import('./dist/types').SeedreamImage
  export default image
}
declare module '*.seedream.yaml?seedream' {
  const image: import('./dist/types').SeedreamImage
  export default image
}
declare module '*.seedream.yml?seedream' {
  const image: import('./dist/types').SeedreamImage
  export default image
}
