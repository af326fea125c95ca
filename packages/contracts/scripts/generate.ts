// Writes the JSON Schema and AsyncAPI files from the TypeBox schemas (pnpm generate).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPublishedFiles } from '../src/render.js';

const dir = join(import.meta.dirname, '..', 'schema');
mkdirSync(dir, { recursive: true });
for (const f of readdirSync(dir)) rmSync(join(dir, f));
const files = renderPublishedFiles();
for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
process.stdout.write(`wrote ${Object.keys(files).length} files to ${dir}\n`);
