// The whole life of a petition in the browser, with the mouse: a resident chooses Indonesian,
// sends a complaint with a photo, keeps the receipt and tracks it; a handler signs in with
// TOTP, accepts, starts and resolves it with an answer; the resident sees the answer and
// rates it, and the handler sees the rating.
import { inSteps, newContext, test } from '../lib/harness.mjs';
import { assert } from '../lib/checks.mjs';
import { signIn } from '../lib/fixtures.mjs';
import { act, caseStatus, openFromInbox } from '../lib/office.mjs';
import {
    chooseUnit, fillSubmitForm, openWithKey, photo, readReceipt, submitButton, trackByCode, trackedStatus,
} from '../lib/resident.mjs';
import { mainText, navigates, open } from '../lib/visit.mjs';

const lang = (page) => page.evaluate(() => document.documentElement.lang);

export const COMPLAINT = {
    kind: 'complaint',
    title: 'Jalan berlubang di depan sekolah',
    description: 'Jalan di depan SD Vĩnh Hải berlubang besar sejak bulan lalu. Anak-anak harus berjalan di tepi jalan raya. Mohon segera diperbaiki.',
    address: 'Depan SD Vĩnh Hải',
    name: 'Siti Rahayu',
    phone: '0812 3456 7890',
};
export const ANSWER = 'Lubang di jalan depan sekolah telah ditambal oleh tim pekerjaan umum pada hari Kamis.';

test('journey (mouse): a resident complains in Indonesian with a photo, a handler resolves it with TOTP, the resident rates the answer', async (S) => {
    const resident = await newContext(S.browser, S.url);
    const official = await newContext(S.browser, S.url);
    try {
        await inSteps(async (step) => {
            const page = await resident.newPage();
            step('the resident chooses Indonesian');
            // the resident: Indonesian from the language switch, then the form
            await open(page, '/');
            await navigates(page, () => page.locator('nav.langs').getByRole('link', { name: 'Bahasa Indonesia' }).click());
            assert(await lang(page) === 'id', `<html lang="${await lang(page)}"> after choosing Bahasa Indonesia`);
            await navigates(page, () => page.locator('header a[href="/submit"]').click());
            assert(await lang(page) === 'id', 'the form is in Indonesian too');
            step('the unit step');
            await chooseUnit(page, '586.01');
            for (const k of ['feedback', 'recommendation', 'complaint', 'denunciation', 'information_request'])
                assert((await page.locator(`#h-kind-${k}`).innerText()).trim().length > 20, `the kind "${k}" is explained`);
            for (const p of ['public', 'anonymous', 'confidential'])
                assert((await page.locator(`#h-privacy-${p}`).innerText()).trim().length > 20, `the privacy choice "${p}" is explained before sending`);
            step('the guided form');
            await fillSubmitForm(page, { ...COMPLAINT, photos: [photo('lubang-jalan.png')] });
            await navigates(page, () => submitButton(page).click());
            step('the receipt');
            const { code, key } = await readReceipt(page);
            assert(await lang(page) === 'id', 'the receipt is in Indonesian');

            step('tracking');
            // tracking it by its code, from the site's menu
            await navigates(page, () => page.locator('header a[href="/track"]').click());
            await trackByCode(page, code);
            const before = await trackedStatus(page);
            assert(before, 'the tracking page shows a status');
            assert((await mainText(page)).includes(COMPLAINT.title), 'the tracking page shows the petition');
            await openWithKey(page, key);
            assert((await mainText(page)).includes(COMPLAINT.name), `the access key shows the sender's own details: ${await mainText(page)}`);
            assert((await mainText(page)).includes('lubang-jalan.png'), 'and the photo sent');

            step('the handler signs in');
            // the handler: password and TOTP, the inbox, accept, start, resolve
            const office = await official.newPage();
            await signIn(S, office, 'browser.handler');
            step('the inbox');
            await openFromInbox(office, code);
            assert((await mainText(office)).includes('lubang-jalan.png'), `the case page lists the photo: ${await mainText(office)}`);
            step('the actions on the case');
            await act(office, 'accept');
            await act(office, 'start');
            await act(office, 'resolve', { answer: ANSWER });
            assert(/resolved/i.test(await caseStatus(office)), `the case is resolved: ${await caseStatus(office)}`);

            step('the resident reads the answer');
            // the resident again: the answer, then the rating
            await open(page, `/track/${code}`);
            assert(await trackedStatus(page) !== before, 'the status has moved on');
            assert((await mainText(page)).includes(ANSWER), `the answer is on the tracking page: ${await mainText(page)}`);
            await openWithKey(page, key);
            step('the rating');
            await page.locator('#f-rating-5').check();
            await page.locator('#f-comment').fill('Terima kasih, cepat sekali.');
            await navigates(page, () => page.locator('#f-comment').locator('xpath=ancestor::form').locator('button[type="submit"]').click());
            assert(new URL(page.url()).searchParams.get('rated') === '1', `after rating: ${page.url()}`);
            assert(await page.locator('[role="status"]').count() === 1, 'the page says the rating is recorded');
            assert(await lang(page) === 'id', 'still in Indonesian');

            step('the handler sees the rating');
            // and the handler sees it
            await office.reload();
            assert((await mainText(office)).includes('5 / 5'), `the case page shows the rating: ${await mainText(office)}`);
        });
    } finally {
        await resident.close();
        await official.close();
    }
}, { timeout: 120000 });
