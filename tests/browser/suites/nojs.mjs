// The residents' journeys with JavaScript turned off: the pages are plain HTML forms, so
// sending (with a photo), the receipt, tracking, the sender's view and the rating all work
// without script, and what only script can do (locate me, print) stays out of sight.
import { test } from '../lib/harness.mjs';
import { assert } from '../lib/checks.mjs';
import { resolvedCase } from '../lib/fixtures.mjs';
import {
    chooseUnit, fillSubmitForm, openWithKey, photo, readReceipt, submitButton, trackByCode, trackedStatus,
} from '../lib/resident.mjs';
import { mainText, navigates, open, withPage } from '../lib/visit.mjs';

test('no JavaScript: a resident sends a petition with a photo, gets the receipt and tracks it', async (S) => {
    await withPage(S, { js: false, lang: 'id' }, async (page) => {
        await open(page, '/submit');
        await chooseUnit(page, '586.01');
        assert(!(await page.locator('[data-locate]').isVisible()), 'the "use my location" button (script only) is hidden');
        await fillSubmitForm(page, {
            kind: 'recommendation', title: 'Tambah lampu penerangan di gang', description: 'Gang menuju pantai gelap di malam hari; mohon dipasang dua lampu.',
            address: 'Gang menuju pantai', photos: [photo('gang-gelap.png')], privacy: 'anonymous',
        });
        await navigates(page, () => submitButton(page).click());
        const { code, key } = await readReceipt(page);
        assert(!(await page.locator('[data-print]').isVisible()), 'the print button (script only) is hidden');
        await navigates(page, () => page.locator('header a[href="/track"]').click());
        await trackByCode(page, code);
        assert(await trackedStatus(page), 'the tracking page shows the status');
        assert((await mainText(page)).includes('Tambah lampu penerangan di gang'), 'and the petition');
        await openWithKey(page, key);
        assert((await mainText(page)).includes('gang-gelap.png'), `the access key shows the photo sent: ${await mainText(page)}`);
    });
});

test('no JavaScript: an error in the form comes back with the message beside the field and the text kept', async (S) => {
    await withPage(S, { js: false }, async (page) => {
        await open(page, '/submit?unit=586.01');
        await fillSubmitForm(page, { title: 'Only a title', description: '' });
        await navigates(page, () => submitButton(page).click(), 422);
        assert(await page.locator('#f-title').inputValue() === 'Only a title', 'the title typed is kept');
        assert(await page.locator('#e-description').count() === 1, 'a message sits beside the description');
        assert(await page.locator('#f-description[aria-invalid="true"]').count() === 1, 'the description is marked invalid');
        assert(await page.locator('[role="alert"] a[href="#f-description"]').count() === 1, 'the summary links to the field');
    });
});

test('no JavaScript: the sender of a resolved petition reads the answer and rates it', async (S) => {
    const c = await resolvedCase(S, 'nojs');
    await withPage(S, { js: false, lang: 'vi' }, async (page) => {
        await open(page, '/track');
        await trackByCode(page, c.tracking_code);
        assert(await page.locator('#answer').count() === 1, `the answer is shown: ${await mainText(page)}`);
        await openWithKey(page, c.access_key);
        await page.locator('#f-rating-3').check();
        await navigates(page, () => page.locator('form[action$="/rating"] button[type="submit"]').click());
        assert(new URL(page.url()).searchParams.get('rated') === '1', `after rating: ${page.url()}: ${await mainText(page)}`);
        await openWithKey(page, c.access_key);
        assert((await mainText(page)).includes('3'), 'the rating is shown to the sender');
        assert(await page.locator('input[name="rating"]').count() === 0, 'and cannot be given twice');
    });
});
