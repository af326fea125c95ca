#!/usr/bin/env node
// Bundles each service into services/<name>/dist/main.mjs, run with plain `node` (what
// `pnpm --dir services/<name> start` and the container run). tsx is for development: its
// ESM loader runs in a second V8 isolate on Node 20, ~75 MB of RSS per process that a
// deployed service does not need. Usage: node scripts/build.mjs [service ...]
import { cpSync, existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SERVICES = ['scheduler', 'poller', 'grader', 'cache-writer', 'api'];
const wanted = process.argv.slice(2);
const unknown = wanted.filter((s) => !SERVICES.includes(s));
if (unknown.length) {
  process.stderr.write(`build: unknown service(s) ${unknown.join(', ')}; one of ${SERVICES.join(', ')}\n`);
  process.exit(2);
}
// esbuild: the workspace's dev dependency (the image's build stage installs it)
const { build } = createRequire(join(root, 'package.json'))('esbuild');

for (const name of wanted.length ? wanted : SERVICES) {
  const dir = join(root, 'services', name);
  const dist = join(dir, 'dist');
  rmSync(dist, { recursive: true, force: true });
  await build({
    entryPoints: [join(dir, 'src/main.ts')],
    outfile: join(dist, 'main.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    // serves its own static files from its package directory
    external: ['@fastify/swagger-ui', 'pino-pretty'],
    // CommonJS dependencies inside an ES module still call require
    banner: { js: "import { createRequire as __scoresRequire } from 'node:module'; const require = __scoresRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  // files read beside the module at run time
  const migrations = join(dir, 'src/db/migrations');
  if (existsSync(migrations)) cpSync(migrations, join(dist, 'migrations'), { recursive: true });
}
