// Every page, residents' and officials', with its error and empty states: axe-core finds no
// WCAG 2.1 A/AA violation, <html lang> is the language chosen and no English is left on it,
// HTML + CSS weigh under 30 KB gzipped, nothing comes from another host and the console stays
// clean, nothing scrolls sideways on a phone, and full-page screenshots at phone and desktop
// widths are kept (BROWSER_ARTIFACTS/screenshots/PAGE-LANG-phone.png, -desktop.png).
import { LANGS, test } from '../lib/harness.mjs';
import {
    assert, assertAxeClean, assertCleanLoad, assertHtmlLang, assertNoEnglish, assertNoSidewaysScroll,
    assertWeight, record, screenshots,
} from '../lib/checks.mjs';
import { account } from '../lib/accounts.mjs';
import { TOTP_FIELD, inProgressCase, residentCase, resolvedCase, session, sharedCase } from '../lib/fixtures.mjs';
import { CODE_RE, fillSubmitForm, openWithKey, photo, readReceipt, submitButton } from '../lib/resident.mjs';
import { mainText, navigates, open, withPage } from '../lib/visit.mjs';

// name, who is signed in (a login, or none), and how to reach the page (a path, or a function
// of the page that ends on it). Every page is opened in every language for <html lang>, the
// English left and the weight; axe and the screenshots run in all three on the main pages,
// in English on the others (they share the frame and fields, and the run stays short).
const PAGES = [
    { name: 'home', main: true, path: '/' },
    { name: '404', path: '/no/such/page', status: 404 },
    { name: 'submit-unit', path: '/submit' },
    { name: 'submit', main: true, path: '/submit?unit=586.01' },
    {
        name: 'submit-errors', // the form sent empty: a summary at the top, messages beside the fields
        async open(page) {
            await open(page, '/submit?unit=586.01');
            await navigates(page, () => submitButton(page).click(), 422);
            assert(await page.locator('.error-text').count() >= 3 && await page.locator('[aria-invalid="true"]').count() >= 2,
                `no messages beside the fields after sending an empty form: ${await mainText(page)}`);
        },
    },
    {
        name: 'receipt', main: true,
        async open(page) {
            await open(page, '/submit?unit=586.01');
            await fillSubmitForm(page, { title: 'Lampu jalan mati', description: 'Lampu jalan di depan balai desa sudah mati selama dua minggu.', photos: [photo()] });
            await navigates(page, () => submitButton(page).click());
            await readReceipt(page);
        },
    },
    { name: 'receipt-none', path: '/receipt', status: 404 },
    { name: 'track-form', path: '/track' },
    { name: 'track-form-errors', path: '/track?code=nonsense', status: 422 },
    { name: 'track-unknown', path: '/track/ZZZZ-ZZZZ-ZZZ', status: 404 },
    { name: 'track', async open(page, S) { await open(page, `/track/${(await sharedCase(S)).tracking_code}`); } },
    {
        name: 'track-sender', main: true, // the sender's own view of a resolved case: the answer and the rating form
        async open(page, S) {
            const c = await resolvedCase(S);
            await open(page, `/track/${c.tracking_code}`);
            await openWithKey(page, c.access_key);
            assert(await page.locator('input[name="rating"]').count() === 5, `no rating form: ${await mainText(page)}`);
        },
    },
    { name: 'login', path: '/login' },
    {
        name: 'login-errors',
        async open(page) {
            await open(page, '/login');
            await navigates(page, () => page.locator('main form button[type="submit"]').click(), 422);
        },
    },
    {
        name: 'login-enrol', // an official's first sign-in: the authenticator app is set up
        async open(page, S) {
            await passwordStep(page, account(S, 'browser.enrol'));
            assert(await page.locator('.qr svg').count() === 1, `no enrolment QR code: ${await mainText(page)}`);
        },
    },
    {
        name: 'login-code', main: true, // later sign-ins: just the code
        async open(page, S) {
            await session(S, 'browser.pages'); // the first sign-in has confirmed the secret
            await passwordStep(page, account(S, 'browser.pages'));
            assert(await page.locator('.qr svg').count() === 0, `the code step still shows enrolment: ${await mainText(page)}`);
        },
    },
    { name: 'inbox', main: true, who: 'browser.pages', path: '/office' },
    { name: 'case', main: true, who: 'browser.pages', async open(page, S) { await open(page, `/office/cases/${(await sharedCase(S)).id}`); } },
    { name: 'case-resolved', who: 'browser.pages', async open(page, S) { await open(page, `/office/cases/${(await resolvedCase(S)).id}`); } },
    {
        name: 'case-errors', // resolve sent without an answer: the message beside the field
        who: 'browser.leader',
        async open(page, S) {
            await open(page, `/office/cases/${(await inProgressCase(S, 'errors')).id}`);
            await navigates(page, () => page.locator('#act-resolve button[type="submit"]').click(), 422);
            assert(await page.locator('#e-resolve-answer').count() === 1, `no message beside the answer: ${await mainText(page)}`);
        },
    },
    { name: 'reception', who: 'browser.desk', path: '/office/reception' },
    {
        name: 'reception-errors',
        who: 'browser.desk',
        async open(page) {
            await open(page, '/office/reception');
            await navigates(page, () => page.locator('main form button[type="submit"]').click(), 422);
            assert(await page.locator('.error-text').count() >= 1, `no message beside a field: ${await mainText(page)}`);
        },
    },
    {
        name: 'reception-receipt', // a petition entered at the desk: the receipt to print
        who: 'browser.desk',
        async open(page) {
            await open(page, '/office/reception');
            await page.locator('#f-channel-phone').check();
            await page.locator('#f-kind').selectOption('information_request');
            await page.locator('#f-title').fill('Hỏi về hỗ trợ học phí');
            await page.locator('#f-description').fill('Bà Lan gọi điện hỏi thủ tục xin hỗ trợ học phí cho con học lớp 10.');
            await page.locator('#f-name').fill('Nguyễn Thị Lan');
            await navigates(page, () => page.locator('main form button[type="submit"]').click());
            assert(CODE_RE.test(await page.locator('#tracking-code').innerText()), `no tracking code on the desk's receipt: ${await mainText(page)}`);
        },
    },
    { name: 'dashboard', who: 'browser.leader', path: '/office/dashboard' },
    {
        name: 'mine', who: 'browser.resident',
        async open(page, S) {
            const { code } = await residentCase(S);
            await open(page, '/mine');
            assert(await page.locator(`main a[href="/track/${code}"]`).count() === 1, `the petition sent while signed in is listed: ${await mainText(page)}`);
        },
    },
];

// The first step of /login (login and password); ends on the code step.
async function passwordStep(page, acct) {
    await open(page, '/login');
    await page.locator('#f-login').fill(acct.login);
    await page.locator('#f-password').fill(acct.password);
    await navigates(page, () => page.locator('main form button[type="submit"]').click());
    assert(await page.locator(TOTP_FIELD).count() === 1, `no code asked after the password: ${await mainText(page)}`);
}

// Opens page p in lang and runs every check on it, each printing its own verdict.
async function visit(S, p, lang, check) {
    const id = `${lang} ${p.name}`;
    const storageState = p.who ? await session(S, p.who) : undefined;
    await withPage(S, { lang, storageState }, async (page) => {
        const rec = record(page, S.url);
        if (p.open) await p.open(page, S);
        else await open(page, p.path, p.status ?? 200);
        await page.waitForLoadState('load');
        const full = p.main || lang === 'en';
        if (full) await check(`axe ${id}: no WCAG 2.1 AA violation`, () => assertAxeClean(page));
        await check(`lang ${id}: <html lang="${lang}">${lang === 'en' ? '' : ', no English left'}`, async () => {
            await assertHtmlLang(page, lang);
            if (lang !== 'en') await assertNoEnglish(page, S.english[lang]);
        });
        await check(`weight ${id}: HTML + CSS under 30 KB gzipped, nothing from other hosts, no console error`, async () => {
            await assertWeight(page, rec);
            assertCleanLoad(rec);
        });
        await check(`phone ${id}: nothing scrolls sideways at 390 px`, () => assertNoSidewaysScroll(page));
        if (full) await check(`screenshots ${id}: phone and desktop`, () => screenshots(page, S.artifacts, `${p.name}-${lang}`));
    });
}

// One test per page: the three languages side by side (each in its own context).
for (const p of PAGES) {
    test(`page ${p.name}: opens in ${LANGS.join(', ')}`, async (S, check) => {
        const results = await Promise.allSettled(LANGS.map((lang) => visit(S, p, lang, check)));
        const failed = results.map((r, i) => r.status === 'rejected' ? `${LANGS[i]}: ${r.reason?.message ?? r.reason}` : null).filter(Boolean);
        if (failed.length) throw new Error(failed.join('\n'));
    }, { timeout: 120000 });
}
