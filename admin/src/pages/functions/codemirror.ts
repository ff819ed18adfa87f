/**
 * The function editor: CodeMirror 6 with JavaScript highlighting, JSON for
 * .json files, and completion of the names functions/types.d.ts declares
 * (globals, wx-server-sdk's methods, module names). This module is loaded
 * with import() only when a function's code is opened, so CodeMirror is a
 * chunk of its own, outside the console's first load.
 */
import { autocompletion, completeFromList, type Completion, type CompletionContext } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { javascript } from '@codemirror/lang-javascript';
import { json } from '@codemirror/lang-json';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { EditorView, highlightActiveLine, keymap, lineNumbers } from '@codemirror/view';
import typesSource from '../../../../functions/types.d.ts?raw';
import { typeNames } from './typenames';

let cached: Completion[] | undefined;
/** The completions from types.d.ts, computed once. */
export function typeCompletions(): Completion[] {
  return (cached ??= typeNames(typesSource).map((n) => ({ label: n.name, type: n.kind, detail: n.detail })));
}

function completeTypes(ctx: CompletionContext) {
  return completeFromList(typeCompletions())(ctx);
}

export interface Editor {
  view: EditorView;
  destroy(): void;
}

/** Makes an editor in parent for path's text; onChange gets the text after each edit. */
export function createEditor(parent: HTMLElement, path: string, doc: string, onChange: (text: string) => void, label: string): Editor {
  const lang = path.endsWith('.json') ? json() : javascript({ typescript: path.endsWith('.ts') });
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        history(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        lang,
        path.endsWith('.json') ? [] : autocompletion({ override: [completeTypes] }),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ 'aria-label': label }),
        EditorView.updateListener.of((u) => u.docChanged && onChange(u.state.doc.toString())),
        EditorView.theme({ '&': { fontSize: '13px', border: '1px solid var(--line)', borderRadius: '6px' }, '.cm-scroller': { minHeight: '320px', maxHeight: '70vh' } }),
      ],
    }),
  });
  return { view, destroy: () => view.destroy() };
}
