// The residents' pages as the tests use them (src/web/submit.c, track.c): the unit step and
// the guided form of /submit, the receipt, the tracking form and page, the access key and the
// rating. Mouse (or plain Playwright actions) only; the keyboard journey has its own steps.
import { assert } from './checks.mjs';
import { makePng } from './png.mjs';
import { mainText, navigates } from './visit.mjs';

export const CODE_RE = /\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{3}\b/;

// The form's send button (the form also has a hidden "use my location" button).
export const submitButton = (page) => page.locator('main form button[type="submit"]').last();

// A photo to attach, made now.
export function photo(name = 'foto-jalan.png') {
    return { name, mimeType: 'image/png', buffer: makePng(64, 48) };
}

// On /submit's first step, chooses the unit and continues to the guided form.
export async function chooseUnit(page, code) {
    await page.locator('#f-unit').selectOption(code);
    await navigates(page, () => page.locator('main form button[type="submit"]').click());
    assert(await page.locator('#f-title').count() === 1, `no petition form after choosing unit ${code}: ${await mainText(page)}`);
}

// Fills the guided form: kind, subject (a category code, optional), title, description,
// place, photos, name, privacy (public, anonymous or confidential).
export async function fillSubmitForm(page, f) {
    await page.locator(`#f-kind-${f.kind ?? 'complaint'}`).check();
    if (f.category) await page.locator('#f-category').selectOption(f.category);
    await page.locator('#f-title').fill(f.title);
    await page.locator('#f-description').fill(f.description);
    if (f.address) await page.locator('#f-address').fill(f.address);
    if (f.photos) await page.locator('#f-photos').setInputFiles(f.photos);
    if (f.name) await page.locator('#f-name').fill(f.name);
    if (f.phone) await page.locator('#f-phone').fill(f.phone);
    await page.locator(`#f-privacy-${f.privacy ?? 'public'}`).check();
}

// On the receipt: { code, key }, after checking it shows both and a QR code.
export async function readReceipt(page) {
    assert(new URL(page.url()).pathname === '/receipt', `not on the receipt but on ${page.url()}: ${await mainText(page)}`);
    const code = (await page.locator('#tracking-code').innerText()).trim();
    assert(CODE_RE.test(code), `the receipt shows no tracking code: ${await mainText(page)}`);
    const key = (await page.locator('.code.key').innerText()).trim();
    assert(key.length >= 20, `the receipt shows no access key: ${await mainText(page)}`);
    const qr = page.locator('.qr svg');
    assert(await qr.count() === 1, 'the receipt has no QR code');
    const label = (await qr.getAttribute('aria-label')) || (await qr.locator('title').textContent().catch(() => ''));
    assert(label && label.trim(), 'the QR code has no text alternative');
    return { code, key };
}

// On /track: types the code and sends it; ends on /track/CODE.
export async function trackByCode(page, code) {
    await page.locator('#f-code').fill(code);
    await navigates(page, () => page.locator('main form button[type="submit"]').click());
    assert(new URL(page.url()).pathname === `/track/${code}`, `tracking ${code} led to ${page.url()}`);
}

// On /track/CODE: opens the sender's own view with the access key.
export async function openWithKey(page, key) {
    await page.locator('#f-access_key').fill(key);
    await navigates(page, () => page.locator('#f-access_key').locator('xpath=ancestor::form').locator('button[type="submit"]').click());
}

// The status as the tracking page shows it.
export async function trackedStatus(page) {
    return (await page.locator('main p.status').innerText()).trim();
}
