/**
 * The names a completion offers in the function editor, read from the text
 * of functions/types.d.ts: declared globals (var, function, namespace),
 * interface and type names, the members of interfaces (methods and
 * properties), and the module names of `declare module '…'`.
 */
export interface TypeName {
  name: string;
  kind: 'variable' | 'function' | 'type' | 'method' | 'property' | 'namespace';
  detail?: string;
}

export function typeNames(src: string): TypeName[] {
  const out = new Map<string, TypeName>();
  const add = (name: string, kind: TypeName['kind'], detail?: string) => {
    if (!/^[A-Za-z_$][\w$]*$/.test(name) || name.length > 60) return;
    const had = out.get(name);
    // A global wins over a member of the same name.
    if (!had || ((had.kind === 'method' || had.kind === 'property') && kind !== 'method' && kind !== 'property')) out.set(name, { name, kind, detail });
  };
  for (const raw of src.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    let m: RegExpExecArray | null;
    if ((m = /^(?:export\s+)?declare\s+(?:var|let|const)\s+([\w$]+)/.exec(line))) add(m[1], 'variable');
    else if ((m = /^(?:export\s+)?(?:declare\s+)?function\s+([\w$]+)/.exec(line))) add(m[1], 'function');
    else if ((m = /^(?:export\s+)?(?:declare\s+)?(?:interface|type|class)\s+([\w$]+)/.exec(line))) add(m[1], 'type');
    else if ((m = /^(?:export\s+)?declare\s+namespace\s+([\w$]+)/.exec(line))) add(m[1], 'namespace');
    else if (/^declare\s+module\s/.test(line)) continue; // a module's name is a string, not an identifier
    else if ((m = /^(?:readonly\s+)?([\w$]+)\??\s*(?:<[^>]*>)?\(/.exec(line))) add(m[1], 'method');
    else if ((m = /^(?:readonly\s+)?([\w$]+)\??\s*:/.exec(line))) add(m[1], 'property');
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}
