import MarkdownIt from 'markdown-it';

/** Schemes a link in a comment may use; anything else stays plain text. */
const ALLOWED_LINK = /^(?:https?:\/\/|mailto:)/i;

/** `rel` of every link in a comment: no ranking credit, marked as user content, no opener. */
export const COMMENT_LINK_REL = 'nofollow ugc noopener';

/**
 * The Markdown a comment may use: paragraphs, line breaks, emphasis, links (written or
 * bare), quotes and code. Everything else, raw HTML first of all, is shown as the text
 * that was typed. Built from markdown-it's empty preset so that a rule added to
 * markdown-it later is not switched on here by accident.
 */
function createCommentMarkdown() {
  const md = new MarkdownIt('zero', { html: false, linkify: true, breaks: true, typographer: false });
  md.enable(['blockquote', 'code', 'fence']);
  md.enable(['newline', 'escape', 'backticks', 'emphasis', 'link', 'autolink', 'entity', 'linkify']);
  md.linkify.set({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false });
  // Only http(s) and mailto: `javascript:`, `data:` and relative addresses stay text.
  md.validateLink = (url) => ALLOWED_LINK.test(url.trim());
  const renderToken = md.renderer.renderToken.bind(md.renderer);
  md.renderer.rules.link_open = (tokens, idx, options) => {
    tokens[idx]?.attrSet('rel', COMMENT_LINK_REL);
    return renderToken(tokens, idx, options);
  };
  return md;
}

const md = createCommentMarkdown();

/** A comment's text as HTML, and the addresses it links to (for the spam checks). */
export interface CommentText {
  html: string;
  links: string[];
}

/**
 * Renders a comment's text (the Markdown subset above) to safe HTML.
 *
 * @example
 *   renderCommentText('Thanks, *Lena*! See https://example.org').html
 *   // '<p>Thanks, <em>Lena</em>! See <a href="https://example.org" rel="nofollow ugc noopener">…</a></p>\n'
 */
export function renderCommentText(text: string): CommentText {
  const tokens = md.parse(text, {});
  const links: string[] = [];
  for (const block of tokens) {
    for (const t of block.children ?? []) {
      if (t.type === 'link_open') links.push(String(t.attrGet('href') ?? ''));
    }
  }
  return { html: md.renderer.render(tokens, md.options, {}), links };
}
