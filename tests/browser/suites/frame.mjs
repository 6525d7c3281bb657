// The page frame: the home page, the language chosen from Accept-Language, switched with the
// language links and remembered, and the HTML 404.
import { test } from '../lib/harness.mjs';
import { assert } from '../lib/checks.mjs';
import { navigates, open, withPage } from '../lib/visit.mjs';

const htmlLang = (page) => page.evaluate(() => document.documentElement.lang);

test('home: the front page offers to send and to track a petition and lists the units', async (S) => {
    await withPage(S, {}, async (page) => {
        await open(page, '/');
        assert(await htmlLang(page) === 'en', 'an English browser gets <html lang="en">');
        assert(await page.locator('h1').count() === 1, 'one h1');
        for (const href of ['/submit', '/track'])
            assert(await page.locator(`main a[href="${href}"]`).count() >= 1, `a link to ${href}`);
        const units = page.locator('main a[href^="/submit?unit="]');
        assert(await units.count() >= 5, `the demo units are listed (found ${await units.count()})`);
        assert(await page.getByRole('link', { name: 'Tỉnh Ninh Thuận' }).count() === 1, 'the demo province is listed');
    });
});

test('language: an Accept-Language of Indonesian or Vietnamese chooses that language', async (S) => {
    for (const [locale, lang] of [['id-ID', 'id'], ['vi-VN', 'vi'], ['fr-FR', 'en']]) {
        const ctx = await S.browser.newContext({ baseURL: S.url, locale });
        try {
            const page = await ctx.newPage();
            const r = await open(page, '/');
            assert(await htmlLang(page) === lang, `Accept-Language ${locale}: <html lang="${await htmlLang(page)}">, expected ${lang}`);
            assert(r.headers()['content-language'] === lang, `Content-Language ${r.headers()['content-language']}`);
        } finally {
            await ctx.close();
        }
    }
});

test('language switch: the language links change the page in place and the choice is remembered', async (S) => {
    await withPage(S, {}, async (page) => {
        await open(page, '/track', 200).catch(() => open(page, '/'));
        const path = new URL(page.url()).pathname;
        const nav = page.locator('nav.langs');
        await navigates(page, () => nav.getByRole('link', { name: 'Bahasa Indonesia' }).click());
        assert(new URL(page.url()).pathname === path, `back on ${path} after switching, not ${page.url()}`);
        assert(await htmlLang(page) === 'id', `<html lang="${await htmlLang(page)}"> after choosing Bahasa Indonesia`);
        const cookie = (await page.context().cookies()).find((c) => c.name === 'akar_lang');
        assert(cookie && cookie.value === 'id', 'the choice is kept in the akar_lang cookie');
        assert(cookie.expires > Date.now() / 1000 + 86400 * 300, 'the choice is remembered for about a year');
        assert(await nav.locator('[aria-current]').innerText() === 'Bahasa Indonesia', 'the current language is marked');
        await open(page, '/');
        assert(await htmlLang(page) === 'id', 'the next page is Indonesian too');
        await navigates(page, () => nav.getByRole('link', { name: 'Tiếng Việt' }).click());
        assert(await htmlLang(page) === 'vi', 'switched on to Vietnamese');
        await navigates(page, () => nav.getByRole('link', { name: 'English' }).click());
        assert(await htmlLang(page) === 'en', 'and back to English');
    });
});

test('language switch: a next= pointing at another host lands on the home page instead', async (S) => {
    await withPage(S, {}, async (page) => {
        for (const next of ['//example.org/', '/\\example.org', 'https://example.org/']) {
            await open(page, `/lang/id?next=${encodeURIComponent(next)}`);
            const u = new URL(page.url());
            assert(u.origin === new URL(S.url).origin && u.pathname === '/', `next=${next} led to ${page.url()}`);
        }
    });
});

test('404: an unknown address answers an HTML page in the chosen language, with the site around it', async (S) => {
    await withPage(S, { lang: 'vi' }, async (page) => {
        const r = await open(page, '/no/such/page', 404);
        assert(/^text\/html/.test(r.headers()['content-type']), `content type ${r.headers()['content-type']}`);
        assert(await htmlLang(page) === 'vi', 'the 404 page follows the chosen language');
        assert(await page.locator('h1').count() === 1, 'it says what happened in a heading');
        assert(await page.locator('header a[href="/"]').count() === 1, 'and links home');
    });
});

test('frame: every page has a skip link to the content and a visible focus on it', async (S) => {
    await withPage(S, {}, async (page) => {
        await open(page, '/');
        await page.keyboard.press('Tab');
        const first = await page.evaluate(() => ({ text: document.activeElement.textContent, href: document.activeElement.getAttribute('href') }));
        assert(first.href === '#main', `the first Tab stop is the skip link, not ${JSON.stringify(first)}`);
        const box = await page.locator('a.skip').boundingBox();
        assert(box && box.x >= 0 && box.y >= 0, 'the skip link shows when focused');
        const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
        assert(outline !== 'none', 'a focused link has an outline');
        await page.keyboard.press('Enter');
        assert(await page.evaluate(() => document.activeElement.id) === 'main', 'Enter moves the focus to the content');
    });
});
