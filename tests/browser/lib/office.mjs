// The officials' pages as the tests use them (src/web/office.c, office_case.c): finding a case
// in the inbox and taking the actions its page offers, each a form of its own (#act-NAME).
import { assert } from './checks.mjs';
import { mainText, navigates, open } from './visit.mjs';

// From the inbox, opens the case whose tracking code is `code`; returns its id.
export async function openFromInbox(page, code) {
    await open(page, '/office');
    const row = page.locator('main tbody tr', { hasText: code });
    assert(await row.count() === 1, `the inbox does not list ${code}: ${await mainText(page)}`);
    await navigates(page, () => row.locator('a[href^="/office/cases/"]').click());
    return Number(new URL(page.url()).pathname.split('/').pop());
}

// The actions the case page offers now, by name.
export async function offeredActions(page) {
    return page.locator('main form.action input[name="action"]').evaluateAll((els) => els.map((e) => e.value));
}

// Takes an action with its form's fields (name → value), with the mouse; checks the page
// comes back saying it is done.
export async function act(page, action, fields = {}) {
    const form = page.locator(`form#act-${action}`);
    assert(await form.count() === 1, `no "${action}" form on the case page (offered: ${(await offeredActions(page)).join(', ') || 'none'})`);
    for (const [name, value] of Object.entries(fields)) await form.locator(`[name="${name}"]`).fill(value);
    await navigates(page, () => form.locator('button[type="submit"]').click());
    assert(new URL(page.url()).searchParams.get('done') === action,
        `after "${action}" the page is ${page.url()}: ${await mainText(page)}`);
}

// The status as the case page shows it.
export async function caseStatus(page) {
    return (await page.locator('dl.facts .badge').first().innerText()).trim();
}
