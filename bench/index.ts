/**
 * `npm run bench`: runs every benchmark module in this folder (each exports
 * `run(): Promise<string>` returning its table) and prints the tables. Never part of
 * `npm test`. Pass names to run a subset: `npm run bench -- policy token`.
 */
import { readdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

interface BenchModule {
  run(): Promise<string>
}

const here = dirname(fileURLToPath(import.meta.url))
const wanted = process.argv.slice(2)
const names = readdirSync(here)
  .filter((f) => f.endsWith('.js') && f !== 'index.js' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .filter((n) => wanted.length === 0 || wanted.includes(n))
  .sort()

for (const name of names) {
  const mod = (await import(pathToFileURL(join(here, `${name}.js`)).href)) as BenchModule
  console.log(`\n## ${name}\n`)
  console.log(await mod.run())
}
