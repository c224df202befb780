import MarkdownIt from 'markdown-it';
import { useMemo } from 'react';

/**
 * markdown-it with raw HTML off: `<script>`, `<img onerror>` and the like come out as text, and
 * its link check drops `javascript:`/`vbscript:`/`data:` URLs, so the rendered HTML carries
 * nothing a README's author could run in the reader's session.
 */
const markdown = new MarkdownIt({ html: false, linkify: true });
const defaultLink =
  markdown.renderer.rules.link_open ?? ((tokens, i, opts, _env, self) => self.renderToken(tokens, i, opts));
markdown.renderer.rules.link_open = (tokens, i, opts, env, self) => {
  // links leave the app in a new tab that cannot reach back into it
  tokens[i]!.attrSet('target', '_blank');
  tokens[i]!.attrSet('rel', 'noopener noreferrer nofollow');
  return defaultLink(tokens, i, opts, env, self);
};

// the page has its own h1: a README's headings sit one level below it (h1 -> h2, ... h6 stays h6)
const demote = (tag: string) => `h${Math.min(Number(tag.slice(1)) + 1, 6)}`;
for (const rule of ['heading_open', 'heading_close'] as const) {
  markdown.renderer.rules[rule] = (tokens, i, opts, _env, self) => {
    const token = tokens[i]!;
    token.tag = demote(token.tag);
    return self.renderToken(tokens, i, opts);
  };
}

/** Renders markdown (a component's README) safely; `label` names the region. */
export function Markdown({ source, label }: { source: string; label: string }) {
  const html = useMemo(() => markdown.render(source), [source]);
  return <section className="markdown" aria-label={label} dangerouslySetInnerHTML={{ __html: html }} />;
}
