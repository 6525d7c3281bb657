// What several tests start from: cases made through the public API (fast; the journeys make
// theirs through the pages), officials signed in through /login with password and TOTP, and
// the sessions kept for the page checks.
import { assert } from './checks.mjs';
import { account } from './accounts.mjs';
import { base32Decode, freshTotp } from './totp.mjs';
import { fillSubmitForm, readReceipt, submitButton } from './resident.mjs';
import { mainText, navigates, open, withPage } from './visit.mjs';

// POST /api/v1/cases; returns { id, tracking_code, access_key, ... }.
export async function apiCase(S, fields = {}) {
    const body = {
        kind: 'complaint', unit: '586.01',
        title: 'Jalan desa rusak di depan sekolah',
        description: 'Jalan di depan sekolah dasar berlubang besar dan berbahaya bagi anak-anak saat hujan.',
        ...fields,
    };
    const r = await fetch(`${S.url}/api/v1/cases`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    const j = await r.json();
    assert(r.status === 201, `POST /api/v1/cases answered ${r.status}: ${JSON.stringify(j)}`);
    return j;
}

// A case made once and shared by the page checks.
export async function sharedCase(S) {
    S.fixtures.case ??= apiCase(S);
    return S.fixtures.case;
}

// A bearer token for `login` from POST /api/v1/sessions (password and TOTP).
export async function apiToken(S, login) {
    const a = account(S, login);
    const body = { login: a.login, password: a.password };
    if (a.totp) body.totp = await totpFor(a);
    const r = await fetch(`${S.url}/api/v1/sessions`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    const j = await r.json().catch(() => ({}));
    assert(r.status === 201 && j.token, `POST /api/v1/sessions as ${login} answered ${r.status}: ${JSON.stringify(j)}`);
    return j.token;
}

// POST /api/v1/cases/{id}/actions as the bearer of token.
export async function apiAct(S, token, id, action, extra = {}) {
    const r = await fetch(`${S.url}/api/v1/cases/${id}/actions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ action, ...extra }),
    });
    const j = await r.json().catch(() => ({}));
    assert(r.status === 200, `${action} on case ${id} answered ${r.status}: ${JSON.stringify(j)}`);
    return j;
}

// browser.api's bearer token, made once (a TOTP code serves one sign-in only).
function apiOfficial(S) {
    S.fixtures.apiToken ??= apiToken(S, 'browser.api');
    return S.fixtures.apiToken;
}

// A case accepted and started through the API (browser.api handles it), one per name.
export async function inProgressCase(S, name = 'default') {
    S.fixtures.inProgress ??= {};
    S.fixtures.inProgress[name] ??= (async () => {
        const c = await apiCase(S, { title: 'Sampah tidak diangkut', description: 'Sampah di pasar desa tidak diangkut sejak minggu lalu.' });
        const token = await apiOfficial(S);
        await apiAct(S, token, c.id, 'accept');
        await apiAct(S, token, c.id, 'start');
        return c;
    })();
    return S.fixtures.inProgress[name];
}

// A case resolved with an answer through the API, one per name: its sender may rate it.
export async function resolvedCase(S, name = 'default') {
    S.fixtures.resolved ??= {};
    S.fixtures.resolved[name] ??= (async () => {
        const c = await inProgressCase(S, `resolved ${name}`);
        await apiAct(S, await apiOfficial(S), c.id, 'resolve', { answer: 'Petugas kebersihan telah mengangkut sampah pada hari Senin.' });
        return c;
    })();
    return S.fixtures.resolved[name];
}

// The one-time-code field of the sign-in's second step (/login/code).
export const TOTP_FIELD = 'input[autocomplete="one-time-code"]';

// The TOTP code for an account, never one of a step it already used (the server refuses a
// replay), fresh for a few seconds.
export async function totpFor(acct) {
    assert(acct.totp, `account ${acct.login} has no TOTP secret (no otpauth:// URI was printed for it)`);
    const { code, step } = await freshTotp(acct.totp, { after: acct.lastStep ?? -1 });
    acct.lastStep = step;
    return code;
}

// On the code step: an enrolment page shows the secret (#secret, in groups of four); an
// account whose secret the tests do not know yet learns it there.
export async function learnSecret(page, acct) {
    const shown = page.locator('#secret');
    if (!acct.totp && await shown.count())
        acct.totp = base32Decode((await shown.innerText()).replace(/\s+/g, ''));
}

// Signs in on `page` through /login with the mouse: login and password, then the TOTP code
// when the page asks for one. Ends on the page the sign-in leads to.
export async function signIn(S, page, login) {
    const acct = account(S, login);
    await open(page, '/login');
    await page.locator('#f-login').fill(acct.login);
    await page.locator('#f-password').fill(acct.password);
    await navigates(page, () => page.locator('main form button[type="submit"]').click());
    const totp = page.locator(TOTP_FIELD);
    if (await totp.count()) {
        await learnSecret(page, acct);
        await totp.fill(await totpFor(acct));
        await navigates(page, () => page.locator('main form button[type="submit"]').click());
    } else {
        assert(!acct.totp, `${login} has a TOTP secret but the sign-in never asked for a code: ${await mainText(page)}`);
    }
    assert(!/^\/login/.test(new URL(page.url()).pathname), `still on ${page.url()} after signing in: ${await mainText(page)}`);
}

// The storage state (cookies) of a signed-in session of `login`, made once.
export async function session(S, login) {
    S.fixtures.sessions ??= {};
    S.fixtures.sessions[login] ??= withPage(S, {}, async (page, ctx) => {
        await signIn(S, page, login);
        return ctx.storageState();
    });
    return S.fixtures.sessions[login];
}

// A petition sent through /submit by the signed-in resident browser.resident, made once (so
// /mine has a row).
export async function residentCase(S) {
    S.fixtures.residentCase ??= (async () => {
        const storageState = await session(S, 'browser.resident');
        return withPage(S, { storageState }, async (page) => {
            await open(page, '/submit?unit=586.01.01');
            await fillSubmitForm(page, { kind: 'feedback', title: 'Cống thoát nước bị tắc', description: 'Cống thoát nước đầu thôn bị tắc, nước tràn ra đường mỗi khi mưa.' });
            await navigates(page, () => submitButton(page).click());
            return readReceipt(page);
        });
    })();
    return S.fixtures.residentCase;
}
