// The editor's completions come from the real functions/types.d.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { typeNames } from '../src/pages/functions/typenames';

test('completion names from functions/types.d.ts', () => {
  const names = typeNames(readFileSync(join(__dirname, '..', '..', 'functions', 'types.d.ts'), 'utf8'));
  const by = new Map(names.map((n) => [n.name, n.kind]));
  expect(by.get('require')).toBe('function');
  expect(by.get('console')).toBe('variable');
  // wx-server-sdk's functions and members of its interfaces
  for (const n of ['getWXContext', 'callFunction', 'uploadFile', 'database', 'log']) expect(by.has(n), n).toBe(true);
  expect(names.length).toBeGreaterThan(100);
  // Only identifiers, each once, sorted.
  expect(names.every((n) => /^[A-Za-z_$][\w$]*$/.test(n.name))).toBe(true);
  expect(new Set(names.map((n) => n.name)).size).toBe(names.length);
});

test('globals win over members, comments and module names are not names', () => {
  const src = `// declare var hidden: number\ninterface A {\n  run(): void;\n  size: number;\n}\ndeclare function run(): void;\ndeclare module 'wx-server-sdk' {\n}\n`;
  expect(typeNames(src)).toEqual([
    { name: 'A', kind: 'type', detail: undefined },
    { name: 'run', kind: 'function', detail: undefined },
    { name: 'size', kind: 'property', detail: undefined },
  ]);
});
