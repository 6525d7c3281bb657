// What the tests check on any page: axe-core finds no WCAG 2.1 A/AA violation, <html lang> is
// the chosen language, no English is left on an Indonesian or Vietnamese page, HTML + CSS stay
// under 30 KB gzipped, nothing is loaded from another host and the console stays clean; and the
// screenshots at phone and desktop widths.
import { AxeBuilder } from '@axe-core/playwright';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DESKTOP, PHONE } from './harness.mjs';

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
export const WEIGHT_LIMIT = 30 * 1024;

export function assert(cond, message) {
    if (!cond) throw new Error(message);
}

// ---- accessibility ----

export async function axeViolations(page) {
    const r = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
    return r.violations;
}

export function describeViolations(violations) {
    return violations.map((v) => {
        const nodes = v.nodes.slice(0, 4).map((n) => `      at ${n.target.join(' ')}: ${n.html.slice(0, 160)}\n` +
            `        ${(n.failureSummary || '').split('\n').slice(1, 3).join(' ').trim()}`);
        return `${v.id} (${v.impact}): ${v.help} [${v.nodes.length} node(s)]\n${nodes.join('\n')}`;
    }).join('\n');
}

export async function assertAxeClean(page) {
    const v = await axeViolations(page);
    assert(v.length === 0, `axe: ${v.length} violation(s) on ${page.url()}\n${describeViolations(v)}`);
}

// ---- language ----

// po files: msgid → msgstr, for one language (all area files).
function readPo(dir) {
    const map = new Map();
    let files = [];
    try {
        files = readdirSync(dir).filter((f) => f.endsWith('.po'));
    } catch {
        return map;
    }
    for (const f of files) for (const [id, str] of parsePo(readFileSync(join(dir, f), 'utf8'))) map.set(id, str);
    return map;
}

// A minimal .po/.pot reader: msgid, msgid_plural and msgstr / msgstr[0] with continuation lines.
export function parsePo(text) {
    const entries = [];
    let cur = null, field = null;
    const unq = (s) => JSON.parse(s.replace(/\\([^"\\nt])/g, '$1'));
    const flush = () => {
        if (cur && cur.msgid) entries.push([cur.msgid, cur.msgstr || '', cur.plural]);
        cur = null;
    };
    for (const line of text.split('\n')) {
        let m;
        if (/^#~/.test(line)) continue;
        if ((m = line.match(/^msgid\s+(".*")$/))) {
            flush();
            cur = { msgid: unq(m[1]) };
            field = 'msgid';
        } else if ((m = line.match(/^msgid_plural\s+(".*")$/)) && cur) {
            cur.plural = unq(m[1]);
            field = 'plural';
        } else if ((m = line.match(/^msgstr(?:\[0\])?\s+(".*")$/)) && cur) {
            cur.msgstr = unq(m[1]);
            field = 'msgstr';
        } else if ((m = line.match(/^msgstr\[\d+\]/))) {
            field = null;
        } else if ((m = line.match(/^(".*")$/)) && cur && field) {
            cur[field] = (cur[field] || '') + unq(m[1]);
        }
    }
    flush();
    return entries;
}

// The English the pages can show: every string xgettext finds in src/web (as scripts/check-po
// extracts them), else the msgids of the catalogs.
function englishStrings(root) {
    const files = readdirSync(join(root, 'src/web')).filter((f) => f.endsWith('.c')).map((f) => join('src/web', f));
    const r = spawnSync('xgettext', ['--from-code=UTF-8', '--language=C', '-k', '-kT:2', '-kTN:2,3', '-kN_',
        '--omit-header', '-o', '-', ...files], { cwd: root, encoding: 'utf8' });
    const ids = new Set();
    if (r.status === 0) {
        for (const [id, , plural] of parsePo(r.stdout)) {
            ids.add(id);
            if (plural) ids.add(plural);
        }
    }
    return ids;
}

// Pieces of English to look for on a page in `lang`: fragments of the source strings (split at
// format directives and markup) whose translation differs. Multi-word fragments are looked for
// inside the text; a single word only as a whole text (a button, a heading, a cell).
export function englishPhrases(root, lang) {
    const po = readPo(join(root, 'po', lang));
    const phrases = new Set(), words = new Set();
    // a word the translations use is a word of the language too ("Unit", "Status", "Foto")
    const native = new Set([...po.values()].flatMap((t) => t.split(/[^\p{L}]+/u)).filter(Boolean));
    const ids = englishStrings(root);
    for (const id of po.keys()) ids.add(id);
    for (const id of ids) {
        const tr = po.get(id);
        if (tr !== undefined && tr === id) continue; // the same in both languages ("Status", "Feb")
        for (let frag of id.split(/%[-+ #0-9.]*(?:ll|l|z|h)?[a-zA-Z]|<[^>]*>|&[a-z]+;|[()[\]:;·|]/)) {
            frag = frag.trim().replace(/[.,!?]+$/, '');
            if (tr && tr.includes(frag)) continue;
            const n = frag.split(/\s+/).filter(Boolean).length;
            if (n >= 2 && frag.length >= 8) phrases.add(frag);
            else if (n === 1 && /^[A-Za-z]{4,}$/.test(frag) && !native.has(frag)) words.add(frag);
        }
    }
    return { phrases: [...phrases], words };
}

// Common English words that neither Indonesian nor Vietnamese uses: a backstop for English
// written into a page without going through the catalogs.
const STOP_WORDS = /(?<![\p{L}\p{N}])(the|and|of|is|are|was|by|it|its|on|for|not|has|your|you|with|this|please|from|have|been|will|which|should|must|there|here|cannot)(?![\p{L}\p{N}])/iu;

// Visible text and accessible labels of the page, leaving out what is marked as another
// language (the language switch's own names).
export async function pageTexts(page) {
    return page.evaluate(() => {
        const docLang = document.documentElement.lang;
        const out = [];
        const sameLang = (el) => {
            const owner = el.closest('[lang]');
            return !owner || owner.lang === docLang;
        };
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n; (n = walker.nextNode());) {
            const el = n.parentElement;
            const text = n.nodeValue.replace(/\s+/g, ' ').trim();
            if (!text || !el || !sameLang(el) || el.closest('script,style,svg')) continue;
            if (!el.checkVisibility() && !el.closest('.skip')) continue;
            out.push(text);
        }
        document.body.querySelectorAll('[aria-label],[title],[placeholder],[alt],input[type=submit][value],input[type=button][value]').forEach((el) => {
            if (!sameLang(el)) return;
            for (const a of ['aria-label', 'title', 'placeholder', 'alt', 'value'])
                if (el.hasAttribute(a) && (a !== 'value' || el.type === 'submit' || el.type === 'button'))
                    out.push(el.getAttribute(a).trim());
        });
        out.push(document.title);
        return out.filter(Boolean);
    });
}

// Throws listing the English found on a page that should be in `lang` (not "en").
export async function assertNoEnglish(page, english) {
    const texts = await pageTexts(page);
    const found = new Set();
    for (const t of texts) {
        if (english.words.has(t.replace(/[.:]$/, ''))) found.add(`"${t}"`);
        for (const p of english.phrases) if (t.includes(p)) found.add(`"${p}" in "${t.slice(0, 100)}"`);
        const m = t.match(STOP_WORDS);
        if (m) found.add(`English word "${m[1]}" in "${t.slice(0, 100)}"`);
    }
    assert(found.size === 0, `untranslated English on ${page.url()}:\n${[...found].slice(0, 15).join('\n')}`);
}

export async function assertHtmlLang(page, lang) {
    const got = await page.evaluate(() => document.documentElement.lang);
    assert(got === lang, `<html lang="${got}">, expected "${lang}" on ${page.url()}`);
}

// ---- what a visit records: the document, stylesheets, requests, console ----

// Starts recording a page's traffic; returns a recorder whose fields fill as the page loads.
export function record(page, baseURL) {
    const rec = { documents: [], foreign: [], consoleErrors: [], failed: [] };
    const origin = new URL(baseURL).origin;
    page.on('response', (r) => {
        const req = r.request();
        if (req.isNavigationRequest() && req.frame() === page.mainFrame() && (r.status() < 300 || r.status() >= 400))
            rec.documents.push(r);
    });
    page.on('request', (req) => {
        const u = req.url();
        if (!u.startsWith('data:') && !u.startsWith('about:') && new URL(u).origin !== origin) rec.foreign.push(u);
    });
    page.on('requestfailed', (req) => rec.failed.push(`${req.url()}: ${req.failure()?.errorText}`));
    page.on('console', (m) => {
        // the browser logs a document's own error status (a 404 page) too: that is no fault
        const own = /^Failed to load resource/.test(m.text()) && m.location().url === page.url();
        if (m.type() === 'error' && !own) rec.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => rec.consoleErrors.push(`script error: ${e.message}`));
    return rec;
}

const cssCache = new Map();

// The gzip-compressed size of the page's HTML (the last document loaded) plus the stylesheets
// it links (fetched apart: the browser's copy may be a 304) and any <style> in it.
export async function pageWeight(page, rec) {
    const doc = rec.documents[rec.documents.length - 1];
    assert(doc, 'no document was loaded');
    const html = await doc.body();
    const hrefs = await page.evaluate(() => [...document.querySelectorAll('link[rel~="stylesheet"]')].map((l) => l.href));
    let css = '';
    for (const href of hrefs) {
        if (!cssCache.has(href)) cssCache.set(href, fetch(href).then((r) => r.text()));
        css += await cssCache.get(href);
    }
    css += await page.evaluate(() => [...document.querySelectorAll('style')].map((s) => s.textContent).join(''));
    const htmlGz = gzipSync(html).length, cssGz = css ? gzipSync(css).length : 0;
    return { html: html.length, htmlGz, css: cssGz, total: htmlGz + cssGz };
}

export async function assertWeight(page, rec) {
    const w = await pageWeight(page, rec);
    assert(w.total < WEIGHT_LIMIT,
        `HTML + CSS gzipped is ${(w.total / 1024).toFixed(1)} KB (HTML ${w.html} B, ${w.htmlGz} B gzipped; CSS ${w.css} B gzipped), over 30 KB`);
    return w;
}

export function assertCleanLoad(rec) {
    assert(rec.foreign.length === 0, `loaded from other hosts: ${rec.foreign.join(', ')}`);
    assert(rec.consoleErrors.length === 0, `console errors (CSP?):\n${rec.consoleErrors.join('\n')}`);
    const failed = rec.failed.filter((f) => !/ERR_ABORTED/.test(f));
    assert(failed.length === 0, `failed requests: ${failed.join(', ')}`);
}

// ---- screenshots ----

// Full-page screenshots at phone and desktop widths: DIR/screenshots/NAME-phone.png and
// NAME-desktop.png. Leaves the page at the phone width.
export async function screenshots(page, dir, name) {
    const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_');
    await page.setViewportSize(PHONE);
    await page.screenshot({ path: join(dir, 'screenshots', `${safe}-phone.png`), fullPage: true });
    await page.setViewportSize(DESKTOP);
    await page.screenshot({ path: join(dir, 'screenshots', `${safe}-desktop.png`), fullPage: true });
    await page.setViewportSize(PHONE);
}

// Throws if the page's content is wider than its viewport (a phone would scroll sideways).
export async function assertNoSidewaysScroll(page) {
    const over = await page.evaluate(() => {
        const w = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= w + 1) return null;
        const wide = [...document.querySelectorAll('body *')].filter((el) => el.getBoundingClientRect().right > w + 1)
            .slice(-3).map((el) => `${el.tagName.toLowerCase()}${el.className ? '.' + el.className : ''}`);
        return `${document.documentElement.scrollWidth}px wide in a ${w}px viewport (${wide.join(', ')})`;
    });
    assert(!over, `the page scrolls sideways at phone width: ${over}`);
}
