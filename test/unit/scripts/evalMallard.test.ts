// The eval's help-center corpus step: GNOME help pages (Mallard XML) become Markdown notes with what a
// reader sees, titles as headings, and none of the page's metadata or GNOME-Classic-only text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mallardToMarkdown } from '../../../scripts/evalMallard';

const PAGE = `<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE page>
<page xmlns="http://projectmallard.org/1.0/" xmlns:if="http://projectmallard.org/if/1.0/" type="topic" id="net-wireless-connect">
  <info>
    <link type="guide" xref="net-wireless" group="#first"/>
    <desc>Get on the internet — wirelessly.</desc>
    <credit type="author"><name>Someone</name></credit>
    <license><p>Creative Commons Share Alike 3.0</p></license>
  </info>
  <title>Connect to a wireless network</title>
  <p>If you have a <em>wireless-enabled</em> computer, you can connect &amp; browse.</p>
  <steps>
    <item><p>Open the <gui xref="shell-introduction#systemmenu">system menu</gui>.</p></item>
    <item><p>Select <gui>Wi-Fi</gui>.</p><p>The section expands.</p></item>
  </steps>
  <if:choose>
    <if:when test="platform:gnome-classic"><p>Classic only: use the Applications menu.</p></if:when>
    <if:else><p>Press the <key>Super</key><key>S</key> keys.</p></if:else>
  </if:choose>
  <terms>
    <item><title>WPA</title><p>An encryption standard.</p></item>
  </terms>
  <media type="image" src="figures/wifi.png"><p>A screenshot</p></media>
  <section id="hidden">
    <title>Hidden networks</title>
    <p>Type the name &#x201C;as is&#x201D;.<![CDATA[ <raw> ]]></p>
  </section>
  <links type="topic"><title>More</title></links>
</page>`;

test('a Mallard page becomes Markdown: headings, paragraphs, list items; no metadata, media or Classic-only text', () => {
  const md = mallardToMarkdown(PAGE);
  assert.equal(
    md,
    [
      '# Connect to a wireless network',
      '',
      'If you have a wireless-enabled computer, you can connect & browse.',
      '',
      '- Open the system menu.',
      '- Select Wi-Fi.',
      '  The section expands.',
      '',
      'Press the Super S keys.',
      '',
      '- WPA',
      '  An encryption standard.',
      '',
      '## Hidden networks',
      '',
      'Type the name “as is”. <raw>',
      '',
    ].join('\n'),
  );
});
