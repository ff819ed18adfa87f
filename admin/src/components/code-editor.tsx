/**
 * A code editor that costs nothing until used: a plain textarea at once,
 * replaced by CodeMirror (components/editor-cm.ts, a chunk of its own)
 * as soon as that has loaded. If it cannot load (offline after an
 * upgrade), the textarea stays and works.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Mounted } from './editor-cm';

export function CodeEditor(props: {
  value: string;
  onInput: (v: string) => void;
  lang: 'json' | 'javascript';
  label: string;
  invalid?: boolean;
  rows?: number;
  testid?: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const ed = useRef<Mounted | null>(null);
  const change = useRef(props.onInput);
  change.current = props.onInput;
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let gone = false;
    import('./editor-cm').then(
      (m) => {
        if (gone || !host.current) return;
        ed.current = m.mount(host.current, { value: props.value, lang: props.lang, label: props.label, onChange: (v) => change.current(v) });
        setReady(true);
      },
      () => undefined,
    );
    return () => {
      gone = true;
      ed.current?.destroy();
    };
  }, []);
  useEffect(() => ed.current?.set(props.value), [props.value]);
  return (
    <div class={'code-editor' + (props.invalid ? ' code-invalid' : '')} data-testid={props.testid} data-ready={ready ? 'true' : undefined}>
      <div ref={host} class="code-host" hidden={!ready} />
      {ready ? null : (
        <textarea class="editor" rows={props.rows ?? 12} value={props.value} onInput={(e) => props.onInput(e.currentTarget.value)} spellcheck={false} aria-label={props.label} aria-invalid={props.invalid} />
      )}
    </div>
  );
}
