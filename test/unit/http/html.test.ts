import { describe, expect, it } from 'vitest';
import { escapeHtml, html } from '../../../src/http/views/html.js';

describe('html', () => {
  it('escapes every interpolated string, in text and in attributes', () => {
    const name = `<script>alert("x")</script>' onmouseover='x' \`y\` & more`;
    expect(html`<td title="${name}">${name}</td>`.value).toBe(
      '<td title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x&#39; &#96;y&#96; &amp; more">' +
        '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onmouseover=&#39;x&#39; &#96;y&#96; &amp; more</td>',
    );
  });

  it('keeps nested templates and joins arrays, escaping what is inside them', () => {
    const rows = ['a<b', 'c&d'].map((v) => html`<li>${v}</li>`);
    expect(html`<ul>${rows}</ul>`.value).toBe('<ul><li>a&lt;b</li><li>c&amp;d</li></ul>');
  });

  it('drops null, undefined and false, and prints numbers', () => {
    expect(html`${null}${undefined}${false}${0}${12.5}`.value).toBe('012.5');
  });

  it('escapes a string that merely looks like markup built elsewhere', () => {
    expect(escapeHtml(html`<b>x</b>`.value)).toBe('&lt;b&gt;x&lt;/b&gt;');
  });
});
