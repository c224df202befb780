import { useEffect, useRef } from 'react';
import { basicSetup, EditorView } from 'codemirror';
import { EditorState } from '@codemirror/state';
import { keymap } from '@codemirror/view';
import { indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';

export interface LineError {
  line?: number;
  col?: number;
  path?: string;
  message: string;
}

function toDiagnostics(state: EditorState, errors: LineError[]): Diagnostic[] {
  return errors.map((e) => {
    const line = state.doc.line(Math.min(Math.max(e.line ?? 1, 1), state.doc.lines));
    const from = Math.min(line.from + Math.max((e.col ?? 1) - 1, 0), line.to);
    return {
      from,
      to: from === line.to ? line.to : line.to,
      severity: 'error',
      message: e.path ? `${e.path}: ${e.message}` : e.message,
    };
  });
}

/** CodeMirror 6 with YAML highlighting; `errors` are drawn at their line; edits go to onChange. */
export function YamlEditor({
  value,
  onChange,
  errors,
  readOnly = false,
}: {
  value: string;
  onChange(value: string): void;
  errors: LineError[];
  readOnly?: boolean;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          keymap.of([indentWithTab]),
          yaml(),
          lintGutter(),
          EditorState.readOnly.of(readOnly),
          // an explicit tabindex: checkers then see the scrolled text is reachable by keyboard
          EditorView.contentAttributes.of({ 'aria-label': 'Pipeline YAML', tabindex: '0' }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) onChangeRef.current(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
    // the editor is created once; value and errors are pushed in by the effects below
  }, []);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const current = v.state.doc.toString();
    if (current !== value) v.dispatch({ changes: { from: 0, to: current.length, insert: value } });
  }, [value]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    v.dispatch(setDiagnostics(v.state, toDiagnostics(v.state, errors)));
  }, [errors, value]);

  return <div className="yaml-editor" ref={host} data-testid="yaml-editor" />;
}
