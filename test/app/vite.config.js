import seedream from 'unplugin-seedream/vite'

export default { plugins: [seedream({ widths: [64, 128] })] }
