// Types of bench/readme-table.mjs, for the test that checks the README against bench/results.json.
export interface BenchResult { id: string, name: string, note: string, value: number, unit: string, target: string, result: 'PASS' | 'MISS', measured?: string, detail: Record<string, unknown> }
export interface BenchRun { date: string, machine: Record<string, string | number>, runs: number, results: BenchResult[] }
export const START: string
export const END: string
export function renderTable(run: BenchRun): string
export function withTable(readme: string, run: BenchRun): string
export function writeReadmeTable(run?: BenchRun): Promise<void>
