// The same journey with the keyboard alone: no click, no fill, only Tab, Shift+Tab, Enter,
// Space, arrow keys and typing. The resident works in Indonesian, the handler in Vietnamese,
// each chosen from the language links; every focus stop must show where the focus is.
import { inSteps, newContext, test } from '../lib/harness.mjs';
import { assert } from '../lib/checks.mjs';
import { account } from '../lib/accounts.mjs';
import { learnSecret, totpFor } from '../lib/fixtures.mjs';
import { Keyboard } from '../lib/keyboard.mjs';
import { photo, readReceipt, trackedStatus } from '../lib/resident.mjs';
import { mainText, open } from '../lib/visit.mjs';

const lang = (page) => page.evaluate(() => document.documentElement.lang);

const PETITION = {
    title: 'Saluran air tersumbat di pasar',
    description: 'Saluran air di samping pasar desa tersumbat sampah sehingga air meluap ke jalan setiap kali hujan.',
    name: 'Budi Santoso',
};
const ANSWER = 'Đội vệ sinh đã khơi thông cống thoát nước cạnh chợ vào sáng thứ Hai.';

test('journey (keyboard alone): submit with a photo, track, sign in with TOTP, accept, start, resolve, rate', async (S) => {
    const resident = await newContext(S.browser, S.url);
    const official = await newContext(S.browser, S.url);
    try {
        await inSteps(async (step) => {
            const page = await resident.newPage();
            const kb = new Keyboard(page);
            await open(page, '/');
            step('the language link');
            // the language link, then the petition form from the menu
            await kb.tabTo('nav.langs a[hreflang="id"]');
            await kb.go();
            assert(await lang(page) === 'id', `<html lang="${await lang(page)}"> after choosing Bahasa Indonesia`);
            await kb.tabTo('header a[href="/submit"]');
            await kb.go();
            step('the unit select');
            // the unit, from the select with the arrow keys
            await kb.tabTo('#f-unit');
            await kb.chooseOption('586.01');
            await kb.tabTo('main form button[type="submit"]');
            await kb.go();
            assert(await page.locator('#f-title').count() === 1, `no form after choosing the unit: ${await mainText(page)}`);
            step('the kind');
            // the kind: Tab into the radio group, arrows to "complaint"
            await kb.tabTo('input[name="kind"]');
            await kb.chooseRadio('#f-kind-complaint');
            step('title and description');
            await kb.fill('#f-title', PETITION.title);
            await kb.fill('#f-description', PETITION.description);
            step('the photo');
            await kb.tabTo('#f-photos');
            await kb.chooseFiles([photo('saluran.png')]);
            step('name and privacy');
            await kb.fill('#f-name', PETITION.name);
            await kb.tabTo('input[name="privacy"]');
            await kb.chooseRadio('#f-privacy-anonymous');
            step('sending');
            await kb.tabTo('main form button[type="submit"]:not([hidden])');
            await kb.go();
            const { code, key } = await readReceipt(page);

            step('tracking');
            // tracking: the menu, the code, Enter
            await kb.tabTo('header a[href="/track"]');
            await kb.go();
            await kb.fill('#f-code', code.toLowerCase().replace(/-/g, ''));
            await kb.go();
            assert(new URL(page.url()).pathname === `/track/${code}`, `a code typed in lower case without dashes finds the petition: ${page.url()}`);
            const before = await trackedStatus(page);
            step('the access key');
            await kb.fill('#f-access_key', key);
            await kb.go();
            assert((await mainText(page)).includes('saluran.png'), `the access key shows the photo sent: ${await mainText(page)}`);

            step('the handler chooses Vietnamese');
            // the handler, in Vietnamese
            const office = await official.newPage();
            const okb = new Keyboard(office);
            await open(office, '/login');
            await okb.tabTo('nav.langs a[hreflang="vi"]');
            await okb.go();
            assert(await lang(office) === 'vi', 'the sign-in page is in Vietnamese');
            const acct = account(S, 'browser.keyboard');
            step('login and password');
            await okb.fill('#f-login', acct.login);
            await okb.fill('#f-password', acct.password);
            await okb.go();
            step('the TOTP code');
            await learnSecret(office, acct);
            await okb.fill('input[autocomplete="one-time-code"]', await totpFor(acct));
            await okb.go();
            assert(new URL(office.url()).pathname === '/office', `signed in to the inbox, not ${office.url()}: ${await mainText(office)}`);
            step('the inbox');
            const href = await office.locator('main tbody tr', { hasText: code }).locator('a').getAttribute('href').catch(() => null);
            assert(href, `the inbox lists ${code}`);
            await okb.tabTo(`main a[href="${href}"]`);
            await okb.go();
            step('accept and start');
            for (const action of ['accept', 'start']) {
                await okb.tabTo(`#act-${action} button[type="submit"]`);
                await okb.go();
                assert(new URL(office.url()).searchParams.get('done') === action, `${action}: ${await mainText(office)}`);
            }
            step('resolve');
            await okb.fill('#resolve-answer', ANSWER);
            await okb.tabTo('#act-resolve button[type="submit"]');
            await okb.go();
            assert(new URL(office.url()).searchParams.get('done') === 'resolve', `resolve: ${await mainText(office)}`);

            step('the resident reads the answer');
            // the resident: the answer, and the rating with arrows and Space
            await page.goto(`/track/${code}`);
            assert(await trackedStatus(page) !== before, 'the status has moved on');
            assert((await mainText(page)).includes(ANSWER), 'the answer is on the tracking page');
            await kb.fill('#f-access_key', key);
            await kb.go();
            step('the rating');
            await kb.tabTo('input[name="rating"]');
            await kb.chooseRadio('#f-rating-4');
            await kb.fill('#f-comment', 'Bagus.');
            await kb.tabTo('form[action$="/rating"] button[type="submit"]');
            await kb.go();
            assert(new URL(page.url()).searchParams.get('rated') === '1', `after rating: ${page.url()}: ${await mainText(page)}`);

            step('focus visible');
            kb.assertFocusVisible();
            okb.assertFocusVisible();
        });
    } finally {
        await resident.close();
        await official.close();
    }
}, { timeout: 150000 });

test('keyboard: Shift+Tab walks back through the form in the reverse order', async (S) => {
    const ctx = await newContext(S.browser, S.url);
    try {
        const page = await ctx.newPage();
        const kb = new Keyboard(page);
        await open(page, '/submit?unit=586.01');
        await kb.tabTo('main form button[type="submit"]:not([hidden])');
        await kb.tabTo('#f-description', { back: true });
        await kb.tabTo('#f-title', { back: true, max: 3 });
        kb.assertFocusVisible();
    } finally {
        await ctx.close();
    }
});
