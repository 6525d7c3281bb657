// Signing in and out: a demo official (its secret from the otpauth:// URI `akar init --demo`
// printed) is refused with a wrong code, let in with the right one, signs out from the header,
// and cannot sign in again with the code already used; a resident signs in with a password
// alone and lands on their petitions; officials' pages send a visitor to /login and back.
import { test } from '../lib/harness.mjs';
import { assert } from '../lib/checks.mjs';
import { account } from '../lib/accounts.mjs';
import { TOTP_FIELD, totpFor } from '../lib/fixtures.mjs';
import { totpAt } from '../lib/totp.mjs';
import { mainText, navigates, open, withPage } from '../lib/visit.mjs';

async function password(page, acct, status = 200) {
    await open(page, '/login');
    await page.locator('#f-login').fill(acct.login);
    await page.locator('#f-password').fill(acct.password);
    await navigates(page, () => page.locator('main form button[type="submit"]').click(), status);
}

async function code(page, value, status) {
    await page.locator(TOTP_FIELD).fill(value);
    await navigates(page, () => page.locator('main form button[type="submit"]').click(), status);
}

test('sign-in: a demo official is refused a wrong code, let in with the right one, signs out, and cannot reuse the code', async (S) => {
    const acct = account(S, 'handler.vinhhai');
    assert(acct.totp, 'init --demo printed an otpauth:// URI for handler.vinhhai');
    await withPage(S, {}, async (page) => {
        await password(page, acct);
        const now = Date.now();
        const wrong = ['000000', '999999'].find((c) => ![-1, 0, 1].some((d) => totpAt(acct.totp, now + d * 30000) === c));
        await code(page, wrong, 401);
        assert(await page.locator(`${TOTP_FIELD}[aria-invalid="true"]`).count() === 1, `a wrong code is marked beside the field: ${await mainText(page)}`);
        const right = await totpFor(acct);
        await code(page, right, 200);
        assert(new URL(page.url()).pathname === '/office', `the right code leads to the inbox, not ${page.url()}`);
        const cookies = await page.context().cookies();
        const session = cookies.find((c) => c.httpOnly && /sess/i.test(c.name));
        assert(session && session.sameSite !== 'None', `a HttpOnly session cookie is set: ${JSON.stringify(cookies.map((c) => c.name))}`);

        await navigates(page, () => page.locator('header form[action="/logout"] button').click());
        assert(new URL(page.url()).pathname === '/', `signing out leads home, not ${page.url()}`);
        await open(page, '/office');
        assert(new URL(page.url()).pathname === '/login', `after signing out /office asks to sign in again: ${page.url()}`);

        await password(page, acct);
        await code(page, right, 401);
        assert(await page.locator(TOTP_FIELD).count() === 1, 'a code already used is refused');
    });
});

test('sign-in: an officials\' page sends a visitor to /login and back to it afterwards', async (S) => {
    const acct = account(S, 'receptionist.vinhhai');
    await withPage(S, {}, async (page) => {
        await open(page, '/office/reception');
        const u = new URL(page.url());
        assert(u.pathname === '/login' && u.searchParams.get('next') === '/office/reception', `a visitor is sent to sign in: ${page.url()}`);
        await page.locator('#f-login').fill(acct.login);
        await page.locator('#f-password').fill(acct.password);
        await navigates(page, () => page.locator('main form button[type="submit"]').click());
        await code(page, await totpFor(acct), 200);
        assert(new URL(page.url()).pathname === '/office/reception', `back on the reception desk after signing in, not ${page.url()}`);
    });
});

test('sign-in: a resident signs in with a password alone and sees their petitions; a wrong password is refused', async (S) => {
    const acct = account(S, 'resident.vinhhy');
    await withPage(S, {}, async (page) => {
        await password(page, { ...acct, password: 'not-the-password' }, 401);
        assert(await page.locator('[role="alert"]').count() === 1, `a wrong password is said: ${await mainText(page)}`);
        await password(page, acct);
        assert(new URL(page.url()).pathname === '/mine', `a resident lands on /mine, not ${page.url()}`);
        assert(await page.locator(TOTP_FIELD).count() === 0, 'no code is asked of a resident');
        await open(page, '/office', 403);
    });
});
