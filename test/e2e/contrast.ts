import type { Page } from 'playwright-core';

/**
 * Text whose contrast with its background is below WCAG AA (4.5:1, 3:1 for large text), as axe-core's
 * color-contrast rule (serious) reports it; axe-core itself is not a dependency. Disabled controls are
 * exempt, as in axe.
 */
export async function lowContrast(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(function () {
    function parse(c) { var m = /rgba?\\(([^)]+)\\)/.exec(c); if (!m) return null; var p = m[1].split(',').map(Number); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; }
    function lum(c) { function ch(v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); } return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b); }
    function bg(n) { while (n && n.nodeType === 1) { var c = parse(getComputedStyle(n).backgroundColor); if (c && c.a > 0.5) return c; n = n.parentElement; } return { r: 255, g: 255, b: 255, a: 1 }; }
    var out = [];
    document.querySelectorAll('body *').forEach(function (n) {
      var text = Array.prototype.some.call(n.childNodes, function (t) { return t.nodeType === 3 && t.textContent.trim() !== ''; });
      if (!text || n.getBoundingClientRect().width === 0 || n.closest('button:disabled')) return;
      var s = getComputedStyle(n), fg = parse(s.color), b = bg(n), l1 = lum(fg), l2 = lum(b);
      var ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05), size = parseFloat(s.fontSize);
      var large = size >= 24 || (Number(s.fontWeight) >= 700 && size >= 18.66);
      if (ratio < (large ? 3 : 4.5)) out.push(n.tagName.toLowerCase() + (n.id ? '#' + n.id : '') + '.' + n.className + ' ' + ratio.toFixed(2) + ':1 "' + n.textContent.slice(0, 30) + '"');
    });
    return out;
  })()`);
}
