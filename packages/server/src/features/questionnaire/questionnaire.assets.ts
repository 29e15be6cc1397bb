import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

/**
 * The client pages' stylesheet and script, read once at start-up and served from memory with a
 * content hash in their URL (so they can be cached for a year and still change on upgrade).
 */
function asset(name: string) {
  const body = readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
  const version = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { body, version };
}

export const appCss = asset('app.css');
export const appJs = asset('app.js');

/** Relative luminance (WCAG 2.2) of a `#rrggbb` colour. */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/**
 * The clinic colour as CSS custom properties, with black or white text on it, whichever contrasts
 * more, so a clinic's choice of colour cannot break WCAG contrast. (A stylesheet, not an inline
 * style: the CSP allows none.)
 */
export function themeCss(colour: string): string {
  const hex = /^#[0-9a-fA-F]{6}$/.test(colour) ? colour.toLowerCase() : '#2f6f8f';
  const l = luminance(hex);
  const onBrand = (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? '#000' : '#fff';
  return `:root{--brand:${hex};--on-brand:${onBrand}}\n`;
}
