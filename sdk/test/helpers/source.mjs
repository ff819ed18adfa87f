// importSource bundles one TypeScript module of src/ with esbuild and
// imports it: for the modules dist does not export yet (auth plumbing).
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export async function importSource(path) {
  const r = await esbuild.build({
    absWorkingDir: root, entryPoints: [path], bundle: true, format: 'esm', target: 'es2020', platform: 'neutral', write: false,
  });
  return import('data:text/javascript;base64,' + Buffer.from(r.outputFiles[0].contents).toString('base64'));
}
