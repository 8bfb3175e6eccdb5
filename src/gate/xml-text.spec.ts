import { describe, expect, it } from 'vitest';
import { terminalSafe, xmlAttr, xmlText } from './xml-text';

describe('xml text', () => {
  it('escapes markup, and shows characters XML cannot carry', () => {
    expect(xmlText('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
    expect(xmlText('bell\u0007 esc\u001b nul\u0000 ok\ttab\nnl')).toBe('bell\\u0007 esc\\u001b nul\\u0000 ok\ttab\nnl');
    expect(xmlText('lone \ud800 pair \ud83d\ude00 end \uffff')).toBe('lone \\ud800 pair \ud83d\ude00 end \\uffff');
  });

  it('attributes also escape quotes and keep line breaks as references', () => {
    expect(xmlAttr(`"it's"\n\t<x>`)).toBe('&quot;it&apos;s&quot;&#10;&#9;&lt;x&gt;');
  });

  it('terminal output shows control characters instead of sending them', () => {
    expect(terminalSafe('red \u001b[31m bell \u0007 nl \n cr \r del \u007f c1 \u009b sep \u2028')).toBe(
      'red \\u001b[31m bell \\u0007 nl \\u000a cr \\u000d del \\u007f c1 \\u009b sep \\u2028',
    );
    expect(terminalSafe('tab\tkept, unicode ✓ kept')).toBe('tab\tkept, unicode ✓ kept');
  });
});
