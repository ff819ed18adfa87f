// Every text a person reads exists in both languages, and no page writes
// text outside t(): a key missing from either file, or a literal word in
// JSX, fails here.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { en } from '../src/i18n/en';
import { zhCN } from '../src/i18n/zh-CN';
import { pickLang } from '../src/i18n';

const src = join(__dirname, '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

// A word: any letter (Latin, CJK, …). Symbols (×, ☰, ▤, →) need no translation.
const WORD = /\p{L}/u;
// Attributes people read (or hear, from a screen reader).
const READ_ATTRS = new Set(['title', 'placeholder', 'aria-label', 'alt', 'label']);

// intrinsic: the attribute is on an HTML element (<input title>), not a component's prop.
function intrinsic(a: ts.JsxAttribute): boolean {
  const el = a.parent.parent;
  return (ts.isJsxOpeningElement(el) || ts.isJsxSelfClosingElement(el)) && /^[a-z]/.test(el.tagName.getText());
}

/** Literal words in JSX text and in read attributes of one file: "file:line: text". */
export function literalTexts(file: string, code: string): string[] {
  const sf = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const out: string[] = [];
  const at = (n: ts.Node) => `${file}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
  const visit = (n: ts.Node) => {
    if (ts.isJsxText(n) && WORD.test(n.text)) out.push(`${at(n)}: ${n.text.trim()}`);
    if (ts.isJsxAttribute(n) && READ_ATTRS.has(n.name.getText()) && n.initializer && intrinsic(n)) {
      const init = n.initializer;
      const lit = ts.isStringLiteral(init) ? init : ts.isJsxExpression(init) && init.expression && ts.isStringLiteral(init.expression) ? init.expression : undefined;
      if (lit && WORD.test(lit.text)) out.push(`${at(n)}: ${n.name.getText()}="${lit.text}"`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

describe('languages', () => {
  test('zh-CN has every English key', () => {
    expect(Object.keys(en).filter((k) => !(k in zhCN))).toEqual([]);
  });
  test('English has every zh-CN key', () => {
    expect(Object.keys(zhCN).filter((k) => !(k in en))).toEqual([]);
  });
  test('no text is empty, and placeholders match', () => {
    const bad: string[] = [];
    for (const k of Object.keys(en) as (keyof typeof en)[]) {
      if (!en[k].trim() || !zhCN[k]?.trim()) bad.push(`${k}: empty`);
      const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort().join(',');
      if (ph(en[k]) !== ph(zhCN[k] ?? '')) bad.push(`${k}: {…} differ: ${ph(en[k])} vs ${ph(zhCN[k] ?? '')}`);
    }
    expect(bad).toEqual([]);
  });
  test('every key used in the sources exists', () => {
    const used = new Set<string>();
    for (const f of sources(src)) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\bt\(\s*'([\w.-]+)'/g)) used.add(m[1]);
    }
    expect([...used].filter((k) => !(k in en))).toEqual([]);
  });
  test('the browser picks the language until the person does', () => {
    expect(pickLang(null, ['zh-CN', 'en'])).toBe('zh-CN');
    expect(pickLang(null, ['zh-TW'])).toBe('zh-CN');
    expect(pickLang(null, ['en-US', 'zh-CN'])).toBe('en');
    expect(pickLang(null, ['fr-FR'])).toBe('en');
    expect(pickLang(null, [])).toBe('en');
    expect(pickLang('en', ['zh-CN'])).toBe('en');
    expect(pickLang('zh-CN', ['en-US'])).toBe('zh-CN');
    expect(pickLang('klingon', ['zh-CN'])).toBe('zh-CN');
  });
});

describe('no hard-coded text', () => {
  test('JSX in src/ writes words only through t()', () => {
    const found = sources(src)
      .filter((f) => f.endsWith('.tsx'))
      .flatMap((f) => literalTexts(f.slice(src.length + 1), readFileSync(f, 'utf8')));
    expect(found).toEqual([]);
  });
  test('the check finds a literal word in text and in attributes', () => {
    const code = `const a = <p>Hello</p>; const b = <input placeholder="Name" />; const c = <p>{t('x')} ×</p>; const d = <b aria-label={'关闭'} />;`;
    expect(literalTexts('x.tsx', code)).toEqual(['x.tsx:1: Hello', 'x.tsx:1: placeholder="Name"', 'x.tsx:1: aria-label="关闭"']);
  });
});
